"""Hostile texts for ingest: the cleaner and the HTML reader never crash and never lose track
of where a line came from, and a text that would break the analysis is refused through the
API with a clear error, storing nothing."""

from __future__ import annotations

from datetime import date
from html import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.api.conftest import Api, api  # noqa: F401  (fixture)
from tests.reliability.scale import scale
from trucewatch.errors import InvalidInput
from trucewatch.ingest.cleaning import clean
from trucewatch.ingest.html import html_to_text
from trucewatch.ingest.models import IngestedText, Proposal
from trucewatch.ingest.service import publication_date
from trucewatch.log.models import LogHead

EXAMPLES = scale(200, 2000)

# Text as pages arrive: any character, and more often the ones that split or pad lines.
LINE_BREAKS = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028",
               "\u2029", " ", "\t", "\u00a0", "\u200b", "\x00"]
texts = st.lists(st.one_of(st.text(max_size=40), st.sampled_from(LINE_BREAKS),
                           st.sampled_from(["Share", "Advertisement", "Photo: AFP",
                                            "Shelling in Ariha.", "شهود عيان"])),
                 max_size=40).map("".join)


@settings(max_examples=EXAMPLES, deadline=None)
@given(texts)
def test_the_cleaner_accounts_for_every_line_at_its_offset(text: str) -> None:
    cleaned = clean(text)
    for item in [*cleaned.paragraphs, *cleaned.dropped]:
        line = item.text if hasattr(item, "text") else item.line  # type: ignore[attr-defined]
        assert line and line == line.strip()
        assert text[item.start:item.start + len(line)] == line
    starts = sorted(p.start for p in [*cleaned.paragraphs, *cleaned.dropped])
    assert len(starts) == len(set(starts))
    assert len(starts) == sum(1 for raw in text.splitlines() if raw.strip())


tags = st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<br>", "<h1>", "</h1>", "<nav>",
                        "</nav>", "<script>", "</script>", "<style>", "</style>", "<!--", "-->",
                        "<title>", "</title>", "<a href='x'>", "</a>", "&amp;", "&#0;", "&#x110000;",
                        "<![CDATA[", "]]>", "<", ">", "&"])


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.one_of(tags, st.text(max_size=20)), max_size=60).map("".join))
def test_html_is_read_whatever_it_holds(html: str) -> None:
    text = html_to_text(html)
    assert text.endswith("\n")
    assert all(line.strip() for line in text.splitlines()[:-1] or [])


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.text(max_size=80))
def test_escaped_markup_comes_back_as_text_and_a_script_never_does(words: str) -> None:
    page = (f"<html><head><title>t</title></head><body><p>{escape(words)}</p>"
            "<script>SECRET_SCRIPT()</script><style>X_STYLE{}</style></body></html>")
    text = html_to_text(page)
    assert "SECRET_SCRIPT" not in text and "X_STYLE" not in text
    assert text.split() == words.split()


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.binary(max_size=200), st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99))
def test_a_date_header_is_a_date_or_a_clear_error(head: bytes, y: int, m: int, d: int) -> None:
    raw = b"DATE: %04d-%02d-%02d\n" % (y, m, d) + head
    try:
        day, how = publication_date(raw, None)
    except InvalidInput as exc:
        assert exc.field == "text" and "DATE:" in str(exc)
        with pytest.raises(ValueError):
            date(y, m, d)
        return
    assert (day, how) == (date(y, m, d), "the text's DATE: header")


@pytest.mark.parametrize("header", ["DATE: 2017-13-45", "DATE: 0000-01-01", "DATE: 2017-02-30"])
def test_a_text_with_an_impossible_date_is_refused_and_nothing_is_stored(
        api: Api, header: str) -> None:  # noqa: F811
    def counts() -> tuple[int, int, int]:
        with api.store.session() as s:
            head = s.get(LogHead, 1)
            return (s.scalar(select(func.count()).select_from(IngestedText)) or 0,
                    s.scalar(select(func.count()).select_from(Proposal)) or 0,
                    head.size if head else 0)

    officer = api.as_("ru-officer")  # its token is a log entry of its own, made first
    before = counts()
    answer = api.client.post("/api/v1/ingest", headers=officer,
                             json={"text": f"{header}\nShelling in Ariha.", "source": "test"})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "DATE:" in answer.text
    assert counts() == before


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.binary(max_size=300))
def test_hostile_bytes_never_break_publication_date(raw: bytes) -> None:
    try:
        day, _ = publication_date(raw, None)
    except InvalidInput as exc:
        assert exc.field == "text"
        return
    assert isinstance(day, date)
