"""Joint verification: investigations, review rounds, signed assessments, decisions, measures."""
