"""Check attachments (name, size, real type) and store their bytes once per SHA-256."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import filetype
from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.errors import InvalidInput
from trucewatch.reports.models import AttachmentBlob

ALLOWED_TYPES = frozenset({
    "image/jpeg", "image/png", "image/webp", "image/gif", "image/heic",
    "video/mp4", "video/quicktime", "video/webm",
    "audio/mpeg", "audio/ogg", "audio/x-wav", "audio/mp4",
    "application/pdf", "text/plain",
})
_SAFE_NAME = re.compile(r"^[^/\\\x00-\x1f\x7f]+$")


@dataclass(frozen=True)
class CheckedAttachment:
    filename: str
    content: bytes
    sha256: str
    media_type: str


def check_attachment(filename: str, content: bytes, *, max_bytes: int,
                     field: str = "attachments") -> CheckedAttachment:
    if not _SAFE_NAME.match(filename) or filename in (".", "..") or filename.startswith(".."):
        raise InvalidInput(f"{filename!r} is not a plain file name", field=f"{field}.filename")
    if not content:
        raise InvalidInput(f"{filename} is empty", field=f"{field}.content")
    if len(content) > max_bytes:
        raise InvalidInput(f"{filename} is {len(content)} bytes; the limit is {max_bytes}",
                           field=f"{field}.content")
    media_type = detect_media_type(content)
    if media_type not in ALLOWED_TYPES:
        raise InvalidInput(f"{filename} is {media_type or 'of an unknown type'}; allowed: "
                           + ", ".join(sorted(ALLOWED_TYPES)), field=f"{field}.content")
    return CheckedAttachment(filename, content, hashlib.sha256(content).hexdigest(), media_type)


def detect_media_type(content: bytes) -> str | None:
    """The type the bytes say they are (magic numbers); UTF-8 text with no NUL is text/plain."""
    kind = filetype.guess(content)
    if kind is not None:
        return str(kind.mime)
    if b"\x00" not in content:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/plain"
    return None


def store_blob(session: Session, attachment: CheckedAttachment) -> None:
    exists = session.scalar(
        select(AttachmentBlob.sha256).where(AttachmentBlob.sha256 == attachment.sha256))
    if exists is None:
        session.add(AttachmentBlob(sha256=attachment.sha256, size=len(attachment.content),
                                   media_type=attachment.media_type, content=attachment.content))
