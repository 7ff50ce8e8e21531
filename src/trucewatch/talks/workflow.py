"""Where an invitation may go from each reply status (walked exhaustively by a test)."""

from __future__ import annotations

from trucewatch.verification.workflow import Workflow

# A reply may be revised (a refusal turned into an acceptance and back) until the invitation
# or the acceptance is withdrawn, which is final. "pending" is only where an invitation starts.
INVITATION = Workflow("invitation", {
    "pending": frozenset({"accepted", "declined", "no_answer", "withdrawn"}),
    "no_answer": frozenset({"accepted", "declined", "withdrawn"}),
    "accepted": frozenset({"declined", "withdrawn"}),
    "declined": frozenset({"accepted", "withdrawn"}),
    "withdrawn": frozenset(),
}, field="status")
