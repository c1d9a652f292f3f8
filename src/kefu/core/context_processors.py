from django.conf import settings


def navigation(request):
    return {"KEFU_BRAND": settings.KEFU_BRAND}
