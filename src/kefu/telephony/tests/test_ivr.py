"""IVR menus: a tree of prompts and keys, checked and exported for the PBX."""

import pytest
from django.core.exceptions import ValidationError

from kefu.telephony import ivr
from kefu.telephony.models import IvrMenu, IvrOption

T = IvrOption.Target


@pytest.fixture
def menus(org, queue):
    root = IvrMenu.objects.create(
        unit=org["east"], code="main", name="主菜单", prompt="报修请按1，投诉请按3", is_root=True
    )
    sub = IvrMenu.objects.create(
        unit=org["east"], code="sub", name="投诉", prompt="投诉请按1，返回请按星号"
    )
    IvrOption.objects.create(menu=root, key="1", label="报修", target=T.QUEUE, queue=queue)
    IvrOption.objects.create(menu=root, key="3", label="投诉", target=T.MENU, submenu=sub)
    IvrOption.objects.create(menu=sub, key="1", label="留言", target=T.VOICEMAIL)
    IvrOption.objects.create(menu=sub, key="*", label="返回", target=T.MENU, submenu=root)
    return root, sub


def test_export_nests_submenus_and_stops_at_loops_back(menus, pbx_client, pbx):
    exported = pbx_client.get("/api/cti/east-pbx-token-0001/ivr/").json()
    assert exported == {
        "menus": [
            {
                "code": "main",
                "name": "主菜单",
                "prompt": "报修请按1，投诉请按3",
                "options": [
                    {"key": "1", "label": "报修", "target": "queue", "queue": "service"},
                    {
                        "key": "3",
                        "label": "投诉",
                        "target": "menu",
                        "menu": {
                            "code": "sub",
                            "name": "投诉",
                            "prompt": "投诉请按1，返回请按星号",
                            "options": [
                                {"key": "*", "label": "返回", "target": "menu"},
                                {"key": "1", "label": "留言", "target": "voicemail"},
                            ],
                        },
                    },
                ],
            }
        ]
    }


def test_export_needs_the_token(menus, pbx_client, pbx):
    assert pbx_client.get("/api/cti/wrong/ivr/").status_code == 403


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"key": "x", "target": T.VOICEMAIL}, "key"),
        ({"key": "2", "target": T.QUEUE}, "queue"),
        ({"key": "2", "target": T.MENU}, "submenu"),
        ({"key": "2", "target": T.MESSAGE, "message": " "}, "message"),
    ],
)
def test_invalid_options(menus, fields, error):
    option = IvrOption(menu=menus[0], label="x", **fields)
    with pytest.raises(ValidationError) as raised:
        ivr.validate_option(option)
    assert error in raised.value.message_dict
