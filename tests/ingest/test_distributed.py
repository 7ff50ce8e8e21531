"""The same ingestion on a local Dask cluster of two worker processes: the workers' analyses
equal the local ones, and are stored one log entry a text, on both stores."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from trucewatch.auth.principal import operator
from trucewatch.cli.main import app
from trucewatch.ingest.distributed import analyse_on_cluster, cluster_client
from trucewatch.ingest.service import analyse_text, store_extracted
from trucewatch.storage import Store

SHARED = Path(__file__).resolve().parents[3] / "shared"
TEXTS = [SHARED / "seed" / "000_94fa457a95864067.txt",
         SHARED / "data" / "news" / "uk_fco_ellwood_ceasefire_violations_2017-01.txt",
         SHARED / "data" / "news" / "centcom_strike_release_2017-01-09.txt"]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with cluster_client("local:2") as found:
        assert len(found.scheduler_info()["workers"]) == 2
        yield found


def test_two_workers_analyse_as_one_process_does(store: Store, client: Any) -> None:
    raws = [(p.read_bytes(), p.name, date(2017, 1, 26) if "seed" in str(p) else None)
            for p in TEXTS]
    with store.session() as s:
        analysed = analyse_on_cluster(s, client, raws)
        local = [analyse_text(s, raw=raw, source=name, published=day).as_json()
                 for raw, name, day in raws]
        assert [a["proposals"] for a in analysed] == [b["proposals"] for b in local]
        assert analysed[2]["published"] == "2017-01-09"  # the DATE: header line
        stored = [store_extracted(s, principal=operator("test"), raw=raw, extracted=view,
                                  text=view["text"]) for (raw, _n, _d), view in
                  zip(raws, analysed, strict=True)]
        assert [len(x.proposals) for x in stored] == [len(a["proposals"]) for a in analysed]


def test_the_command_runs_on_a_cluster(db_url: str, client: Any,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    # The command joins the running cluster by its scheduler's address (``local:2``, which
    # starts one, is what the ``client`` fixture goes through).
    address = client.scheduler.address
    assert address.startswith("tcp://")
    with pytest.raises(SystemExit) as done:
        app(["--db", db_url, "ingest", str(TEXTS[0]), str(TEXTS[1]), "--published",
             "2017-01-26", "--dask", address, "--json"])
    assert done.value.code in (0, None)
    views = json.loads(capsys.readouterr().out)
    assert [v["source"] for v in views] == [TEXTS[0].name, TEXTS[1].name]
    assert all(isinstance(p["id"], int) for v in views for p in v["proposals"])
    ended = [p for p in views[0]["proposals"] if p["kind"] == "event"
             and p["payload"]["type"]["kind"] == "talks_ended"]
    assert [d["from"] for d in ended[0]["payload"]["dates"]] == ["2017-01-24"]
