"""The README and docs stay true to the code they describe."""

import json
import re
from pathlib import Path

import pytest

import kefu
from kefu.processes.presets import validate_spec
from kefu.workorders.models import WorkOrder

PACKAGE = Path(kefu.__file__).resolve().parent
ROOT = PACKAGE.parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("**/*.md"))
ENV_READ = re.compile(r"""os\.environ(?:\.get\(|\[|\.setdefault\()\s*["']([A-Z][A-Z0-9_]+)["']""")
# Set by Kefu itself for Django and Playwright, not by whoever runs it.
INTERNAL = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}

pytestmark = pytest.mark.skipif(not README.exists(), reason="needs a source checkout")


def environment_variables():
    names = set()
    for path in PACKAGE.glob("**/*.py"):
        names |= set(ENV_READ.findall(path.read_text(encoding="utf-8")))
    return names - INTERNAL


def test_readme_documents_every_environment_variable():
    readme = README.read_text(encoding="utf-8")
    names = environment_variables()
    assert "DATABASE_URL" in names and "KEFU_SECRET_KEY" in names
    undocumented = sorted(n for n in names if f"`{n}`" not in readme)
    assert not undocumented, f"add to the README's Configuration table: {undocumented}"


@pytest.mark.parametrize("page", [README, *DOCS], ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_lead_somewhere(page):
    text = page.read_text(encoding="utf-8")
    broken = []
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        if not (page.parent / target).exists():
            broken.append(target)
    assert not broken, f"broken links in {page.name}: {broken}"


def test_the_documented_process_definition_is_valid():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", text, flags=re.S)]
    definitions = [b for b in blocks if "states" in b]
    assert definitions
    for definition in definitions:
        validate_spec(definition)
        for transition in definition["transitions"]:
            assert {f["name"] for f in transition.get("fields", [])} <= set(
                WorkOrder.PROCESS_FIELDS
            )
            assert set(transition.get("effects", [])) <= set(WorkOrder.PROCESS_EFFECTS)
