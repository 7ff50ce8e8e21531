"""Analytics: counts by period, zone, governorate, category and party; hotspots; escalation."""
