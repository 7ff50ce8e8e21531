"""Truces: guarantors, covered and excluded parties, zones, terms and the verification rule."""
