import pytest
from django.core.exceptions import ValidationError

from kefu.core.models import OrgUnit
from kefu.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db


def unit(code, parent=None):
    return OrgUnitFactory(code=code, name=code, parent=parent)


def paths():
    return dict(OrgUnit.objects.values_list("code", "path"))


def test_path_and_depth_follow_the_tree(org):
    office = unit("office", org["east"])
    assert org["hq"].path == "/hq/" and org["hq"].depth == 0
    assert org["east"].path == "/hq/east/" and org["east"].depth == 1
    assert office.path == "/hq/east/office/" and office.depth == 2


def test_subtree_and_ancestors(org):
    office = unit("office", org["east"])
    # A sibling whose code starts like "east" is not part of east's subtree.
    unit("east2", org["hq"])
    assert set(org["east"].subtree().values_list("code", flat=True)) == {"east", "office"}
    assert set(org["hq"].subtree().values_list("code", flat=True)) == {
        "hq",
        "east",
        "west",
        "office",
        "east2",
    }
    assert [u.code for u in office.ancestors()] == ["hq", "east", "office"]


def test_moving_a_unit_repaths_its_whole_subtree(org):
    office = unit("office", org["east"])
    desk = unit("desk", office)
    east = org["east"]
    east.parent = org["west"]
    east.save()
    assert paths() == {
        "hq": "/hq/",
        "west": "/hq/west/",
        "east": "/hq/west/east/",
        "office": "/hq/west/east/office/",
        "desk": "/hq/west/east/office/desk/",
    }
    desk.refresh_from_db()
    assert desk.depth == 4
    assert set(org["west"].subtree().values_list("code", flat=True)) == {
        "west",
        "east",
        "office",
        "desk",
    }


def test_renaming_a_code_repaths_the_subtree(org):
    office = unit("office", org["east"])
    east = org["east"]
    east.code = "dongqu"
    east.save()
    office.refresh_from_db()
    assert office.path == "/hq/dongqu/office/"


def test_moving_to_the_root(org):
    east = org["east"]
    east.parent = None
    east.save()
    east.refresh_from_db()
    assert east.path == "/east/" and east.depth == 0


@pytest.mark.parametrize("new_parent", ["self", "child", "grandchild"])
def test_cycles_are_refused(org, new_parent):
    east = org["east"]
    office = unit("office", east)
    desk = unit("desk", office)
    before = paths()
    east.parent = {"self": east, "child": office, "grandchild": desk}[new_parent]
    with pytest.raises(ValidationError) as err:
        east.full_clean()
    assert "parent" in err.value.message_dict
    # Code that saves without validating is refused as well.
    with pytest.raises(ValidationError):
        east.save()
    assert paths() == before
