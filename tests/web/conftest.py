"""Fixtures for the web app: the real Hengelo map, loaded once, and a test client."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import shared_path

HOME = "52.287907,6.797534"
ZGT = "52.2638,6.7708"  # ZGT Hengelo, Geerdinksweg 141


@pytest.fixture(scope="session")
def hengelo_router():
    from routing.router import Router

    return Router.from_file(shared_path("osm", "hengelo.osm.pbf"))


@pytest.fixture(scope="session")
def app(hengelo_router):
    from ziekenvervoer.web import create_app

    return create_app(hengelo_router)


@pytest.fixture(scope="session")
def client(app):
    # raise_server_exceptions=False: a server error must come back as an answer, as in production
    return TestClient(app, raise_server_exceptions=False)


def quote_body(**extra):
    """A Hengelo dialysis series quote (taxi, contracted carrier, VGZ Ruime Keuze)."""
    body = {
        "home": HOME,
        "treatment": ZGT,
        "series": {"start": "2025-09-01", "weekdays": ["mon", "wed", "fri"], "months": 3},
        "indication": "dialysis",
        "mode": "taxi",
        "carrier": "Voorbeeld Zorgtaxi Twente",
        "insurer": "VGZ",
        "product": "Ruime Keuze",
        "authorisation": {"number": "M2025-001"},
    }
    body.update(extra)
    return body
