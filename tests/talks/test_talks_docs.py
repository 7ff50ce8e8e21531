"""docs/talks.md prints the reply workflow as the code has it."""

from __future__ import annotations

import re
from pathlib import Path

from trucewatch.talks.workflow import INVITATION

DOC = Path(__file__).resolve().parents[2] / "docs" / "talks.md"


def test_the_written_reply_table_is_the_code() -> None:
    section = DOC.read_text(encoding="utf-8").split("## Replies move along a table", 1)[1]
    written: dict[str, set[str]] = {}
    for line in section.splitlines():
        match = re.match(r"^\| `([a-z_]+)` \| (.*) \|$", line)
        if match:
            written[match[1]] = set(re.findall(r"`([a-z_]+)`", match[2]))
    assert written == {k: set(v) for k, v in INVITATION.transitions.items()}
