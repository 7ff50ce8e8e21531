"""The pages' languages: English (the default), Arabic (right to left), Russian and Turkish.

Catalogues are Babel's ``locale/<code>/LC_MESSAGES/messages.po``, compiled to ``.mo`` and
committed (``scripts/update_catalogues.py`` extracts, merges and compiles). The language of a
request is held in a context variable set once per request, so the one Jinja environment
shared by every request translates each page in its own reader's language.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.support import Translations
from jinja2 import Environment
from markupsafe import Markup

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT = "en"
LANGUAGES: dict[str, str] = {"en": "English", "ar": "العربية", "ru": "Русский", "tr": "Türkçe"}
RIGHT_TO_LEFT = frozenset({"ar"})

_language: ContextVar[str] = ContextVar("trucewatch_language", default=DEFAULT)


@cache
def translations(code: str) -> NullTranslations:
    """The compiled catalogue of a language (English is the source text itself)."""
    if code == DEFAULT:
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [code], domain=DOMAIN)


def use(code: str) -> None:
    """Translate what this request renders or says into ``code``."""
    _language.set(code if code in LANGUAGES else DEFAULT)


def current() -> str:
    return _language.get()


def direction(code: str) -> str:
    return "rtl" if code in RIGHT_TO_LEFT else "ltr"


def isolate(value: object) -> object:
    """A date or code kept left to right inside a right-to-left sentence (else unchanged)."""
    if direction(current()) != "rtl":
        return value
    return Markup('<bdi dir="ltr">%s</bdi>') % (value,)


def isolate_text(value: object) -> str:
    """As ``isolate`` for plain text (log summaries, messages): Unicode's isolate marks."""
    text = str(value)
    return f"\u2066{text}\u2069" if direction(current()) == "rtl" else text


def gettext(message: str) -> str:
    return translations(_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_language.get()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 — the name Babel's extractor looks for
    """Mark a string for the catalogues where it is defined; ``_`` translates it where shown."""
    return message


def choose(chosen: object, accept_language: str | None) -> str:
    """The session's language if it chose one, else the browser's first we have, else English."""
    if isinstance(chosen, str) and chosen in LANGUAGES:
        return chosen
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate((accept_language or "").split(",")):
        tag, _sep, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, index, tag.strip().lower().split("-")[0]))
    for negative_quality, _index, code in sorted(ranked):
        if negative_quality < 0 and code in LANGUAGES:
            return code
    return DEFAULT


def install(env: Environment) -> None:
    """Jinja's i18n extension with callables that read the request's language."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["ltr"] = isolate
