"""The words of talks: meeting formats, invitation capacities, reply statuses, documents."""

from __future__ import annotations

from enum import StrEnum


class MeetingFormat(StrEnum):
    DIRECT = "direct"  # the parties at one table
    PROXIMITY = "proximity"  # the mediators shuttle between delegations in separate rooms
    BRIEFING = "briefing"  # a convenor informs those who come


class Capacity(StrEnum):
    """In what capacity someone is invited."""

    ORGANISATION = "organisation"  # the organisation as a body
    PERSONAL = "personal"  # a person in a personal capacity
    REPRESENTATIVE = "representative"  # a person as representative of an organisation
    CLASS = "class"  # a class of actors described in words ("all who wish to come")


class ReplyStatus(StrEnum):
    """Where an invitation stands; ``pending`` until the first reply is recorded."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NO_ANSWER = "no_answer"
    WITHDRAWN = "withdrawn"  # the invitation or the acceptance was withdrawn


class DocumentKind(StrEnum):
    FINAL_STATEMENT = "final_statement"
    AGREEMENT = "agreement"
    COMMUNIQUE = "communique"
    OTHER = "other"
