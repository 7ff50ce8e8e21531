"""Cleaning a page before analysis: furniture lines dropped (and recorded), one paragraph a line.

Pages lose their punctuation around headlines and captions, so every line is parsed as a
paragraph of its own: a sentence never runs from a headline or a caption into the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Lines that are the page, not the story: ad slots, share bars, bylines of the layout.
FURNITURE = frozenset({
    "advertisement", "advertising", "sponsored", "sponsored content", "share", "share this",
    "share this article", "share on facebook", "share on twitter", "tweet", "email", "e-mail",
    "print", "facebook", "twitter", "whatsapp", "linkedin", "pinterest", "reddit", "copy link",
    "read more", "read next", "related", "related articles", "related stories", "more stories",
    "comments", "show comments", "hide comments", "subscribe", "sign up", "newsletter",
    "skip to content", "skip to main content", "menu", "close", "back to top", "top",
    "most read", "most popular", "trending", "recommended", "listen", "watch", "video",
    "photo", "image", "enlarge", "expand", "loading", "loading...", "cookies",
})
_SHARE_BAR = re.compile(r"^(share|tweet|email|print|facebook|twitter|whatsapp|linkedin|copy link)"
                        r"(\s*[|·•/,]\s*(share|tweet|email|print|facebook|twitter|whatsapp|"
                        r"linkedin|copy link))+$", re.I)
_CREDIT = re.compile(r"^(photo|image|picture)\s*(credit)?\s*:|\((afp|reuters|ap|getty)[^)]*\)$"
                     r"|^(©|copyright\b)", re.I)
_END = re.compile(r"[.!?…:;\"'”’)\]]$")


@dataclass(frozen=True)
class Paragraph:
    text: str
    start: int  # offset of the paragraph in the analysed text
    headline: bool  # a line without closing punctuation: its own sentence


@dataclass(frozen=True)
class Dropped:
    line: str
    start: int
    reason: str

    def as_json(self) -> dict[str, object]:
        return {"line": self.line, "start": self.start, "reason": self.reason}


@dataclass(frozen=True)
class CleanText:
    paragraphs: list[Paragraph]
    dropped: list[Dropped]


def clean(text: str) -> CleanText:
    """Split ``text`` into paragraphs (offsets into ``text``), dropping page furniture and
    repeated lines (a photo caption printed twice), each with the reason."""
    paragraphs: list[Paragraph] = []
    dropped: list[Dropped] = []
    seen: set[str] = set()
    offset = 0
    for raw in text.splitlines(keepends=True):
        start = offset
        offset += len(raw)
        line = raw.strip()
        if not line:
            continue
        start += raw.index(line[0])
        reason = furniture_reason(line)
        key = " ".join(line.casefold().split())
        if reason is None and key in seen:
            reason = "repeated line (a caption or teaser printed again)"
        if reason is not None:
            dropped.append(Dropped(line, start, reason))
            continue
        seen.add(key)
        paragraphs.append(Paragraph(line, start, headline=_END.search(line) is None))
    return CleanText(paragraphs, dropped)


def furniture_reason(line: str) -> str | None:
    """Why ``line`` is page furniture, or None when it is part of the story."""
    key = " ".join(line.casefold().split()).strip(" :|·•-–—")
    if key in FURNITURE:
        return f"page furniture ({key!r})"
    if _SHARE_BAR.match(key):
        return "share bar"
    if _CREDIT.search(line) and len(line) < 120:
        return "picture credit"
    return None
