"""Arabic in a real browser: the language chosen from the header (no JavaScript needed), pages
laid out right to left, the map still drawn and clickable. Screenshots go to build/ar-*.png."""

from __future__ import annotations

import re

import playwright.sync_api as playwright_api
from tests.web.test_browser_flow import BUILD, CHROMIUM, server  # noqa: F401 — the fixture

from trucewatch.demo.service import DEMO_PASSWORD


def test_arabic_pages_right_to_left_in_the_browser(server: str) -> None:  # noqa: F811
    BUILD.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM),
                                     args=["--no-sandbox", "--headless"])
        errors: list[str] = []
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      locale="en-US")
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        page.goto(server + "/map")
        assert page.locator("html").get_attribute("dir") == "ltr"
        page.click("form.languages button[value=ar]")
        page.wait_for_url(server + "/map")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("h1").inner_text() == "خريطة الحوادث"
        page.wait_for_selector(".leaflet-overlay-pane path")  # zones and basemap drawn
        page.wait_for_selector("#slider-count:has-text('حتى')")  # the clusters came, counted
        page.wait_for_timeout(300)  # the basemap arrives by fetch
        page.screenshot(path=str(BUILD / "ar-map.png"), full_page=True)
        # Right to left: the brand at the right edge, the language form at the left.
        brand = page.locator("header .brand").bounding_box()
        languages = page.locator("form.languages").bounding_box()
        assert brand and languages and brand["x"] > languages["x"]

        page.goto(server + "/sign-in")
        page.fill("input[name=username]", "gov-reporter")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("form.stacked button[type=submit]")
        page.goto(server + "/reports/new")
        assert page.locator("legend").first.inner_text() == "متى"
        page.wait_for_selector("#map path")
        box = page.locator("#map").bounding_box()
        assert box
        page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
        assert page.input_value("#latitude") != ""  # the point picker works right to left
        page.screenshot(path=str(BUILD / "ar-report-form.png"), full_page=True)

        page.goto(server + "/")
        page.click("table.incidents a[href^='/incidents/']")
        page.wait_for_url(re.compile(r"/incidents/\d+$"))
        assert page.locator("h2").first.inner_text().startswith("جولة المراجعة")
        page.screenshot(path=str(BUILD / "ar-incident.png"), full_page=True)
        context.close()

        officer = browser.new_context(viewport={"width": 1280, "height": 900},
                                      locale="ar-SY", extra_http_headers={
                                          "Accept-Language": "ar-SY,ar;q=0.9"})
        page = officer.new_page()
        page.goto(server + "/sign-in")
        assert page.locator("html").get_attribute("lang") == "ar"
        page.fill("input[name=username]", "tr-officer")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("form.stacked button[type=submit]")
        page.wait_for_url(server + "/review")
        assert "قائمة المراجعة" in page.locator("h1").inner_text()
        page.screenshot(path=str(BUILD / "ar-review.png"), full_page=True)
        officer.close()
        browser.close()
    assert errors == []
