"""``ziekenvervoer serve``: loads the map once and hands the app to uvicorn."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.conftest import shared_path


def test_serve_loads_once_and_runs_uvicorn(monkeypatch):
    import uvicorn
    from fastapi.testclient import TestClient

    from ziekenvervoer.cli import app

    pbf = shared_path("osm", "amsterdam.osm.pbf")
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda web, **kw: calls.append((web, kw)))
    res = CliRunner().invoke(
        app, ["serve", "--map", str(pbf), "--port", "8123", "--max-rides", "50"]
    )
    assert res.exit_code == 0, res.output
    assert "amsterdam.osm.pbf" in res.output and "http://127.0.0.1:8123/" in res.output
    ((web, kw),) = calls
    assert kw["host"] == "127.0.0.1" and kw["port"] == 8123
    assert kw["log_config"]["loggers"]["uvicorn.access"]["filters"] == ["drop_query"]
    client = TestClient(web)
    info = client.get("/api/info").json()
    assert info["map"]["source"] == "amsterdam.osm.pbf"
    assert info["limits"]["max_rides"] == 50


def test_serve_warns_when_listening_beyond_this_machine(monkeypatch):
    import uvicorn

    from ziekenvervoer.cli import app

    pbf = shared_path("osm", "amsterdam.osm.pbf")
    monkeypatch.setattr(uvicorn, "run", lambda web, **kw: None)
    res = CliRunner().invoke(app, ["serve", "--map", str(pbf), "--host", "0.0.0.0"])
    assert res.exit_code == 0
    assert "no login" in res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tiles", "https://tiles.example.org/tile.png"], "{z}"),
        (["--cors-origin", "*"], "CORS origin"),
    ],
)
def test_serve_refuses_bad_settings(monkeypatch, args, message):
    import uvicorn

    from ziekenvervoer.cli import app

    pbf = shared_path("osm", "amsterdam.osm.pbf")
    monkeypatch.setattr(uvicorn, "run", lambda web, **kw: pytest.fail("must not start"))
    res = CliRunner().invoke(app, ["serve", "--map", str(pbf), *args])
    assert res.exit_code == 2
    assert message in res.output


def test_serve_needs_a_map(monkeypatch):
    from ziekenvervoer.cli import app

    monkeypatch.delenv("ZIEKENVERVOER_MAP", raising=False)
    res = CliRunner().invoke(app, ["serve"])
    assert res.exit_code == 2 and "no map given" in res.output
