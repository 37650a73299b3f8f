"""Fixtures for routing tests: routers on the shared real extracts, loaded once per session."""

from __future__ import annotations

import pytest

from tests.conftest import shared_path


@pytest.fixture(scope="session")
def hengelo_pbf():
    return shared_path("osm", "hengelo.osm.pbf")


@pytest.fixture(scope="session")
def hengelo_router(hengelo_pbf):
    from routing.router import Router

    return Router.from_file(hengelo_pbf)


@pytest.fixture(scope="session")
def spijkenisse_router():
    from routing.router import Router

    return Router.from_file(shared_path("osm", "spijkenisse.osm.pbf"))
