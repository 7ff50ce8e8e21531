"""The session secret: made once, whole, even when several workers start at the same moment."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from trucewatch.web.session import SECRET_FILE, load_secret


def test_workers_starting_together_read_one_whole_secret(tmp_path: Path) -> None:
    for round_ in range(40):
        keys = tmp_path / f"keys-{round_}"
        with ThreadPoolExecutor(max_workers=4) as pool:
            secrets = set(pool.map(load_secret, [keys] * 8))
        assert len(secrets) == 1 and len(secrets.pop()) >= 48  # never an empty one
        assert [p.name for p in keys.iterdir()] == [SECRET_FILE]  # no draft left behind
        assert stat.S_IMODE((keys / SECRET_FILE).stat().st_mode) == 0o600


def test_an_existing_secret_is_kept(tmp_path: Path) -> None:
    first = load_secret(tmp_path)
    assert load_secret(tmp_path) == first == (tmp_path / SECRET_FILE).read_text()
