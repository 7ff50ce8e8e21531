"""Generate docs/openapi.json and the route table of docs/api.md from the app, or check them.

    python scripts/gen_openapi.py          rewrite both
    python scripts/gen_openapi.py --check  exit 1, naming each stale file, if either differs
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OPENAPI = ROOT / "docs" / "openapi.json"
API_MD = ROOT / "docs" / "api.md"
BEGIN, END = "<!-- gen_openapi:routes -->", "<!-- /gen_openapi -->"
METHODS = ("get", "post", "put", "patch", "delete")


def openapi_document() -> dict[str, Any]:
    from trucewatch.app import create_app
    from trucewatch.storage import open_store

    store = open_store("sqlite://")
    try:
        return create_app(store).openapi()
    finally:
        store.dispose()


def render_openapi(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def routes(doc: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """``(method, path, tag, summary)`` of every operation, in document order."""
    found = []
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                op = item[method]
                summary = (op.get("description") or op.get("summary") or "").split("\n\n")[0]
                found.append((method.upper(), path, (op.get("tags") or [""])[0],
                              " ".join(summary.split())))
    return found


def render_routes(doc: dict[str, Any]) -> str:
    lines = [BEGIN, "| method | path | concept | what it does |", "|---|---|---|---|"]
    for method, path, tag, summary in routes(doc):
        lines.append(f"| {method} | `{path}` | {tag} | {summary.replace('|', chr(92) + '|')} |")
    return "\n".join(lines + [END])


def render_api_md(current: str, doc: dict[str, Any]) -> str:
    block = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    if not block.search(current):
        raise SystemExit(f"{API_MD}: no {BEGIN} … {END} block")
    return block.sub(lambda _: render_routes(doc), current)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    doc = openapi_document()
    pages = {OPENAPI: render_openapi(doc),
             API_MD: render_api_md(API_MD.read_text(encoding="utf-8"), doc)}
    stale = [p for p, text in pages.items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for p in stale:
            print(f"stale: {p.relative_to(ROOT)} (run python scripts/gen_openapi.py)")
        return 1 if stale else 0
    for p in stale:
        p.write_text(pages[p], encoding="utf-8")
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
