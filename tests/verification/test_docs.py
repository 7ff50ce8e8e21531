"""docs/verification.md states the confidence scale and the transition tables the code has."""

from __future__ import annotations

from pathlib import Path

import pytest

from trucewatch.verification.schemas import CONFIDENCE_MEANING, Confidence
from trucewatch.verification.workflow import WORKFLOWS, Workflow

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "verification.md").read_text("utf-8")


@pytest.mark.parametrize("grade", list(Confidence))
def test_each_grade_is_documented_with_its_meaning(grade: Confidence) -> None:
    assert f"| `{grade.value}` | {CONFIDENCE_MEANING[grade]} |" in PAGE


def test_the_grades_are_listed_strongest_first() -> None:
    positions = [PAGE.index(f"| `{g.value}` |") for g in Confidence]
    assert positions == sorted(positions)


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
def test_each_transition_table_is_on_the_page(workflow: Workflow) -> None:
    for status, targets in workflow.transitions.items():
        allowed = ", ".join(f"`{t}`" for t in sorted(targets)) or "(final)"
        assert f"| `{status}` | {allowed} |" in PAGE, (workflow.name, status)


@pytest.mark.parametrize("command", ["round open", "round close", "round sign", "round show",
                                     "round list", "round overdue", "investigation task",
                                     "investigation update", "investigation show",
                                     "denial record", "denial list", "measure propose",
                                     "measure vote", "measure status", "measure show"])
def test_each_command_is_named(command: str) -> None:
    group, name = command.split()
    assert f"trucewatch {group} " in PAGE and name in PAGE
