"""The ``audit`` command, run as a user would (typer's CliRunner on the real app)."""

from __future__ import annotations

import json
import os
import stat

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import shared_path
from ziekenvervoer.cli import app

runner = CliRunner()
BSN = "111222333"


@pytest.fixture(scope="module")
def hengelo():
    return str(shared_path("osm", "hengelo.osm.pbf"))


@pytest.fixture
def declarations(tmp_path):
    rows = []
    for i in range(6):
        rows.append(
            {
                "Declaratienummer": f"D{i}",
                "BSN": BSN if i != 3 else "111222334",
                "Naam": "Jan Jansen",
                "Machtigingsnummer": "M1",
                "Ritdatum": f"2025-03-0{i + 1}",
                "Declaratiedatum": "2025-03-31",
                "home_lat": "52.287907",
                "home_lon": "6.797534",
                "treatment_lat": "52.2638",
                "treatment_lon": "6.7708",
                "Beladen km": "10.4" if i != 4 else "25",
                "Bedrag": "4.16",
                "Vervoerswijze": "eigen auto",
            }
        )
    path = tmp_path / "declaraties.csv"
    pd.DataFrame(rows).to_csv(path, index=False, sep=";")
    return path


def test_audit_json_and_output(hengelo, declarations, tmp_path):
    out = tmp_path / "verdicts.csv"
    routes = tmp_path / "routes.geojson"
    args = ["audit", str(declarations), "--map", hengelo, "--output", str(out)]
    args += ["--today", "2026-01-15", "--geometry", str(routes), "--json"]
    res = runner.invoke(app, args, env={"ZIEKENVERVOER_AUDIT_SALT": "cli-test-salt"})
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    summary = data["summary"]
    assert summary["rows_in"] == summary["rows_out"] == 6
    assert summary["verdicts"] == {"accept": 4, "adjust": 1, "reject": 1}
    assert summary["insured_key"] is True
    assert summary["km"]["rows_compared"] == 6
    assert summary["trips"] == {"routed": 1, "failed": 0}
    assert data["run"]["rows_per_s"] > 0
    rows = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(rows) == 6
    assert list(rows["verdict"]) == ["accept", "accept", "accept", "reject", "adjust", "accept"]
    assert "BSN_CHECKSUM" in rows["reason_codes"][3]
    assert "KM_OVER_DECLARED" in rows["reason_codes"][4]
    assert rows["Declaratienummer"].tolist() == [f"D{i}" for i in range(6)]
    assert {"BSN", "Naam", "home_lat", "home_lon"}.isdisjoint(rows.columns)
    geo = json.loads(routes.read_text())
    assert len(geo["features"]) == 2
    everything = res.stdout + out.read_text()
    for secret in (BSN, "111222334", "Jan Jansen", "52.287907"):
        assert secret not in everything


def test_audit_human_output_has_tables_and_no_bsn(hengelo, declarations, tmp_path):
    out = tmp_path / "verdicts.parquet"
    res = runner.invoke(
        app,
        [
            "audit",
            str(declarations),
            "--map",
            hengelo,
            "--output",
            str(out),
            "--today",
            "2026-01-15",
        ],
    )
    assert res.exit_code == 0, res.output
    for title in ("Verdicts", "Reasons", "Kilometres and amounts", "KM_OVER_DECLARED"):
        assert title in res.stdout
    assert "only the presence of an authorisation number" in res.stdout
    assert BSN not in res.stdout and "Jan Jansen" not in res.stdout
    assert len(pd.read_parquet(out)) == 6


def test_audit_missing_column_is_a_typed_error(hengelo, tmp_path):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"BSN": [BSN], "Ritdatum": ["2025-03-01"]}).to_csv(path, index=False)
    out = tmp_path / "out.csv"
    res = runner.invoke(app, ["audit", str(path), "--map", hengelo, "--output", str(out), "--json"])
    assert res.exit_code == 2
    err = json.loads(res.stdout)["error"]
    assert err["code"] == "InvalidInput" and err["field"] == "authorisation_number"
    assert not out.exists()


