"""The complaint categories a new center starts with; it edits them as data."""

DEFAULT_CATEGORIES = [
    "服务态度",
    "产品质量",
    "维修质量",
    "上门及时性",
    "收费争议",
    "配送安装",
    "其他",
]


def install_categories(**kwargs):
    """After migrating (and after a test flushes the tables): the defaults
    that are missing, never touching a center's own."""
    from kefu.complaints.models import ComplaintCategory

    if ComplaintCategory.objects.exists():
        return
    for sort, name in enumerate(DEFAULT_CATEGORIES):
        ComplaintCategory.objects.get_or_create(name=name, defaults={"sort": sort})
