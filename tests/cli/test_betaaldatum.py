import json

import typer
from typer.testing import CliRunner

from ziekenvervoer.cli import COMMAND_MODULES, app

runner = CliRunner()


def invoke(*args: str):
    """Run ``ziekenvervoer betaaldatum ARGS``."""
    return runner.invoke(app, ["betaaldatum", *args])


def test_registered():
    assert "betaaldatum" in COMMAND_MODULES


def test_worked_example_json():
    result = invoke("--ontvangen", "2026-11-24", "--kanaal", "online", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["payment_date"] == "2026-12-02"
    assert data["working_days"] == 6
    assert data["counted_days"][0] == "2026-11-25"
    assert data["counted_days"][-1] == "2026-12-02"
    assert data["holidays_skipped"] == []
    assert data["parameter"]["name"] == "betaaltermijn_werkdagen_online"
    assert data["calendar"]["statutory"] is True


def test_post_over_christmas_lists_holidays():
    result = invoke("--ontvangen", "24-12-2026", "--kanaal", "post", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["payment_date"] == "2027-01-11"
    assert [h["name"] for h in data["holidays_skipped"]] == ["Eerste kerstdag", "Nieuwjaarsdag"]


def test_human_output():
    result = invoke("--ontvangen", "2026-11-24", "--kanaal", "online")
    assert result.exit_code == 0, result.output
    assert "2026-12-02" in result.stdout
    assert "woensdag" in result.stdout


def test_extra_closing_day_and_term_override():
    result = invoke(
        "--ontvangen", "2026-11-24", "--kanaal", "online", "--sluitingsdag", "2026-11-30",
        "--json",
    )  # fmt: skip
    assert json.loads(result.stdout)["payment_date"] == "2026-12-03"
    result = invoke("--ontvangen", "2026-11-24", "--kanaal", "post", "--werkdagen", "3", "--json")
    data = json.loads(result.stdout)
    assert data["payment_date"] == "2026-11-27"
    assert data["parameter"]["source"] == "user override"


def test_calendar_file(tmp_path):
    path = tmp_path / "k.yaml"
    path.write_text("statutory: false\nholidays:\n  2026-11-25: test\n", encoding="utf-8")
    result = invoke(
        "--ontvangen", "2026-11-24", "--kanaal", "online", "--kalender", str(path), "--json"
    )
    assert json.loads(result.stdout)["payment_date"] == "2026-12-03"


def test_bad_date_is_a_typed_error():
    result = invoke("--ontvangen", "2026-13-01", "--kanaal", "online", "--json")
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "InvalidInput"
    assert error["field"] == "ontvangen"
    result = invoke("--ontvangen", "morgen", "--kanaal", "online")
    assert result.exit_code == 2
    assert "ontvangen" in result.stderr


def test_bad_channel_is_a_typed_error():
    result = invoke("--ontvangen", "2026-11-24", "--kanaal", "fax", "--json")
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["field"] == "kanaal"
    assert "online" in error["message"] and "post" in error["message"]


def test_date_without_term_in_force():
    result = invoke("--ontvangen", "2021-06-01", "--kanaal", "online", "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "ParameterNotInForce"


def test_register_adds_a_named_command_to_a_group():
    from ziekenvervoer.cli import betaaldatum as module

    group = typer.Typer()

    @group.callback()
    def _root() -> None:
        """Root."""

    module.register(group)
    result = runner.invoke(
        group, ["betaaldatum", "--ontvangen", "2026-11-24", "--kanaal", "online", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["payment_date"] == "2026-12-02"
