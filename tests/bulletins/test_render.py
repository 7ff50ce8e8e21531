"""The bulletin as HTML and PDF, through the function, the command line and the pages.

Rendering is the same on both stores (the contents are tested on both in test_contents),
so these run on SQLite only. The PDF is looked at through ``pdftoppm`` (poppler-utils).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import weasyprint
from matplotlib import image

from tests.cli.test_cli import Cli
from tests.web.conftest import client_for, sign_in
from trucewatch.auth.principal import PUBLIC
from trucewatch.bulletins.contents import CasualtyRange, Dissent, build_bulletin
from trucewatch.bulletins.period import period_of
from trucewatch.bulletins.render import render_html, render_pdf
from trucewatch.bulletins.summary import summarise
from trucewatch.storage import Store

SQLITE = pytest.mark.parametrize("demo_db_url", ["sqlite"], indirect=True)
JANUARY = period_of("month", "2017-01-15")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _public_html(store: Store, tmp_path: Path, language: str = "en") -> str:
    with store.session() as session:
        bulletin = build_bulletin(session, principal=PUBLIC, period=JANUARY)
    return render_html(bulletin, data_dir=tmp_path, language=language)


@SQLITE
def test_the_html_is_one_file_with_every_part(demo_store: Store, tmp_path: Path) -> None:
    html = _public_html(demo_store, tmp_path)
    for part in ("Headline figures", "Reports received", "Incidents confirmed", "Map",
                 "Daily trend", "Confirmed incidents (1)", "Disputed incidents (0)",
                 "Talks calendar", "Astana", "Public edition"):
        assert part in html, part
    assert html.count('src="data:image/png;base64,') == 3  # map and two trend charts
    assert "http://" not in html and "https://" not in html  # nothing to fetch
    arabic = _public_html(demo_store, tmp_path, "ar")
    assert 'dir="rtl"' in arabic and "<th>المكان</th>" in arabic  # "Venue", in Arabic


@SQLITE
def test_the_pdf_has_pages_that_are_not_blank(demo_store: Store, tmp_path: Path) -> None:
    html = _public_html(demo_store, tmp_path)
    assert len(weasyprint.HTML(string=html).render().pages) >= 2
    pdf = render_pdf(html)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    if shutil.which("pdftoppm") is None:
        if IN_CI:
            pytest.fail("pdftoppm (poppler-utils) is missing: .ci/run installs it")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    (tmp_path / "b.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(tmp_path / "b.pdf"),
                    str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2  # the figures and the map, then the charts and the tables
    first = image.imread(str(pages[0]))
    assert first.shape[0] > first.shape[1]  # A4 portrait
    assert first.std() > 0.05  # text and the map, not an empty page


@SQLITE
def test_the_command_writes_either_edition_to_whom_may_read_it(demo_db_url: str,
                                                               capsys: pytest.CaptureFixture[str],
                                                               tmp_path: Path) -> None:
    cli = Cli(demo_db_url, capsys)
    out = tmp_path / "b.html"
    code, said, err = cli("bulletin", "--period", "month", "--date", "2017-01-15",
                          "--format", "html", "--out", str(out))
    assert code == 0 and "wrote" in said, err
    assert "Public edition" in out.read_text() and "not published" not in out.read_text()
    code, _, err = cli("--as", "ru-officer", "bulletin", "--period", "month", "--date",
                       "2017-01-15", "--format", "html", "--out", str(out), "--edition",
                       "guarantor")
    assert code == 0, err
    assert "Guarantor edition" in out.read_text() and "not published" in out.read_text()
    out.unlink()
    for who in ("opp-reporter", "gov-reporter", "admin"):
        code, _, err = cli("--as", who, "bulletin", "--date", "2017-01-15", "--format", "html",
                           "--out", str(out), "--edition", "guarantor")
        assert code == 2 and "bulletin.guarantor_edition" in err, (who, err)
        assert not out.exists()
    code, _, err = cli("bulletin", "--date", "2017-01-15", "--format", "docx", "--out", str(out))
    assert code == 2 and "format" in err


@SQLITE
def test_the_page_and_its_pdf(demo_store: Store) -> None:
    web = client_for(demo_store)
    page = web.get("/bulletins", params={"period": "month", "date": "2017-01-15"})
    assert page.status_code == 200 and "Confirmed incidents (1)" in page.text
    assert "not published" not in page.text and 'name="edition"' not in page.text
    refused = web.get("/bulletins", params={"period": "month", "date": "2017-01-15",
                                            "edition": "guarantor"})
    assert refused.status_code == 403 and "not published" not in refused.text
    assert web.get("/bulletins.pdf", params={"date": "2017-01-15",
                                             "edition": "guarantor"}).status_code == 403
    sign_in(web, "ru-officer")
    page = web.get("/bulletins", params={"period": "month", "date": "2017-01-15",
                                         "edition": "guarantor"})
    assert page.status_code == 200 and "Disputed incidents (1)" in page.text
    assert "not published" in page.text and 'name="edition"' in page.text
    pdf = web.get("/bulletins.pdf", params={"period": "week", "date": "2017-01-15"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


@SQLITE
def test_the_bulletin_says_what_it_covers_and_where_the_complete_list_is(
        demo_store: Store, tmp_path: Path) -> None:
    with demo_store.session() as session:
        bulletin = build_bulletin(session, principal=PUBLIC, period=JANUARY)
    html = render_html(bulletin, data_dir=tmp_path, base_url="https://monitor.example")
    assert len(bulletin.entries) == 1 and "This bulletin covers 1 incident that began" in html
    assert "It names every confirmed and disputed incident." in html
    link = "https://monitor.example/bulletins.csv?period=month&amp;date=2017-01-01&amp;edition=public"
    assert f'href="{link}"' in html
    assert "--format csv --out FILE" in html and "--edition guarantor" not in html
    for part in ("Week by week", "Where and what", "Escalation alerts", "Responsible party"):
        assert part in html, part


@SQLITE
def test_the_complete_list_from_the_command_and_the_page_under_the_edition_rule(
        demo_db_url: str, demo_store: Store, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    cli = Cli(demo_db_url, capsys)
    out = tmp_path / "list.csv"
    code, said, err = cli("bulletin", "--period", "month", "--date", "2017-01-15",
                          "--format", "csv", "--out", str(out))
    assert code == 0, err
    public_rows = out.read_text().splitlines()
    assert public_rows[0].startswith("id,date,title") and "false" not in out.read_text()
    code, _, err = cli("--as", "ru-officer", "bulletin", "--period", "month", "--date",
                       "2017-01-15", "--format", "geojson", "--out", str(out), "--edition",
                       "guarantor")
    assert code == 0, err
    assert len(json.loads(out.read_text())["features"]) > len(public_rows) - 1
    web = client_for(demo_store)
    listed = web.get("/bulletins.csv", params={"period": "month", "date": "2017-01-15"})
    assert listed.status_code == 200 and listed.headers["content-type"].startswith("text/csv")
    assert listed.text.splitlines() == public_rows
    assert "bulletin-month-2017-01-01-public.csv" in listed.headers["content-disposition"]
    for suffix in ("csv", "geojson"):
        refused = web.get(f"/bulletins.{suffix}", params={"period": "month",
                                                          "date": "2017-01-15",
                                                          "edition": "guarantor"})
        assert refused.status_code == 403
    sign_in(web, "ru-officer")
    page = web.get("/bulletins", params={"period": "month", "date": "2017-01-15",
                                         "edition": "guarantor"})
    assert 'href="/bulletins.csv?period=month&amp;date=2017-01-01&amp;edition=guarantor"' in page.text
    geo = web.get("/bulletins.geojson", params={"period": "month", "date": "2017-01-15",
                                                "edition": "guarantor"})
    assert geo.status_code == 200 and geo.json()["type"] == "FeatureCollection"


@SQLITE
def test_a_month_of_thousands_of_incidents_prints_a_few_pages(demo_store: Store,
                                                              tmp_path: Path) -> None:
    """The tables count them all, the lists name 25 of each: the PDF stays short."""
    with demo_store.session() as session:
        demo = build_bulletin(session, principal=PUBLIC, period=JANUARY)
    many = [replace(demo.entries[0], id=100_000 + i, day=date(2017, 1, 1 + i % 31),
                    status=("confirmed", "disputed", "not_confirmed")[i % 3],
                    casualties=(CasualtyRange("killed", i % 5, i % 5, i % 5 + 2),),
                    dissents=(Dissent("iran", "not_violation"),) if i % 3 == 1 else ())
            for i in range(3000)]
    big = replace(demo, entries=many, summary=summarise(many, history=many,
                                                        since=date(2016, 11, 27),
                                                        period=JANUARY))
    html = render_html(big, data_dir=tmp_path)
    assert "This bulletin covers 3000 incidents" in html and "The 25 of 1000" in html
    assert "it names 25 of the 1000 confirmed and 25 of the 1000 disputed incidents" in html
    assert html.count("<tr><td>1") == 25  # the named confirmed incidents (ids 100000…)
    assert html.count('<li><strong>#1') == 25  # the named disputed ones
    document = weasyprint.HTML(string=html).render()
    assert len(document.pages) <= 6
