"""``trucewatch serve --workers N``: N processes answer on one port, over one store."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
from tests.reliability.load import free_port


def test_two_workers_serve_one_store(demo_db_url: str, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    command = [sys.executable, "-c", "from trucewatch.cli.main import app; app()",
               "--db", demo_db_url, "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", "2"]
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).is_success:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, log.read_text()
            time.sleep(0.2)
        answers = [httpx.get(f"{base}/api/v1/incidents?limit=5", timeout=30)
                   for _ in range(6)]
        assert all(a.status_code == 200 and a.json()["items"] for a in answers)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                    for pid in children]
        workers = [c for c in commands if "resource_tracker" not in c]
        assert len(workers) == 2, commands
        assert "with 2 worker processes" in log.read_text()
    finally:
        server.terminate()
        server.wait(30)
