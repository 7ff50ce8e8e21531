"""The signed session cookie of the pages: who is signed in, the CSRF token, one-shot messages.

The cookie holds a small JSON object signed with a secret the server keeps in its keys
directory (``web-session.secret``, made on first use). It is ``HttpOnly``, ``SameSite=Strict``
and ``Secure`` (browsers accept a secure cookie from ``http://127.0.0.1`` and
``http://localhost``; anywhere else serve the pages over HTTPS).
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "trucewatch_session"
MAX_AGE = 12 * 3600  # a working day; sign in again after it
SECRET_FILE = "web-session.secret"
CSRF_FIELD = "csrf_token"


def load_secret(keys_dir: str | Path) -> str:
    """The server's session secret, created (mode 0600) the first time it is needed."""
    directory = Path(keys_dir)
    path = directory / SECRET_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    directory.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # Written whole under a name of its own, then linked into place: a worker starting at the
    # same moment reads either no file or the whole secret, never an empty one being written.
    draft = directory / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(8)}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secret)
        os.link(draft, path)
    except FileExistsError:  # another worker made it first
        return path.read_text().strip()
    finally:
        draft.unlink()
    return secret


class WebSession:
    """The session of one request; ``save`` writes the cookie when something changed."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.changed = False

    @classmethod
    def load(cls, request: Request, serializer: URLSafeTimedSerializer) -> WebSession:
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                data = serializer.loads(raw, max_age=MAX_AGE)
                if isinstance(data, dict):
                    return cls(data)
            except (BadSignature, json.JSONDecodeError):
                pass
        return cls({})

    @property
    def username(self) -> str | None:
        value = self.data.get("user")
        return value if isinstance(value, str) else None

    def sign_in(self, username: str) -> None:
        """A fresh session (and CSRF token) for the user, so a planted one is never kept;
        the language chosen before signing in stays."""
        self.data = {**self._language(), "user": username, "csrf": secrets.token_urlsafe(32)}
        self.changed = True

    def sign_out(self) -> None:
        self.data = self._language()
        self.changed = True

    def choose_language(self, code: str) -> None:
        self.data["lang"] = code
        self.changed = True

    def _language(self) -> dict[str, Any]:
        return {"lang": self.data["lang"]} if isinstance(self.data.get("lang"), str) else {}

    def csrf_token(self) -> str:
        token = self.data.get("csrf")
        if not isinstance(token, str):
            token = secrets.token_urlsafe(32)
            self.data["csrf"] = token
            self.changed = True
        return token

    def csrf_valid(self, submitted: str | None) -> bool:
        token = self.data.get("csrf")
        return (isinstance(token, str) and isinstance(submitted, str)
                and hmac.compare_digest(token.encode(), submitted.encode()))

    def flash(self, kind: str, text: str) -> None:
        self.data.setdefault("flash", []).append([kind, text])
        self.changed = True

    def take_flashes(self) -> list[tuple[str, str]]:
        items = self.data.pop("flash", [])
        if items:
            self.changed = True
        return [(str(k), str(t)) for k, t in items]

    def save(self, response: Response, serializer: URLSafeTimedSerializer) -> None:
        if not self.changed:
            return
        if not self.data:
            response.delete_cookie(COOKIE, path="/", secure=True, httponly=True,
                                   samesite="strict")
            return
        response.set_cookie(COOKIE, serializer.dumps(self.data), max_age=MAX_AGE, path="/",
                            secure=True, httponly=True, samesite="strict")


def serializer_for(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="trucewatch.web.session")
