"""A bulletin as one self-contained HTML document, and as PDF (WeasyPrint).

The same template part (``web/templates/_bulletin.html``) serves the web page and the
printed document, in the reader's language (``web/i18n.py``). PDF is rendered by
WeasyPrint, a Python package over Pango: no browser and no network (docs/bulletins.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from trucewatch.bulletins.cache import BytesCache, digest
from trucewatch.bulletins.contents import NOT_ATTRIBUTED, OUTSIDE, Bulletin, Edition
from trucewatch.web import basemap, i18n, words
from trucewatch.web.bulletin_words import chart_word

WEB = Path(__file__).resolve().parents[1] / "web"
STYLESHEET = WEB / "static" / "bulletin.css"  # served to the page, inlined in print


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(WEB / "templates"),
                      autoescape=select_autoescape(["html"]))
    i18n.install(env)
    env.filters["word"] = words.word
    env.filters["category"] = words.category
    return env


_ENV = _environment()


PICTURES = BytesCache()  # PNGs by the digest of what each one draws
PDFS = BytesCache()  # PDFs by the digest of their HTML


def pictures(bulletin: Bulletin, *, data_dir: str | Path) -> dict[str, str]:
    """The map and the two trend charts, as ``data:`` URIs, with words in the reader's
    language; each drawn once for the exact inputs it shows (:mod:`bulletins.cache`)."""
    from trucewatch.bulletins import charts  # matplotlib: the ``bulletins`` extra

    labels = {s: words.word(s) for s in ("confirmed", "not_confirmed", "disputed", "open",
                                          "under_review", "closed")}
    labels |= {OUTSIDE: chart_word(OUTSIDE), NOT_ATTRIBUTED: chart_word(NOT_ATTRIBUTED),
               "others": chart_word("others"), "daily": chart_word("daily")}
    outlines = basemap.governorates(data_dir)
    placed = [(e.longitude, e.latitude, e.status) for e in bulletin.entries]
    zones = [(z.name, z.geometry) for z in bulletin.zones]
    found = {"map": PICTURES.get_or_make(
        digest("map", placed, zones, outlines, labels),
        lambda: charts.incident_map(bulletin, countries=basemap.countries(),
                                    governorates=outlines, labels=labels))}
    trend = bulletin.trend
    for by in ("zone", "party"):
        title = chart_word(f"by_{by}")

        def draw(by: str = by, title: str = title) -> bytes:
            return charts.trend_chart(bulletin, by=by, labels=labels, title=title)

        found[f"by_{by}"] = PICTURES.get_or_make(
            digest("trend", by, title, labels, trend.days, trend.by_zone, trend.by_party,
                   bulletin.period.first, bulletin.period.last), draw)
    return {name: charts.data_uri(png) for name, png in found.items()}


def full_list(bulletin: Bulletin, *, base_url: str = "") -> dict[str, str]:
    """Where the complete list of the bulletin's incidents is: the page's link, the command."""
    p, edition = bulletin.period, bulletin.edition.value
    query = f"period={p.kind.value}&date={p.first.isoformat()}&edition={edition}"
    command = (f"trucewatch bulletin --period {p.kind.value} --date {p.first.isoformat()} "
               f"--format csv --out FILE")
    if bulletin.edition is Edition.GUARANTOR:
        command += " --edition guarantor"
    return {"url": f"{base_url}/bulletins.csv?{query}",
            "geojson": f"{base_url}/bulletins.geojson?{query}", "command": command}


def context(bulletin: Bulletin, *, data_dir: str | Path, base_url: str = "") -> dict[str, Any]:
    return {"bulletin": bulletin, "pictures": pictures(bulletin, data_dir=data_dir),
            "outside": OUTSIDE, "not_attributed": NOT_ATTRIBUTED,
            "full_list": full_list(bulletin, base_url=base_url)}


def render_html(bulletin: Bulletin, *, data_dir: str | Path, language: str = i18n.DEFAULT,
                base_url: str = "") -> str:
    """The bulletin as a standalone HTML document (its style inline, its pictures embedded);
    ``base_url`` makes the link to the complete list absolute (a PDF has no page to be
    relative to)."""
    i18n.use(language)
    return _ENV.get_template("bulletin_print.html").render(
        **context(bulletin, data_dir=data_dir, base_url=base_url), language=i18n.current(),
        direction=i18n.direction(i18n.current()), stylesheet=STYLESHEET.read_text())


def render_pdf(html: str) -> bytes:
    """The HTML document printed to PDF by WeasyPrint (A4, the page rules of the stylesheet);
    the same HTML is printed once (:mod:`bulletins.cache`)."""
    def pdf() -> bytes:
        import weasyprint

        printed: bytes = weasyprint.HTML(string=html, base_url=str(WEB)).write_pdf()
        return printed

    return PDFS.get_or_make(digest("pdf", html), pdf)
