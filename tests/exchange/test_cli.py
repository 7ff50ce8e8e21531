"""``trucewatch import`` and ``trucewatch export`` on both stores, through the real command."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from tests.cli.test_cli import Cli, cli, demo_cli  # noqa: F401  (fixtures)
from tests.exchange.acled_rows import row, to_csv, varied
from tests.exchange.test_ucdp import _ged_text


def test_import_then_export_gives_the_file_back(cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    source = tmp_path / "acled.csv"
    source.write_text(to_csv(varied()), encoding="utf-8", newline="")
    code, out, err = cli("import", "acled", str(source), "--mode", "reports")
    assert code == 0, err
    assert out.startswith(f"{len(varied())} rows read: {len(varied())} reports filed")
    back = tmp_path / "back.csv"
    code, _, err = cli("export", "acled", "--out", str(back))
    assert code == 0, err
    assert back.read_bytes() == source.read_bytes()
    assert not list(tmp_path.glob("*.partial"))
    code, out, _ = cli("import", "acled", str(source), "--json-out", "--mode", "reports")
    assert code == 0 and json.loads(out)["existing"] == len(varied())


def test_a_bad_file_exits_2_naming_the_lines_and_writes_nothing(cli: Cli,  # noqa: F811
                                                                tmp_path: Path) -> None:
    source = tmp_path / "acled.csv"
    source.write_text(to_csv([row(), row(event_date="yesterday"), row(), row(latitude="x")]),
                      encoding="utf-8")
    code, _, err = cli("import", "acled", str(source), "--mode", "reports")
    assert code == 2
    assert "line 3 (event_date)" in err and "line 5 (latitude)" in err, err
    assert cli.count("reports") == 0 and cli.count("actors") == 0
    code, out, err = cli("import", "acled", str(source), "--skip-bad", "--mode", "reports")
    assert code == 0, err
    side = tmp_path / "acled.csv.rejected.csv"
    assert f"rejected rows written to {side}" in out
    assert side.read_text(encoding="utf-8").count("\n") == 3  # the header and two rows
    assert cli.count("reports") == 2


def test_import_ucdp_reads_a_gzipped_extract(cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    lines = _ged_text().splitlines(keepends=True)[:41]
    source = tmp_path / "ged.csv.gz"
    with gzip.open(source, "wt", encoding="utf-8", newline="") as out:
        out.writelines(lines)
    code, out, err = cli("import", "ucdp", str(source))
    assert code == 0, err
    assert out.startswith("40 rows read: 40 reports filed")
    code, out, err = cli("export", "geojson")
    assert code == 0, err
    assert len(json.loads(out)["features"]) == cli.count("reports") == 40
    code, out, err = cli("export", "geojson", "--from", "2016-01-01", "--to", "2016-01-31")
    assert code == 0, err
    january = cli.json("report", "list", "--json", "--from", "2016-01-01", "--to", "2016-01-31")
    assert isinstance(january, list) and 0 < len(january) < 40
    assert [f["id"] for f in json.loads(out)["features"]] == [r["id"] for r in january]


def test_who_may_import_and_what_the_public_exports(demo_cli: Cli,  # noqa: F811
                                                    tmp_path: Path) -> None:
    source = tmp_path / "acled.csv"
    source.write_text(to_csv([row()]), encoding="utf-8")
    code, _, err = demo_cli("--as", "gov-reporter", "import", "acled", str(source))
    assert code == 2 and "exchange.import" in err
    code, _, err = demo_cli("--as", "un-coordinator", "import", "acled", str(source))
    assert code == 0, err
    public = demo_cli.json("--as", "un-coordinator", "report", "list", "--json")
    assert isinstance(public, list)
    code, out, err = demo_cli("export", "jsonl", "--public")
    assert code == 0, err
    exported = [json.loads(line) for line in out.splitlines()]
    assert exported and all(r["incident"] is not None for r in exported)
    code, out, err = demo_cli("export", "jsonl")
    assert code == 0 and len(out.splitlines()) > len(exported)
    code, _, err = demo_cli("export", "acled", "--subject", "incidents")
    assert code == 2 and "format" in err


def test_acled_imports_as_a_dataset_by_default_and_exports_back(cli: Cli,  # noqa: F811
                                                                tmp_path: Path) -> None:
    source = tmp_path / "acled.csv"
    source.write_text(to_csv(varied()), encoding="utf-8", newline="")
    code, out, err = cli("import", "acled", str(source))
    assert code == 0, err
    assert out.startswith(f"{len(varied())} rows read: {len(varied())} stored as dataset 1")
    assert cli.count("reports") == 0 and cli.count("dataset_acled_events") == len(varied())
    back = tmp_path / "back.csv"
    code, _, err = cli("export", "acled", "--dataset", "1", "--out", str(back))
    assert code == 0, err
    assert back.read_bytes() == source.read_bytes()
    listed = cli.json("export", "datasets")
    assert isinstance(listed, list) and listed[0]["file_name"] == "acled.csv"
    for args, word in ((("import", "acled", str(source), "--org", "acled"), "--org"),
                       (("import", "ucdp", str(source), "--mode", "dataset"), "reports only"),
                       (("export", "acled", "--dataset", "9"), "no dataset 9"),
                       (("export", "acled", "--dataset", "1", "--from", "2017"), "--dataset")):
        code, _, err = cli(*args)
        assert code == 2 and word in err, (args, err)


def test_a_bad_dataset_file_exits_2_and_skip_bad_sets_rows_aside(cli: Cli,  # noqa: F811
                                                                 tmp_path: Path) -> None:
    source = tmp_path / "acled.csv"
    source.write_text(to_csv([row(), row(event_date="yesterday"), row()]), encoding="utf-8")
    code, _, err = cli("import", "acled", str(source))
    assert code == 2 and "line 3 (event_date)" in err, err
    assert cli.count("dataset_imports") == 0 and cli.count("dataset_acled_events") == 0
    code, out, err = cli("import", "acled", str(source), "--skip-bad", "--json-out")
    assert code == 0, err
    result = json.loads(out)
    assert (result["mode"], result["stored"], result["rejected"]) == ("dataset", 2, 1)
    assert Path(result["rejected_file"]).read_text(encoding="utf-8").count("\n") == 2
