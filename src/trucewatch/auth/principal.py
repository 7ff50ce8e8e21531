"""Who is acting: a user of an organisation with roles, or the local operator (the CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    REPORTER = "reporter"
    GUARANTOR_OFFICER = "guarantor_officer"
    COORDINATOR = "coordinator"
    ADMINISTRATOR = "administrator"
    OBSERVER = "observer"


@dataclass(frozen=True)
class Principal:
    """The caller of a service function; ``actor`` is the name the log records.

    ``organisation_id`` is None only for the public (not signed in) and the operator.
    The operator runs the command line on the server with the database in hand; the
    log records what it does like any other caller.
    """

    actor: str
    organisation_id: int | None = None
    organisation_slug: str | None = None
    user_id: int | None = None
    roles: frozenset[Role] = frozenset()
    is_operator: bool = False

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_public(self) -> bool:
        return self.user_id is None and not self.is_operator


PUBLIC = Principal(actor="public")


def operator(actor: str) -> Principal:
    return Principal(actor=actor, is_operator=True)
