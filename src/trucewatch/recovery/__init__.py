"""Backups and restores, checked against the log and against tree heads guarantors kept."""
