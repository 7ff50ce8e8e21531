"""Arabic names reach English in several spellings (Riyad / Riad, Hijab / Hijeb, Naasan /
Nassan): a skeleton key that such spellings share, to link a mention to the registry."""

from __future__ import annotations

import re

from trucewatch.actors.names import normalise_name

# Digraphs that romanisations write for one Arabic letter, folded first.
_DIGRAPHS = (("kh", "k"), ("gh", "g"), ("dh", "d"), ("th", "t"), ("sh", "s"), ("ph", "f"),
             ("ou", "u"), ("oo", "u"), ("ee", "i"), ("iy", "i"), ("q", "k"), ("ck", "k"),
             ("j", "g"), ("z", "s"), ("w", "u"), ("e", "a"), ("o", "u"))
_VOWELS = re.compile(r"(?<=.)[aeiouy]")
_DOUBLED = re.compile(r"(.)\1+")
_ARTICLE = re.compile(r"^(al|el|ul|as|ash|ad|ar|an|at|az)\s+")


def skeleton(name: str) -> str:
    """'Riyad Hijab' and 'Riad Hijeb' → 'r hgb'; 'Ahmad Ramadan' and 'Ahmed Ramadhan' →
    'ahmd rmdn': letters a transliteration keeps, vowels after the first letter dropped."""
    words = []
    for word in normalise_name(name).split():
        word = _ARTICLE.sub("", word)
        for digraph, single in _DIGRAPHS:
            word = word.replace(digraph, single)
        word = _DOUBLED.sub(r"\1", _VOWELS.sub("", word))
        if word:
            words.append(word)
    return " ".join(words)
