"""Storage: the engine, sessions and the Alembic migrations that are the schema."""

from trucewatch.storage.base import Base
from trucewatch.storage.store import Store, open_store

__all__ = ["Base", "Store", "open_store"]
