"""The ``world`` fixture: a truce with three guarantors with keys, on each store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from tests.verification.world import World, build_world


@pytest.fixture
def world(session: Session, tmp_path: Path) -> World:
    return build_world(session, tmp_path / "keys")
