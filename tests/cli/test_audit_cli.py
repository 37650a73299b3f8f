"""The ``audit`` command, run as a user would (typer's CliRunner on the real app)."""

from __future__ import annotations

import json

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
