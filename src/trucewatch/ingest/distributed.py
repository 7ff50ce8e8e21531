"""Ingestion of corpora larger than one process: the analysis (pure) runs on Dask workers,
a local cluster or a scheduler's address; the results are stored here, one text a log entry.

Each worker loads the pipeline and the gazetteer once and keeps them; the registry and the
places travel with each task as plain data, so workers need no database.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from trucewatch.auth.principal import Principal
from trucewatch.ingest.extraction import extract
from trucewatch.ingest.gazetteer import Gazetteer, Place, geonames
from trucewatch.ingest.pipeline import load_pipeline
from trucewatch.ingest.places import own_places
from trucewatch.ingest.registry import Registry, load_registry
from trucewatch.ingest.service import patterns, publication_date


@functools.lru_cache(maxsize=4)
def _gazetteer(places: tuple[tuple[str, Place], ...]) -> Gazetteer:
    return geonames().with_places(list(places))


def analyse_plain(raw: bytes, source: str, published: date, registry: Registry,
                  places: tuple[tuple[str, Place], ...]) -> dict[str, Any]:
    """What a worker does: the analysis of one text, as plain data (``Extraction.as_json``)."""
    pipeline = load_pipeline(patterns(registry, list(places)))
    return extract(raw, source=source, published=published, registry=registry,
                   gazetteer=_gazetteer(places), pipeline=pipeline).as_json()


@contextmanager
def cluster_client(address: str) -> Iterator[Any]:
    """A Dask client: ``local:N`` starts a local cluster of N worker processes (one thread
    each); anything else is a scheduler's address (``tcp://host:8786``)."""
    from distributed import Client, LocalCluster

    if address.startswith("local:"):
        with LocalCluster(n_workers=int(address.split(":", 1)[1]), threads_per_worker=1,
                          processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            yield client
    else:
        with Client(address) as client:
            yield client


def analyse_on_cluster(session: Session, client: Any,
                       texts: Sequence[tuple[bytes, str, date | None]]) -> list[dict[str, Any]]:
    """Analyse ``(raw, source, published)`` texts on the client's workers, in order."""
    registry = load_registry(session)
    places = tuple(own_places(session))
    shared_registry, shared_places = client.scatter([registry, places], broadcast=True)
    futures = [client.submit(analyse_plain, raw, source, publication_date(raw, published)[0],
                             shared_registry, shared_places, pure=False)
               for raw, source, published in texts]
    return list(client.gather(futures))


def principal_may_ingest(principal: Principal) -> None:
    from trucewatch.auth.policy import Action, require

    require(principal, Action.INGEST)
