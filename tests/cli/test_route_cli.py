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


PAIRS = (
    "ritnr;origin_lat;origin_lon;dest_lat;dest_lon;naam\r\n"
    "007;52.287907;6.797534;52.2638;6.7708;Müller\r\n"
    "008;52.287907;6.797534;52.2638;6.7708;Jansen;extra;extra\r\n"
    "009;52.2638;6.7708;52.287907;6.797534;Zoë\r\n"
)


def _routes(*args):
    return runner.invoke(app, ["routes", *args])


def test_routes_output_over_the_input_is_refused(hengelo, tmp_path):
    src = tmp_path / "pairs.csv"
    src.write_text("origin_lat,origin_lon,dest_lat,dest_lon\n52.2879,6.7975,52.2638,6.7708\n")
    before = src.read_bytes()
    res = _routes("--map", hengelo, "--input", str(src), "--output", str(src), "--json")
    assert res.exit_code == 2
    err = json.loads(res.stdout)["error"]
    assert err["field"] == "output" and "overwrite" in err["message"]
    assert src.read_bytes() == before


def test_routes_checks_come_before_the_map_and_the_bar(tmp_path):
    src = tmp_path / "pairs.csv"
    src.write_text("a,b\n1,2\n")
    missing_map = str(tmp_path / "nope.osm.pbf")  # would be an InvalidMap error if loaded
    res = _routes("--map", missing_map, "--input", str(src), "--output", str(tmp_path / "o.x"))
    assert res.exit_code == 2 and "(output)" in res.output and "routing" not in res.stdout
    res = _routes("--map", missing_map, "--input", str(src), "--output", str(tmp_path / "o.csv"))
    assert res.exit_code == 2 and "origin_lat" in res.output and "routing" not in res.stdout


def test_routes_empty_file_is_a_typed_error(hengelo, tmp_path):
    src = tmp_path / "empty.csv"
    src.write_bytes(b"")
    res = _routes("--map", hengelo, "--input", str(src), "--output", str(tmp_path / "o.csv"),
                  "--json")  # fmt: skip
    assert res.exit_code == 2
    err = json.loads(res.stdout)["error"]
    assert err["field"] == "input" and "empty" in err["message"]


def test_routes_cp1252_with_a_malformed_line_to_excel(hengelo, tmp_path):
    src = tmp_path / "pairs.csv"
    src.write_bytes(PAIRS.encode("cp1252"))
    out = tmp_path / "out.xlsx"
    res = _routes("--map", hengelo, "--input", str(src), "--output", str(out), "--json")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["rows_in"] == summary["rows_out"] == 3
    assert summary["errors"] == 1 and summary["input"]["encoding"] == "cp1252"
    df = pd.read_excel(out, dtype=object)
    assert list(df["ritnr"]) == ["007", "008", "009"]  # text stays text
    assert list(df["naam"]) == ["Müller", "Jansen", "Zoë"]
    assert df["error"][1].startswith("InvalidQuery: malformed input line")
    assert "line 3" in df["error"][1] and pd.isna(df["distance_m"][1])
    assert float(df["distance_m"][0]) == pytest.approx(5288.6, abs=5)
    assert pd.isna(df["error"][0]) and pd.isna(df["error"][2])
    # and back: the Excel output read as input again routes the same rows
    again = tmp_path / "again.xlsx"
    res = _routes("--map", hengelo, "--input", str(out), "--output", str(again), "--json")
    assert res.exit_code == 0, res.output
    df2 = pd.read_excel(again, dtype=object)
    assert list(df2["distance_m"][[0, 2]]) == pytest.approx(list(df["distance_m"][[0, 2]]))
