"""trucewatch: software for a joint ceasefire monitoring mechanism."""

__version__ = "0.1.0"
