"""The README opens with exactly the two set-up commands, and CI runs the second verbatim."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _opening_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [b.strip() for b in blocks[:2]]


def test_readme_opens_with_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    before_prose = text.split("The first command")[0]
    assert before_prose.count("```sh") == 2
    run, test = _opening_commands()
    assert "trucewatch demo" in run and "trucewatch serve" in run
    assert "pytest" in test


def test_ci_runs_the_readme_test_command() -> None:
    _, test = _opening_commands()
    ci = (ROOT / ".ci" / "run").read_text()
    assert test in ci.splitlines()