def test_audit_tolerance_options(hengelo, declarations, tmp_path):
    out = tmp_path / "v.csv"
    res = runner.invoke(
        app,
        ["audit", str(declarations), "--map", hengelo, "--output", str(out), "--today",
         "2026-01-15", "--tolerance-km", "20", "--tolerance-pct", "200", "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)["summary"]
    assert summary["verdicts"]["adjust"] == 0  # 25 km vs 10.4 km is within 20 km
    assert summary["tolerance"] == {"km": 20.0, "pct": 200.0, "rule": "either", "eur": "0.00"}


def _run(*args: str, env: dict | None = None):
    return runner.invoke(app, ["audit", *args], env=env)


def _no_run(monkeypatch):
    """Make loading the map or running the audit fail the test: errors must come before."""
    import transport.audit
    import ziekenvervoer.cli.audit as cli_audit

    def boom(*args, **kwargs):
        raise AssertionError("the map was loaded or the audit ran before the check")

    monkeypatch.setattr(cli_audit, "load_router", boom)
    monkeypatch.setattr(transport.audit, "audit", boom)


def test_output_over_the_input_is_refused(hengelo, declarations, monkeypatch):
    before = declarations.read_bytes()
    _no_run(monkeypatch)
    alias = declarations.parent / "sub" / ".." / declarations.name
    (declarations.parent / "sub").mkdir()
    for out in (declarations, alias):
        res = _run(str(declarations), "--map", hengelo, "--output", str(out), "--json")
        assert res.exit_code == 2, res.output
        err = json.loads(res.stdout)["error"]
        assert err["code"] == "InvalidQuery" and err["field"] == "output"
        assert "overwrite" in err["message"]
    assert declarations.read_bytes() == before


def test_bad_output_and_geometry_types_are_refused_before_the_audit(
    hengelo, declarations, tmp_path, monkeypatch
):
    _no_run(monkeypatch)
    res = _run(str(declarations), "--map", hengelo, "--output", str(tmp_path / "v.txt2"))
    assert res.exit_code == 2
    assert "output" in res.output and "auditing" not in res.output
    res = _run(str(declarations), "--map", hengelo, "--output", str(tmp_path / "v.csv"),
               "--geometry", str(tmp_path / "g.shp"), "--json")  # fmt: skip
    assert json.loads(res.stdout)["error"]["field"] == "geometry"
    res = _run(str(declarations), "--map", hengelo, "--output", str(tmp_path / "v.csv"),
               "--geometry", str(tmp_path / "v.csv"), "--json")  # fmt: skip
    assert json.loads(res.stdout)["error"]["field"] == "geometry"
    assert not list(tmp_path.glob("v.*"))


def test_validation_errors_come_before_the_progress_bar(hengelo, tmp_path, monkeypatch):
    _no_run(monkeypatch)
    path = tmp_path / "bad.csv"
    pd.DataFrame({"BSN": [BSN], "Ritdatum": ["2025-03-01"]}).to_csv(path, index=False)
    res = _run(str(path), "--map", hengelo, "--output", str(tmp_path / "out.csv"))
    assert res.exit_code == 2
    assert "authorisation_number" in res.output
    assert "auditing" not in res.output
    res = _run(str(path), "--map", hengelo, "--output", str(tmp_path / "out.csv"),
               "--authorisations", str(tmp_path / "missing.csv"))  # fmt: skip
    assert res.exit_code == 2 and "auditing" not in res.output


def test_an_empty_file_is_a_typed_error_and_a_header_only_file_gives_zero_rows(
    hengelo, declarations, tmp_path
):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    res = _run(str(empty), "--map", hengelo, "--output", str(tmp_path / "o.csv"), "--json")
    assert res.exit_code == 2
    err = json.loads(res.stdout)["error"]
    assert err["field"] == "input" and "empty" in err["message"]
    header = tmp_path / "header.csv"
    header.write_text(declarations.read_text().splitlines()[0] + "\n")
    out = tmp_path / "o.csv"
    res = _run(str(header), "--map", hengelo, "--output", str(out), "--today", "2026-01-15",
               "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)["summary"]
    assert summary["rows_in"] == summary["rows_out"] == 0
    assert len(pd.read_csv(out)) == 0


def test_cp1252_file_with_a_malformed_line(hengelo, declarations, tmp_path):
    lines = declarations.read_text().splitlines()
    lines[0] += ";Vervoerder"
    for i in range(1, len(lines)):
        lines[i] += ";Zorgtaxi Müller"
    lines[3] += ";extra;extra"  # data row 3 (line 4): two fields too many
    path = tmp_path / "export.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    out = tmp_path / "v.csv"
    res = _run(str(path), "--map", hengelo, "--output", str(out), "--today", "2026-01-15",
               "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["input"]["encoding"] == "cp1252" and data["input"]["malformed_rows"] == 1
    assert any("Windows-1252" in n for n in data["input"]["notes"])
    assert data["summary"]["rows_in"] == data["summary"]["rows_out"] == 6
    rows = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(rows["row_number"]) == [str(i) for i in range(1, 7)]
    assert rows["reason_codes"][2] == "PARSE_ROW" and rows["verdict"][2] == "reject"
    assert rows["source_line"][2] == "4" and rows["row_error"][2].startswith("line 4:")
    assert rows["Vervoerder"][0] == "Zorgtaxi Müller"
    assert list(rows["verdict"]) == ["accept", "accept", "reject", "reject", "adjust", "accept"]
    human = _run(str(path), "--map", hengelo, "--output", str(out), "--today", "2026-01-15")
    assert "Windows-1252" in human.stdout and "malformed line" in human.stdout


def test_excel_in_and_out(hengelo, declarations, tmp_path):
    df = pd.read_csv(declarations, sep=";", dtype=str)
    df["BSN"] = df["BSN"].astype(int)  # numbers and dates as Excel holds them
    df["Beladen km"] = df["Beladen km"].astype(float)
    df["Ritdatum"] = pd.to_datetime(df["Ritdatum"])
    xlsx = tmp_path / "declaraties.xlsx"
    df.to_excel(xlsx, index=False)
    out = tmp_path / "verdicts.xlsx"
    res = _run(str(xlsx), "--map", hengelo, "--output", str(out), "--today", "2026-01-15",
               "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    back = pd.read_excel(out, dtype=object)
    csv_out = tmp_path / "verdicts.csv"
    _run(str(declarations), "--map", hengelo, "--output", str(csv_out), "--today", "2026-01-15")
    expected = pd.read_csv(csv_out, dtype=str, keep_default_na=False)
    assert list(back["verdict"]) == list(expected["verdict"])
    assert list(back["reason_codes"]) == list(expected["reason_codes"])
    assert [str(v) for v in back["payable_eur"]] == list(expected["payable_eur"])
    assert "BSN" not in back.columns and "Naam" not in back.columns


def test_human_summary_shows_review_apart_and_rows_without_payable(hengelo, tmp_path):
    rows = [
        {"bsn": BSN, "authorisation_number": "M1", "ride_date": f"2025-03-0{i + 1}",
         "declaration_date": "2025-03-31", "home_lat": "52.287907", "home_lon": "6.797534",
         "treatment_lat": "52.2638", "treatment_lon": "6.7708", "declared_km": km,
         "declared_amount": "40.00", "mode": "taxi", "carrier_agb": "41000011",
         "carrier_contracted": "ja"}
        for i, km in enumerate(["10.4", "30", "10.4"])
    ]  # fmt: skip
    path = tmp_path / "d.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    out = tmp_path / "v.csv"
    args = [str(path), "--map", hengelo, "--output", str(out), "--today", "2026-01-15"]
    data = json.loads(_run(*args, "--json").stdout)
    summary = data["summary"]
    assert summary["review"] == 3  # no tariff table: every taxi amount is to review
    assert sum(summary["verdicts"].values()) == 3
    assert summary["amounts_eur"]["rows_without_payable"] == 1
    res = _run(*args)
    assert res.exit_code == 0, res.output
    table = res.stdout.split("Reasons")[0]
    assert "review" not in table.split("To review")[0]  # not a row of the verdict table
    assert "To review (any verdict, not a fourth one): 3 of 3 rows (100.0 %)" in res.stdout
    assert "total" in table and "100.0 %" in table
    assert "rows without a payable amount" in res.stdout
    assert "1 (€ 40.00)" in res.stdout


@pytest.fixture
def umask():
    old = os.umask(0o027)
    yield
    os.umask(old)


def test_file_modes_ordinary_output_and_private_geometry(hengelo, declarations, tmp_path, umask):
    out = tmp_path / "v.csv"
    geo = tmp_path / "routes.gpkg"
    res = _run(str(declarations), "--map", hengelo, "--output", str(out), "--today",
               "2026-01-15", "--geometry", str(geo), "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o640  # 0666 less the umask 027
    assert stat.S_IMODE(geo.stat().st_mode) == 0o600  # personal data: owner only
    assert sorted(p.name for p in tmp_path.iterdir()) == ["declaraties.csv", "routes.gpkg", "v.csv"]
