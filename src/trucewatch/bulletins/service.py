"""Everything a bulletin can do, for the CLI and the pages: build it, render HTML, print PDF,
list its incidents as CSV or GeoJSON."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from trucewatch.auth.principal import Principal
from trucewatch.bulletins.contents import Bulletin, Edition, build_bulletin
from trucewatch.bulletins.listing import listing
from trucewatch.bulletins.period import Period, PeriodKind, period_of
from trucewatch.bulletins.render import render_html, render_pdf
from trucewatch.errors import InvalidInput

__all__ = ["Bulletin", "Edition", "Period", "PeriodKind", "build_bulletin", "bulletin_document",
           "edition_of", "listing", "period_of", "render_html", "render_pdf"]

FORMATS = ("html", "pdf", "csv", "geojson")


def edition_of(value: str) -> Edition:
    try:
        return Edition(value)
    except ValueError:
        raise InvalidInput(f"{value!r}: the edition is public or guarantor",
                           field="edition") from None


def bulletin_document(session: Session, *, principal: Principal, period: Period,
                      edition: Edition, format: str, data_dir: str | Path,
                      language: str = "en", base_url: str = "") -> bytes:
    """The bulletin as the bytes of an HTML or PDF file, or its complete list of incidents
    as CSV or GeoJSON; ``base_url`` is where the server that serves that list is."""
    if format not in FORMATS:
        raise InvalidInput(f"{format!r}: the format is html, pdf, csv or geojson",
                           field="format")
    bulletin = build_bulletin(session, principal=principal, period=period, edition=edition,
                              data_dir=data_dir)
    if format in ("csv", "geojson"):
        return "".join(listing(bulletin, format=format)).encode()
    html = render_html(bulletin, data_dir=data_dir, language=language, base_url=base_url)
    return html.encode() if format == "html" else render_pdf(html)
