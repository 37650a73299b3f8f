"""The routing commands, run as a user would (typer's CliRunner on the real app)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import shared_path
from ziekenvervoer.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def hengelo():
    return str(shared_path("osm", "hengelo.osm.pbf"))


def test_route_json(hengelo):
    res = runner.invoke(
        app, ["route", "--map", hengelo, "52.287907,6.797534", "52.2638,6.7708", "--json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["distance_m"] == pytest.approx(5288.6, abs=5)
    assert data["geometry"]["type"] == "LineString"
    assert data["destination"]["snap_distance_m"] == pytest.approx(59.3, abs=0.2)
    assert data["map"]["source"] == "hengelo.osm.pbf"
    assert len(data["map"]["sha256"]) == 64


def test_trip_human_output(hengelo):
    res = runner.invoke(app, ["trip", "--map", hengelo, "52.287907,6.797534", "52.2638,6.7708"])
    assert res.exit_code == 0, res.output
    assert "Loaded kilometres: 10.4 km" in res.stdout


def test_route_error_is_typed(hengelo):
    res = runner.invoke(app, ["route", "--map", hengelo, "52.37,4.89", "52.2638,6.7708", "--json"])
    assert res.exit_code == 2
    err = json.loads(res.stdout)["error"]
    assert err["code"] == "OutsideMap"
    assert err["field"] == "origin"


def test_missing_map_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.delenv("ZIEKENVERVOER_MAP", raising=False)
    res = runner.invoke(app, ["route", "52.28,6.79", "52.26,6.77", "--json"])
    assert res.exit_code == 2
    assert json.loads(res.stdout)["error"]["code"] == "InvalidMap"
    res = runner.invoke(
        app, ["route", "--map", str(tmp_path / "nope.osm.pbf"), "1,1", "2,2", "--json"]
    )
    assert json.loads(res.stdout)["error"]["code"] == "InvalidMap"


def test_routes_csv_keeps_every_row(hengelo, tmp_path):
    src = tmp_path / "pairs.csv"
    src.write_text(
        "ritnr,origin_lat,origin_lon,dest_lat,dest_lon\n"
        "007,52.287907,6.797534,52.2638,6.7708\n"
        "008,abc,6.7,52.2638,6.7708\n"
        "009,10,10,52.2638,6.7708\n"
        "010,,,,\n"
        "011,52.2638,6.7708,52.287907,6.797534\n"
    )
    out = tmp_path / "out.csv"
    res = runner.invoke(
        app, ["routes", "--map", hengelo, "--input", str(src), "--output", str(out), "--json"]
    )
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["rows_in"] == summary["rows_out"] == 5
    assert summary["errors"] == 3
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert df["ritnr"].tolist() == ["007", "008", "009", "010", "011"]  # passed through as text
    assert list(df.columns[-5:]) == [
        "distance_m",
        "duration_s",
        "snap_origin_m",
        "snap_dest_m",
        "error",
    ]
    assert df["error"][1].startswith("InvalidQuery")
    assert df["error"][2].startswith("OutsideMap")
    assert float(df["distance_m"][0]) == pytest.approx(5288.6, abs=5)
    assert not list(tmp_path.glob(".out.csv.*"))  # no temporary file left behind
