"""docs/openapi.json and the route table of docs/api.md are the app's; regenerate with
``python scripts/gen_openapi.py``."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from fastapi.routing import APIRoute

from trucewatch.api import (
    PREFIX,
    actors,
    incidents,
    log,
    publication,
    reports,
    rounds,
    router,
    talks,
    truces,
    users,
)

MODULES = (actors, truces, reports, incidents, rounds, publication, log, users, talks)

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_openapi", ROOT / "scripts" / "gen_openapi.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_openapi", module)
    spec.loader.exec_module(module)
    return module


gen = _generator()


def test_openapi_document_is_current() -> None:
    doc = gen.openapi_document()
    assert json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8")) == doc, \
        "docs/openapi.json is stale: run python scripts/gen_openapi.py"


def test_every_route_is_in_docs_api_md() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert gen.render_api_md(text, gen.openapi_document()) == text, \
        "docs/api.md's route table is stale: run python scripts/gen_openapi.py"
    documented = {(m, p) for m, p, _, _ in gen.routes(gen.openapi_document())}
    served = {(method, route.path) for route in _routes(router.routes)
              for method in route.methods}
    for module in MODULES:  # the routers api/__init__.py includes under its prefix
        served |= {(method, PREFIX + route.path) for route in _routes(module.router.routes)
                   for method in route.methods}
    assert len(served) > len(MODULES) and served <= documented
    for method, path in served:
        assert f"| {method} | `{path}` |" in text


def _routes(routes: list) -> list[APIRoute]:  # type: ignore[type-arg]
    found: list[APIRoute] = []
    for r in routes:
        if isinstance(r, APIRoute):
            found.append(r)
    return found
