"""Notifications derived from the log: in the app, by e-mail, by signed webhooks.

See docs/notifications.md.
"""
