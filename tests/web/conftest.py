"""Fixtures for the web app: the real Hengelo map, loaded once, and a test client."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import PROJECT_ROOT, shared_path

HOME = "52.287907,6.797534"
ZGT = "52.2638,6.7708"  # ZGT Hengelo, Geerdinksweg 141
#: Hand-made hospital list (ZGT Hengelo is not in the shared 2019 list of emergency departments).
HOSPITALS = PROJECT_ROOT / "tests" / "routing" / "fixtures" / "geocode" / "hospitals_small.geojson"


@pytest.fixture(scope="session")
def hengelo_router():
    from routing.router import Router

    return Router.from_file(shared_path("osm", "hengelo.osm.pbf"))


@pytest.fixture(scope="session")
def app(hengelo_router):
    from ziekenvervoer.web import create_app

    return create_app(hengelo_router)


@pytest.fixture(scope="session")
def geo_app(hengelo_router):
    """The app on a router that also knows hospital names (offline), as ``serve --hospitals``."""
    from routing.geocode import build_geocoder
    from routing.router import Router
    from ziekenvervoer.web import create_app

    router = Router(
        hengelo_router.network,
        geocoder=build_geocoder(hospitals=HOSPITALS),
        engine=hengelo_router.engine,
    )
    return create_app(router)


@pytest.fixture(scope="session")
def geo_client(geo_app):
    return TestClient(geo_app, raise_server_exceptions=False)


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


class LiveServer:
    """The app served by uvicorn on 127.0.0.1 in a background thread."""

    def __init__(self, app) -> None:
        import socket
        import threading

        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_config=None, access_log=True, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        import time

        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.fixture(scope="session")
def live_server(geo_app):
    from ziekenvervoer.web.logs import install_access_log_filter

    install_access_log_filter()
    with LiveServer(geo_app) as server:
        yield server
