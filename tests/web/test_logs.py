"""No personal data in the server's logs: query strings never reach the access log."""

from __future__ import annotations

import logging
import logging.config

import httpx
import pytest

from tests.web.conftest import HOME, ZGT
from ziekenvervoer.web.logs import DropQueryString, uvicorn_log_config


def test_filter_drops_the_query_string():
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/x?home=Dorpsstraat%2012", "1.1", 200), None,
    )  # fmt: skip
    assert DropQueryString().filter(record) is True
    assert record.getMessage() == '127.0.0.1:5000 - "GET /api/x HTTP/1.1" 200'


def test_serve_installs_the_filter():
    config = uvicorn_log_config()
    assert config["loggers"]["uvicorn.access"]["filters"] == ["drop_query"]
    loggers = [logging.getLogger(name) for name in config["loggers"]]
    saved = [(lg, lg.level, list(lg.handlers), list(lg.filters), lg.propagate) for lg in loggers]
    logging.config.dictConfig(config)  # the configuration uvicorn will load is valid
    try:
        logger = logging.getLogger("uvicorn.access")
        assert any(isinstance(f, DropQueryString) for f in logger.filters)
    finally:
        for lg, level, handlers, filters, propagate in saved:
            lg.setLevel(level)
            lg.handlers[:] = handlers
            lg.filters[:] = filters
            lg.propagate = propagate


@pytest.mark.shared
def test_live_access_log_has_no_addresses(live_server, caplog):
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        httpx.get(f"{live_server.url}/api/health?home=Dorpsstraat+12+Hengelo", timeout=10)
        res = httpx.post(
            f"{live_server.url}/api/trip",
            json={"home": HOME, "treatment": ZGT, "geometry": False},
            timeout=30,
        )
        assert res.status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert any("GET /api/health HTTP" in line for line in lines), lines
    assert any("POST /api/trip HTTP" in line for line in lines), lines
    text = "\n".join(lines)
    assert "Dorpsstraat" not in text and "52.287907" not in text and "?" not in text
