"""The store: an engine plus the unit of work that owns each transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from trucewatch.storage.engine import make_engine
from trucewatch.storage.migrate import upgrade


@dataclass
class Store:
    engine: Engine
    session_factory: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        session = self.session_factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open the database at ``url``, bringing its schema up to date unless told not to."""
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    return Store(engine=engine, session_factory=sessionmaker(engine, expire_on_commit=False))
