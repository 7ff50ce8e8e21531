"""Ingesting text: news, statements and briefings become proposals a person accepts or rejects."""
