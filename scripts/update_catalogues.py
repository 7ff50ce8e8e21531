"""Extract the pages' strings, merge them into each language's catalogue, compile the .mo files.

    python scripts/update_catalogues.py          # messages.pot, merge into every .po, compile .mo
    python scripts/update_catalogues.py --check  # exit 1 if anything would change (CI)

Strings come from the templates (Jinja's ``{% trans %}`` and ``_()``) and from the web views
(``_()``, ``N_()``, ``ngettext``). New strings arrive untranslated in each .po: translate them
there and run the script again. ``tests/web/test_i18n.py`` fails while one is missing.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

WEB = Path(__file__).resolve().parents[1] / "src" / "trucewatch" / "web"
LOCALE_DIR = WEB / "locale"
LANGUAGES = ("ar", "ru", "tr")
# Fixed dates keep the files unchanged when their messages are.
EPOCH = datetime(2017, 1, 23, tzinfo=UTC)
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"trimmed": "true", "newstyle_gettext": "true"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extracted() -> Catalog:
    """Every string of the templates and the web views, as a template catalogue."""
    catalog = Catalog(project="trucewatch", creation_date=EPOCH, revision_date=EPOCH,
                      fuzzy=False)
    found: Iterator[tuple[str, int, str | tuple[str, ...], list[str], str | None]] = (
        extract_from_dir(str(WEB), METHODS, keywords=KEYWORDS, options_map=OPTIONS,
                         strip_comment_tags=True))
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(f"web/{filename}", lineno)], auto_comments=comments,
                    context=context)
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=96, include_lineno=False, sort_output=True)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def merged(template: Catalog, language: str) -> Catalog:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if path.exists():
        with path.open("rb") as f:
            catalog = read_po(f, locale=language)
    else:
        catalog = Catalog(locale=language, project="trucewatch", creation_date=EPOCH)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.creation_date = catalog.revision_date = EPOCH
    catalog.fuzzy = False
    return catalog


def outputs() -> dict[Path, bytes]:
    """What each catalogue file should hold."""
    template = extracted()
    files = {LOCALE_DIR / "messages.pot": po_bytes(template)}
    for language in LANGUAGES:
        catalog = merged(template, language)
        folder = LOCALE_DIR / language / "LC_MESSAGES"
        files[folder / "messages.po"] = po_bytes(catalog)
        files[folder / "messages.mo"] = mo_bytes(catalog)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    args = parser.parse_args()
    stale = [path for path, content in outputs().items()
             if not path.exists() or path.read_bytes() != content]
    if args.check:
        for path in stale:
            print(f"stale: {path.relative_to(WEB)}")
        return 1 if stale else 0
    for path, content in outputs().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    for path in stale:
        print(f"wrote {path.relative_to(WEB)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
