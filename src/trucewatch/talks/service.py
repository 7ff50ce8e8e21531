"""Everything talks can do, in one place to import from.

``meetings`` records, changes and publishes meetings and their documents; ``invitations``
invitations, replies (along ``workflow.INVITATION``) and attendance; ``derived`` the
participation matrix, an actor's history and the timeline.
"""

from __future__ import annotations

from trucewatch.talks.derived import actor_history, participation_matrix, timeline
from trucewatch.talks.invitations import (
    affiliated_on,
    attendance_view,
    get_invitation,
    invitation_view,
    invite,
    record_attendance,
    reply,
    reply_view,
)
from trucewatch.talks.meetings import (
    add_document,
    change_meeting,
    create_meeting,
    document_view,
    get_meeting,
    list_meetings,
    meeting_view,
    publish_meeting,
)

__all__ = [
    "actor_history", "add_document", "affiliated_on", "attendance_view", "change_meeting",
    "create_meeting", "document_view", "get_invitation", "get_meeting", "invitation_view",
    "invite", "list_meetings", "meeting_view", "participation_matrix", "publish_meeting",
    "record_attendance", "reply", "reply_view", "timeline",
]
