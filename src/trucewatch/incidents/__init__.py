"""Incidents: one real event, grouping the reports of it, with a status workflow."""
