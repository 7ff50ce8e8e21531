"""What every command shares: the store it opens, who it acts as, and how it prints."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import typer
from sqlalchemy.orm import Session

from trucewatch.auth.principal import Principal, operator
from trucewatch.auth.service import get_user, principal_for
from trucewatch.config import load_settings
from trucewatch.reports.service import Limits
from trucewatch.storage import Store, open_store

_state: dict[str, str | None] = {"db": None, "as_user": None}


def set_db(url: str | None) -> None:
    _state["db"] = url


def set_as_user(username: str | None) -> None:
    _state["as_user"] = username


def principal(session: Session) -> Principal:
    """Who this command acts as: ``--as USER`` (checked against that user's roles), or the
    operator, who may do only what the access rules grant the operator."""
    username = _state["as_user"]
    if username is None:
        return operator(cli_actor())
    return principal_for(get_user(session, username))


def settings_now() -> Any:
    return load_settings(db=_state["db"])


def limits() -> Limits:
    s = settings_now()
    return Limits(max_attachment_bytes=s.max_attachment_bytes,
                  max_narrative_chars=s.max_narrative_chars)


def store() -> Store:
    """Open the configured store, applying any pending migration first."""
    return open_store(settings_now().db)


@contextmanager
def transaction() -> Iterator[Session]:
    """The whole command is one transaction: on any error nothing is written."""
    st = store()
    try:
        with st.session() as session:
            yield session
    finally:
        st.dispose()


def cli_actor() -> str:
    """Who the log names for changes made from this command line (``--as`` if given)."""
    if _state["as_user"] is not None:
        return f"user:{_state['as_user']}"
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers
        return "cli:unknown"


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    typer.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in cells:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
