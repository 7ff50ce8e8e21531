"""Actors: organisations, persons, their names in several languages, and affiliations."""
