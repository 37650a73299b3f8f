"""The ``quote`` and ``hardheid`` commands (presentation of transport.quote and .hardship)."""

import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from ziekenvervoer.cli import COMMAND_MODULES, app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def run_json(*args, code=0):
    result = run(*args, "--json")
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def test_registered():
    assert "quote" in COMMAND_MODULES


@pytest.mark.parametrize(
    ("months", "per_week", "km", "qualifies", "score"),
    [("5", "2", "25", True, 250.0), ("5", "2", "24.99", False, 249.9),
     ("13", "1", "20.8", False, 249.6), ("12", "1", "20.84", True, 250.08)],
)  # fmt: skip
def test_hardheid_json(months, per_week, km, qualifies, score):
    data = run_json("hardheid", "--months", months, "--per-week", per_week, "--km", km)
    assert data["qualifies"] is qualifies
    assert data["score"] == pytest.approx(score)
    assert data["threshold"] == 250
    assert data["months_capped"] is (int(months) > 12)
    assert isinstance(data["margin"], float) and "m_needed" in data


def test_hardheid_rich_and_errors():
    result = run("hardheid", "--months", "6", "--per-week", "1", "--km", "41.6")
    assert result.exit_code == 0
    assert "does not qualify" in result.stdout and "41667" in result.stdout
    data = run_json("hardheid", "--months", "0", "--per-week", "1", "--km", "41.6", code=2)
    assert data["error"]["code"] == "InvalidInput" and data["error"]["field"] == "months"
    data = run_json("hardheid", "--months", "6", "--per-week", "1", "--km", "41.6", "--on",
                    "2017-01-01", code=2)  # fmt: skip
    assert data["error"]["code"] == "ParameterNotInForce"


SERIES = ("quote", "--indication", "dialysis", "--mode", "taxi", "--carrier",
          "Voorbeeld Zorgtaxi Twente", "--single-km", "12.34", "--loaded-km", "24.6",
          "--start", "2025-01-06", "--weekdays", "mon,wed,fri", "--months", "6",
          "--auth-number", "M2025-1", "--insurer", "VGZ", "--product", "Ruime Keuze")  # fmt: skip


def test_quote_series_json():
    data = run_json(*SERIES)
    rides = data["rides"]
    assert len(rides) == 78 and data["totals"]["rides"] == 78
    for key in ("price_eur", "insurer_pays_eur", "patient_pays_eur", "contribution_eur"):
        assert Decimal(data["totals"][key]) == sum(Decimal(r[key]) for r in rides)
    for r in rides:
        assert Decimal(r["insurer_pays_eur"]) + Decimal(r["patient_pays_eur"]) == Decimal(
            r["price_eur"]
        )
    assert Decimal(data["totals"]["contribution_eur"]) == 126
    assert data["policy_type"] == "natura"
    assert any("EXAMPLE" in n for n in data["notes"])
    assert data["hardship"]["details"]["per_week"] == 3


def test_quote_rich_output():
    result = runner.invoke(app, list(SERIES), env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "total" in result.stdout and "78 of 78 rides covered" in result.stdout
    assert "€" in result.stdout


def test_quote_2026_needs_the_eigen_bijdrage():
    args = ("quote", "--indication", "dialysis", "--mode", "own_car", "--single-km", "10",
            "--loaded-km", "20", "--date", "2026-01-05", "--auth-number", "M1")  # fmt: skip
    data = run_json(*args, code=2)
    assert data["error"]["code"] == "ParameterNotInForce"
    assert data["error"]["field"] in {"eigen_bijdrage", "own_car_km_rate"}
    data = run_json(*args, "--eigen-bijdrage", "2026=130", "--km-rate", "0.40")
    assert data["rides"][0]["contribution_eur"] == "8.00"  # 0.40 x 20 km, all eigen bijdrage
    data = run_json(*args, "--eigen-bijdrage", "130", "--km-rate", "0.40")
    assert data["rides"][0]["contribution_eur"] == "8.00"
    missing = run_json(*args, "--km-rate", "0.40", code=2)
    assert missing["error"]["field"] == "eigen_bijdrage"
    assert "--eigen-bijdrage" in missing["error"]["message"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--single-km", "5", "--loaded-km", "10"), "date"),
        (("--map", "x.osm.pbf", "--date", "2025-01-01"), "map"),
        (("--map", "x.osm.pbf", "--home", "52.1,6.1", "--treatment", "52.2,6.2",
          "--single-km", "5", "--loaded-km", "10", "--date", "2025-01-01"), "map"),
        (("--single-km", "5", "--loaded-km", "10", "--date", "2025-13-01"), "date"),
        (("--single-km", "5", "--loaded-km", "10", "--date", "2025-01-01", "--start",
          "2025-01-01"), "date"),
        (("--single-km", "5", "--loaded-km", "10", "--date", "2025-01-01", "--paid", "x"),
         "paid"),
    ],
)  # fmt: skip
def test_quote_input_errors(args, field):
    data = run_json("quote", "--indication", "dialysis", "--mode", "own_car", *args, code=2)
    assert data["error"]["field"] == field
