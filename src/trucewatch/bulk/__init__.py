"""Bulk actions: link, assign (task investigations) and publish many at once, item by item."""
