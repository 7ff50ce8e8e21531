"""Everything notifications can do, in one place for the faces (CLI, web) to call."""

from trucewatch.notifications.derive import Derived, derive
from trucewatch.notifications.dispatch import DeliveryConfig, PassResult, run_pass, watch
from trucewatch.notifications.inbox import (
    list_notifications,
    mark_read,
    notification_view,
    notifications_after,
    unread_count,
)
from trucewatch.notifications.subscriptions import (
    EVENTS,
    add_email,
    add_webhook,
    follow_area,
    remove_channel,
    subscriptions_of,
    unfollow_area,
)

__all__ = [
    "EVENTS", "DeliveryConfig", "Derived", "PassResult", "add_email", "add_webhook", "derive",
    "follow_area", "list_notifications", "mark_read", "notification_view", "notifications_after",
    "remove_channel", "run_pass", "subscriptions_of", "unfollow_area", "unread_count", "watch",
]
