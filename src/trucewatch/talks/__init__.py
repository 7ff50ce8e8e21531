"""Talks: meetings, invitations to organisations and persons, replies, attendance, outcomes."""
