"""Words that a library listed before our apps in INSTALLED_APPS (Django's
admin and auth, Django REST framework) also translates, less aptly for a
service center: its catalog would win over our apps' own. Marking them here
puts them in the project catalog (``locale/``, in LOCALE_PATHS), which takes
precedence over every app."""

from django.utils.translation import gettext_noop

OVERRIDDEN = (
    gettext_noop("content"),
    gettext_noop("active"),
    gettext_noop("Created"),
    gettext_noop("Filter"),
    gettext_noop("Log out"),
    gettext_noop("Administration"),
)
