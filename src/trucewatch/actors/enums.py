"""The kinds of actor and the kinds of organisation."""

from __future__ import annotations

from enum import StrEnum


class ActorKind(StrEnum):
    ORGANISATION = "organisation"
    PERSON = "person"


class OrganisationType(StrEnum):
    STATE = "state"
    ARMED_GROUP = "armed_group"
    POLITICAL_BODY = "political_body"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    MEDIA = "media"
    NGO = "ngo"
