from django.db import migrations

# The categories of the center's complaint register; a center edits them as data.
DEFAULTS = ["服务态度", "产品质量", "维修质量", "上门及时性", "收费争议", "配送安装", "其他"]


def add_defaults(apps, schema_editor):
    category = apps.get_model("complaints", "ComplaintCategory")
    for sort, name in enumerate(DEFAULTS):
        category.objects.get_or_create(name=name, defaults={"sort": sort})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
