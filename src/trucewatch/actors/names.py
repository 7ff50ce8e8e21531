"""Normalise names for lookup: case, accents, Arabic diacritics and punctuation do not matter."""

from __future__ import annotations

import re
import unicodedata

_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, superscript alef, tatweel
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)


def normalise_name(name: str) -> str:
    """Fold a name to the form lookup compares: 'Al-Nusra  Front' → 'al nusra front'."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _ARABIC_MARKS.sub("", text)
    text = text.replace("ʼ", "").replace("’", "").replace("'", "").replace("`", "")
    text = _NOT_WORD.sub(" ", text.casefold())
    return " ".join(text.split())
