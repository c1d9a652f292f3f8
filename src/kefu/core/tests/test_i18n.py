"""Chinese is the default language: every catalogue is complete, compiled,
safe to format, and covers every string the source marks for translation."""

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

import kefu

PACKAGE = Path(kefu.__file__).resolve().parent
CATALOGUES = sorted(PACKAGE.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +-]*\d*(?:\.\d+)?([diouxXeEfFgGcrs])")


def catalogue_id(path, root=PACKAGE):
    return "/".join(path.relative_to(root).parts[:-4]) or "kefu"


def key(entry):
    return (entry.msgctxt, entry.msgid)


def translations(entries):
    return {
        key(e): (
            tuple(e.msgstr_plural[i] for i in sorted(e.msgstr_plural))
            if e.msgid_plural
            else e.msgstr
        )
        for e in entries
        if e.msgid
    }


def placeholders(text):
    """Named placeholders as a set, and the number of positional ones."""
    found = [m.groups() for m in PLACEHOLDER.finditer(text.replace("%%", ""))]
    return {name for name, _ in found if name}, sum(1 for name, _ in found if not name)


def test_every_app_keeps_its_own_catalogue():
    assert {catalogue_id(p) for p in CATALOGUES} >= {
        "core",
        "customers",
        "contacts",
        "processes",
        "workorders",
    }


@pytest.mark.parametrize("path", CATALOGUES, ids=catalogue_id)
def test_catalogue_is_complete(path):
    po = polib.pofile(str(path))
    problems = [f"untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
    problems += [f"fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    problems += [f"obsolete: {e.msgid!r}" for e in po.obsolete_entries()]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", CATALOGUES, ids=catalogue_id)
def test_translations_keep_the_placeholders(path):
    """A placeholder missing from a translation loses information; one the
    source does not have breaks formatting at run time."""
    problems = []
    for entry in polib.pofile(str(path)).translated_entries():
        if entry.msgid_plural:
            allowed = placeholders(entry.msgid)[0] | placeholders(entry.msgid_plural)[0]
            for text in entry.msgstr_plural.values():
                if not placeholders(text)[0] <= allowed:
                    problems.append(f"{entry.msgid!r} → {text!r}")
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            problems.append(f"{entry.msgid!r} → {entry.msgstr!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", CATALOGUES, ids=catalogue_id)
def test_compiled_catalogue_matches_its_source(path):
    mo_path = path.with_suffix(".mo")
    assert mo_path.exists(), f"run compilemessages: {mo_path} is missing"
    po = polib.pofile(str(path))
    expected = translations(e for e in po.translated_entries() if not e.obsolete)
    compiled = translations(polib.mofile(str(mo_path)))
    stale = sorted(
        k[1] for k in expected.keys() | compiled.keys() if expected.get(k) != compiled.get(k)
    )
    assert not stale, "recompile, these differ from the .po: " + ", ".join(map(repr, stale))


def test_every_marked_string_is_in_its_catalogue(tmp_path, monkeypatch):
    """Extract the strings afresh from a copy of the source (as
    ``make messages`` does) and compare with the committed catalogues."""
    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("GNU gettext is missing")
        pytest.skip("GNU gettext (xgettext) is not installed")
    copy = tmp_path / "kefu"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=shutil.ignore_patterns(
            "__pycache__", "vendor", "*.po", "*.mo", "tests", "conftest.py"
        ),
    )
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0)
    # Django merges every catalogue at run time, so a string is translated
    # when any catalogue has it (a module may reuse another app's message).
    known = {key(e) for path in CATALOGUES for e in polib.pofile(str(path)).translated_entries()}
    missing = []
    for fresh in sorted(copy.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(fresh)):
            if key(entry) not in known:
                where = ", ".join(f"{f}:{line}" for f, line in entry.occurrences[:2])
                missing.append(f"{catalogue_id(fresh, copy)}: {entry.msgid!r} ({where})")
    assert not missing, "run `make messages` and translate:\n" + "\n".join(missing)
