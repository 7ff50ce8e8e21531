"""Bulletins: the period's figures, map, trend, decisions and talks, as HTML and PDF."""
