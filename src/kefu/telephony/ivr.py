"""IVR menus as a tree (prompt, keys, targets), exported for the PBX."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kefu.telephony.models import IvrMenu, IvrOption

KEYS = set("0123456789*#")


def validate_option(option: IvrOption):
    errors = {}
    if option.key not in KEYS:
        errors["key"] = [_("A key is one of 0-9, * or #.")]
    T = IvrOption.Target
    if option.target == T.QUEUE and option.queue_id is None:
        errors["queue"] = [_("Choose the queue this key leads to.")]
    # A key may lead back up the tree ("* returns"): the export stops there.
    if option.target == T.MENU and option.submenu_id is None:
        errors["submenu"] = [_("Choose the sub-menu this key leads to.")]
    if option.target == T.MESSAGE and not option.message.strip():
        errors["message"] = [_("Enter the message to play.")]
    if errors:
        raise ValidationError(errors)


def export_menu(menu: IvrMenu, _path=()) -> dict:
    """One menu with its sub-menus nested under the keys that lead to them."""
    options = []
    for option in menu.options.select_related("queue", "submenu"):
        item = {"key": option.key, "label": option.label, "target": option.target}
        if option.target == IvrOption.Target.QUEUE:
            item["queue"] = option.queue.code
        elif option.target == IvrOption.Target.MENU and option.submenu_id not in _path:
            item["menu"] = export_menu(option.submenu, (*_path, menu.pk))
        elif option.target == IvrOption.Target.MESSAGE:
            item["message"] = option.message
        options.append(item)
    return {"code": menu.code, "name": menu.name, "prompt": menu.prompt, "options": options}


def export_for_unit(unit) -> dict:
    roots = IvrMenu.objects.filter(unit=unit, is_root=True).order_by("code")
    return {"menus": [export_menu(menu) for menu in roots]}
