"""Bulletin pictures and PDFs are drawn once per exact input, and afresh when an input changes.

SQLite only: the cache sits between the bulletin's contents (tested on both stores in
test_contents) and the drawing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from trucewatch.auth.principal import PUBLIC
from trucewatch.bulletins import charts, render
from trucewatch.bulletins.cache import BytesCache, digest
from trucewatch.bulletins.contents import Bulletin, build_bulletin
from trucewatch.bulletins.period import period_of
from trucewatch.storage import Store

SQLITE = pytest.mark.parametrize("demo_db_url", ["sqlite"], indirect=True)
JANUARY = period_of("month", "2017-01-15")


@pytest.fixture
def empty_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "PICTURES", BytesCache())
    monkeypatch.setattr(render, "PDFS", BytesCache())


def _bulletin(store: Store) -> Bulletin:
    with store.session() as session:
        return build_bulletin(session, principal=PUBLIC, period=JANUARY)


@SQLITE
def test_the_same_bulletin_built_again_is_not_drawn_again(
        demo_store: Store, tmp_path: Path, empty_caches: None) -> None:
    first = render.pictures(_bulletin(demo_store), data_dir=tmp_path)
    assert (render.PICTURES.misses, render.PICTURES.hits) == (3, 0)
    later = _bulletin(demo_store)  # built afresh: another generated_at, the same contents
    again = render.pictures(later, data_dir=tmp_path)
    assert (render.PICTURES.misses, render.PICTURES.hits) == (3, 3)
    assert again == first
    # What was kept is what drawing those inputs gives.
    assert again["map"] == charts.data_uri(charts.incident_map(
        later, countries=render.basemap.countries(),
        governorates=render.basemap.governorates(tmp_path), labels=_labels()))
    assert again["by_zone"] == charts.data_uri(charts.trend_chart(
        later, by="zone", labels=_labels(), title=render.chart_word("by_zone")))


def _labels() -> dict[str, str]:
    from trucewatch.bulletins.contents import NOT_ATTRIBUTED, OUTSIDE
    from trucewatch.web import words

    found = {s: words.word(s) for s in ("confirmed", "not_confirmed", "disputed", "open",
                                         "under_review", "closed")}
    return found | {OUTSIDE: render.chart_word(OUTSIDE),
                    NOT_ATTRIBUTED: render.chart_word(NOT_ATTRIBUTED),
                    "others": render.chart_word("others"), "daily": render.chart_word("daily")}


@SQLITE
def test_a_changed_input_is_drawn_afresh(demo_store: Store, tmp_path: Path,
                                         empty_caches: None) -> None:
    bulletin = _bulletin(demo_store)
    assert bulletin.entries, "the demo's January has published incidents"
    first = render.pictures(bulletin, data_dir=tmp_path)
    entry = bulletin.entries[0]
    moved = replace(bulletin, entries=[replace(entry, status="disputed" if entry.status !=
                                               "disputed" else "confirmed"),
                                       *bulletin.entries[1:]])
    second = render.pictures(moved, data_dir=tmp_path)
    assert second["map"] != first["map"]  # the point's colour and the legend changed
    assert second["by_zone"] == first["by_zone"]  # the trend did not
    shifted = replace(bulletin, period=replace(bulletin.period,
                                               first=bulletin.period.first + timedelta(days=1)))
    assert render.pictures(shifted, data_dir=tmp_path)["by_zone"] != first["by_zone"]
    # In another language the words on the pictures differ, so they are other pictures.
    render.i18n.use("ru")
    try:
        russian = render.pictures(bulletin, data_dir=tmp_path)
    finally:
        render.i18n.use("en")
    assert russian["by_zone"] != first["by_zone"]


@SQLITE
def test_the_same_html_is_printed_once(demo_store: Store, tmp_path: Path,
                                       empty_caches: None) -> None:
    html = render.render_html(_bulletin(demo_store), data_dir=tmp_path)
    pdf = render.render_pdf(html)
    assert render.render_pdf(html) is pdf
    assert (render.PDFS.misses, render.PDFS.hits) == (1, 1)
    other = render.render_pdf(html.replace("Public edition", "Public edition, reprinted"))
    assert other != pdf and render.PDFS.misses == 2


def test_the_cache_keeps_at_most_its_bytes_least_recent_out() -> None:
    cache = BytesCache(max_bytes=10)
    made: list[str] = []

    def maker(key: str, size: int):  # type: ignore[no-untyped-def]
        def make() -> bytes:
            made.append(key)
            return key.encode() * size
        return make

    cache.get_or_make("a", maker("a", 4))
    cache.get_or_make("b", maker("b", 4))
    cache.get_or_make("a", maker("a", 4))  # a is now the most recent
    cache.get_or_make("c", maker("c", 4))  # 12 bytes: b, the least recent, goes
    cache.get_or_make("a", maker("a", 4))
    cache.get_or_make("b", maker("b", 4))
    assert made == ["a", "b", "c", "b"]
    assert cache.get_or_make("huge", maker("h", 11)) == b"h" * 11  # too big: made, not kept
    assert cache.get_or_make("huge", maker("h", 11)) == b"h" * 11
    assert made[-2:] == ["h", "h"]


def test_the_digest_tells_apart_what_json_would_confuse() -> None:
    assert digest([1.0]) != digest([1])  # float and integer
    assert digest({"a": 1, "b": 2}) == digest({"b": 2, "a": 1})  # key order does not count
    assert digest(None, "x") != digest("x", None)
