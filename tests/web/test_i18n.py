"""The pages in English, Arabic, Russian and Turkish: every string translated, catalogues
compiled, the language chosen per reader and kept in the session, Arabic right to left."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from tests.web.conftest import client_for, csrf, sign_in

from trucewatch.storage import Store
from trucewatch.web import i18n

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[sd]")
Client = Callable[[str], TestClient]


def _script() -> ModuleType:
    """scripts/update_catalogues.py, imported by path (scripts/ is not a package)."""
    path = ROOT / "scripts" / "update_catalogues.py"
    spec = importlib.util.spec_from_file_location("update_catalogues", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _script()


def _catalogue(language: str) -> Catalog:
    path = i18n.LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        return read_po(f, locale=language)


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(1) or "%s" for m in PLACEHOLDER.finditer(text.replace("%%", "")))


@pytest.mark.parametrize("language", ["ar", "ru", "tr"])
def test_every_string_of_the_templates_and_views_is_translated(script: ModuleType,
                                                               language: str) -> None:
    extracted = script.extracted()
    assert len(extracted) > 300  # the extractor found the templates and the views
    catalogue = _catalogue(language)
    problems = []
    for message in extracted:
        if not message.id:
            continue
        found = catalogue.get(message.id, message.context)
        name = message.id if isinstance(message.id, str) else message.id[0]
        where = ", ".join(f for f, _line in message.locations)
        if found is None:
            problems.append(f"not in {language}.po: {name!r} ({where})")
            continue
        forms = found.string if isinstance(found.string, tuple) else (found.string,)
        if found.fuzzy or not all(forms):
            problems.append(f"untranslated in {language}.po: {name!r} ({where})")
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set().union(*(_placeholders(i) for i in ids))
        for form in forms:
            got = _placeholders(form)
            exact = not isinstance(message.id, tuple)  # a plural form may say "one" in words
            if (exact and got != _placeholders(ids[0])) or not set(got) <= wanted:
                problems.append(f"placeholders differ in {language}.po: {name!r}: {form!r}")
    assert problems == [], ("\n".join(problems)
                            + "\nrun python scripts/update_catalogues.py and translate")


# Text a template may show untranslated: the product's name, commands, units, examples.
UNTRANSLATED = {"trucewatch", "trucewatch log verify", "UTC", "sha256", "political_body",
                "astana-2017-02", "2017-01-21T10:00+02:00 · 2017-01-21"}


def test_no_template_shows_text_outside_the_catalogues() -> None:
    """Words left in a template outside _() and {% trans %} would stay English everywhere."""
    found = {}
    for path in sorted((i18n.LOCALE_DIR.parent / "templates").glob("*.html")):
        text = path.read_text()
        for pattern in (r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", r"{#.*?#}", r"{{.*?}}",
                        r"{%.*?%}", r"<script.*?</script>", r"<style.*?</style>"):
            text = re.sub(pattern, " ", text, flags=re.S)
        shown = re.findall(r'(?:title|placeholder|aria-label|alt)="([^"]*[A-Za-z][^"]*)"',
                           text)
        text = re.sub(r"<[^>]+>", " ", text)
        shown += re.findall(r"[A-Za-z][\w' ,.;:()+·-]*", text)
        left = {w.strip(" .,;:()-") for w in shown} - UNTRANSLATED - {""}
        if left:
            found[path.name] = sorted(left)
    assert found == {}, f"mark these for translation: {found}"


def test_catalogues_and_compiled_files_are_up_to_date(script: ModuleType) -> None:
    """The .pot holds what the code says; each .po is merged with it; each .mo compiles it."""
    stale = [str(path.relative_to(ROOT)) for path, content in script.outputs().items()
             if not path.exists() or path.read_bytes() != content]
    assert stale == [], f"stale: {', '.join(stale)}; run python scripts/update_catalogues.py"


def test_language_comes_from_the_session_then_accept_language() -> None:
    assert i18n.choose("tr", "ar,en;q=0.5") == "tr"
    assert i18n.choose(None, "ar-SY,ar;q=0.9,en;q=0.8") == "ar"
    assert i18n.choose(None, "de-DE,ru;q=0.7,en;q=0.8") == "en"
    assert i18n.choose(None, "fr, ru;q=0") == "en"  # q=0: not wanted
    assert i18n.choose("xx", None) == "en"


def _html_tag(page: str) -> str:
    found = re.search(r"<html[^>]*>", page)
    assert found
    return found.group(0)


PAGES = {  # page → a word each language must show there
    "/sign-in": {"en": "Username", "ar": "اسم المستخدم", "ru": "Имя пользователя",
                 "tr": "Kullanıcı adı"},
    "/": {"en": "Published incidents", "ar": "الحوادث المنشورة",
          "ru": "Опубликованные инциденты", "tr": "Yayımlanmış olaylar"},
    "/map": {"en": "Map of incidents", "ar": "خريطة الحوادث", "ru": "Карта инцидентов",
             "tr": "Olay haritası"},
    "/truce": {"en": "Guarantors", "ar": "الضامنون", "ru": "Гаранты", "tr": "Garantörler"},
    "/talks": {"en": "Timeline", "ar": "التسلسل الزمني", "ru": "Хронология",
               "tr": "Zaman çizelgesi"},
}


@pytest.mark.parametrize("language", ["en", "ar", "ru", "tr"])
def test_public_pages_in_each_language(demo_store: Store, language: str) -> None:
    client = client_for(demo_store)
    client.headers["Accept-Language"] = f"{language};q=0.9"
    for url, words in PAGES.items():
        page = client.get(url)
        assert page.status_code == 200, url
        tag = _html_tag(page.text)
        assert f'lang="{language}"' in tag
        assert f'dir="{"rtl" if language == "ar" else "ltr"}"' in tag
        assert words[language] in page.text, (url, language)


REVIEW = {"en": "Open review rounds", "ar": "جولات المراجعة المفتوحة",
          "ru": "Открытые раунды рассмотрения", "tr": "Açık inceleme turları"}


@pytest.mark.parametrize("language", ["en", "ar", "ru", "tr"])
def test_review_queue_and_incident_page_in_each_language(demo_store: Store,
                                                         language: str) -> None:
    client = client_for(demo_store)
    client.headers["Accept-Language"] = language
    sign_in(client, "ir-officer")
    queue = client.get("/review")
    assert f'lang="{language}"' in _html_tag(queue.text) and REVIEW[language] in queue.text
    incident = re.search(r'href="(/incidents/\d+)"', queue.text)
    assert incident
    page = client.get(incident.group(1))
    assert page.status_code == 200 and f'lang="{language}"' in _html_tag(page.text)


def test_an_officer_reviews_in_arabic_and_the_choice_outlives_signing_in(
        demo_store: Store) -> None:
    client = client_for(demo_store)  # no Accept-Language: English
    assert 'lang="en" dir="ltr"' in client.get("/sign-in").text
    page = client.get("/sign-in")
    chosen = client.post("/language", data={"csrf_token": csrf(page.text), "language": "ar",
                                            "next": "/sign-in"}, follow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"] == "/sign-in"
    sign_in(client, "ru-officer")
    queue = client.get("/review")
    assert 'lang="ar" dir="rtl"' in queue.text
    assert "قائمة المراجعة" in queue.text and "جولات المراجعة المفتوحة" in queue.text
    home = client.get("/")
    assert "الإشعارات" in home.text and "تسجيل الخروج" in home.text  # the header too


def test_flash_messages_are_in_the_chosen_language(demo_store: Store) -> None:
    client = client_for(demo_store)
    client.headers["Accept-Language"] = "ru"
    sign_in(client, "admin")
    page = client.get("/admin/users")
    assert "Вы вошли как admin" in page.text and "Назначить роль" in page.text


def test_the_language_form_refuses_without_csrf_and_goes_back_only_to_this_site(
        web: TestClient) -> None:
    assert web.post("/language", data={"language": "tr"}).status_code == 403
    token = csrf(web.get("/").text)
    for target in ("https://elsewhere.example/", "//elsewhere.example/", "/\\elsewhere"):
        answer = web.post("/language", data={"csrf_token": token, "language": "tr",
                                             "next": target}, follow_redirects=False)
        assert answer.headers["location"] == "/"
    assert 'lang="tr"' in web.get("/map").text
    web.post("/language", data={"csrf_token": token, "language": "xx", "next": "/"})
    assert 'lang="tr"' in web.get("/map").text  # an unknown language changes nothing


def test_a_stale_form_is_refused_in_the_reader_language(web: TestClient) -> None:
    web.headers["Accept-Language"] = "ar"
    answer = web.post("/sign-out", data={"csrf_token": "forged"})
    assert answer.status_code == 403 and 'dir="rtl"' in answer.text and "مرفوض" in answer.text
