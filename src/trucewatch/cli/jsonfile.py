"""Read JSON input files for commands that take ``--json FILE``."""

from __future__ import annotations

import base64
import binascii
import json
import sys
from pathlib import Path
from typing import Any

from trucewatch.errors import InvalidInput


def read_json(path: str) -> Any:
    """Parse ``path`` (or ``-`` for standard input); a malformed file names line and column."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"no such file: {path}", field="json") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}", field="json") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno} "
                           f"column {exc.colno}", field="json") from None


def load_attachments(item: dict[str, Any], base: Path, *, prefix: str) -> dict[str, Any]:
    """Replace each attachment's ``path`` or ``content_base64`` with its bytes."""
    attachments = item.get("attachments")
    if not attachments:
        return item
    if not isinstance(attachments, list):
        raise InvalidInput("must be a list", field=f"{prefix}attachments")
    loaded = []
    for i, att in enumerate(attachments):
        field = f"{prefix}attachments.{i}"
        if not isinstance(att, dict):
            raise InvalidInput("must be an object with filename and path or content_base64",
                               field=field)
        if "path" in att:
            file = base / str(att["path"])
            content = read_attachment(file, field=f"{field}.path")
            name = att.get("filename", file.name)
        elif "content_base64" in att:
            try:
                content = base64.b64decode(str(att["content_base64"]), validate=True)
            except (binascii.Error, ValueError):
                raise InvalidInput("not valid base64", field=f"{field}.content_base64") from None
            name = att.get("filename", "")
        else:
            raise InvalidInput("give path or content_base64", field=field)
        loaded.append({"filename": name, "content": content})
    return {**item, "attachments": loaded}


def read_attachment(file: Path, *, field: str, max_bytes: int | None = None) -> bytes:
    try:
        if max_bytes is not None and file.stat().st_size > max_bytes:
            raise InvalidInput(f"{file.name} is {file.stat().st_size} bytes; the limit is "
                               f"{max_bytes}", field=field)
        return file.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"no such file: {file}", field=field) from None
    except IsADirectoryError:
        raise InvalidInput(f"{file} is a directory", field=field) from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc}", field=field) from None
