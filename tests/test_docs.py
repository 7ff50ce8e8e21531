"""The docs are generated from the code; these tests fail when the two drift apart.

Regenerate with ``python scripts/gen_docs.py``.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
import typer.main

from trucewatch.cli.main import cli
from trucewatch.config import SETTINGS, Setting, Settings
from trucewatch.demo.actors import ACTORS
from trucewatch.demo.scenario import USERS
from trucewatch.demo.service import load_demo
from trucewatch.reports.taxonomy import TAXONOMY, Category
from trucewatch.storage import open_store

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _load_generator() -> ModuleType:
    """Import scripts/gen_docs.py by path (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_docs", module)
    spec.loader.exec_module(module)
    return module


gen_docs = _load_generator()


def _doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _commands() -> list[str]:
    return ["trucewatch " + " ".join(p) if p else "trucewatch"
            for p in gen_docs.command_paths(typer.main.get_command(cli))]


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    """What the generator would write (once per module: the CLI help runs in a subprocess)."""
    pages: dict[str, str] = gen_docs.render_all(ROOT)
    return pages


def test_generated_docs_are_current(generated: dict[str, str]) -> None:
    stale = gen_docs.stale_pages(ROOT, generated)
    assert stale == [], f"stale: {', '.join(stale)}; run python scripts/gen_docs.py"


def test_cli_help_is_plain_and_stable(generated: dict[str, str]) -> None:
    again = gen_docs.render_cli()
    assert again == generated["docs/cli.md"]
    assert "\x1b[" not in again and "╭" not in again  # no colour codes, no rich boxes


def test_check_mode_names_the_stale_page(tmp_path: Path, generated: dict[str, str]) -> None:
    for name, text in generated.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert gen_docs.stale_pages(tmp_path, generated) == []
    page = tmp_path / "docs" / "taxonomy.md"
    page.write_text(page.read_text(encoding="utf-8").replace("`shelling`", "`shellfire`"),
                    encoding="utf-8")
    assert gen_docs.stale_pages(tmp_path, generated) == ["docs/taxonomy.md"]


@pytest.mark.parametrize("command", _commands())
def test_cli_command_is_documented(command: str) -> None:
    assert f"\n## `{command}`\n" in _doc("cli.md"), f"{command} is missing from docs/cli.md"


def test_cli_walk_finds_every_group_and_command() -> None:
    commands = _commands()
    assert "trucewatch report add" in commands and "trucewatch log verify" in commands
    assert len(commands) == len(set(commands))


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_setting_is_documented(setting: Setting) -> None:
    rows = [line for line in _doc("settings.md").splitlines()
            if line.startswith(f"| `{setting.name}` |")]
    assert rows, f"{setting.name} is missing from docs/settings.md"
    assert f"`{setting.env}`" in rows[0]


def test_every_settings_field_is_in_the_settings_table() -> None:
    fields = {f.name for f in dataclasses.fields(Settings)} - {"extra"}
    assert fields == {s.name for s in SETTINGS}


@pytest.mark.parametrize("category", TAXONOMY, ids=lambda c: c.code)
def test_taxonomy_code_is_documented(category: Category) -> None:
    row = rf"^\| `{re.escape(category.code)}` \|"
    assert re.search(row, _doc("taxonomy.md"), re.MULTILINE), (
        f"{category.code} is missing from docs/taxonomy.md")


def test_every_log_kind_is_in_the_architecture_page() -> None:
    kinds = gen_docs.log_kinds()
    assert len(kinds) >= 11  # the scan finds the appends (guards against a broken ast walk)
    for kind, _where in kinds:
        assert f"| `{kind}` |" in _doc("architecture.md")


def test_demo_page_names_every_actor_and_user() -> None:
    page = _doc("demo.md")
    missing = [a["slug"] for a in ACTORS if f"`{a['slug']}`" not in page]
    missing += [username for username, _org, _who in USERS if f"`{username}`" not in page]
    assert missing == [], f"missing from docs/demo.md: {', '.join(missing)}"


def test_demo_page_figures_match_a_real_load(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        with store.session() as session:
            summary = load_demo(session, actor="test:docs")
    finally:
        store.dispose()
    page = " ".join(_doc("demo.md").split())
    for figure in (f"{summary.actors} actors", f"{summary.reports} synthetic reports",
                   f"{summary.incidents} incidents"):
        assert figure in page, f"docs/demo.md does not say {figure!r}"
