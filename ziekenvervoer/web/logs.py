"""Logging without personal data for the web server.

Every endpoint that takes an address or a patient's facts takes them in a POST body, which
uvicorn never logs. Query strings are dropped from the access log all the same (a GET with an
address typed into the URL by hand must not land in a log file): :class:`DropQueryString`
rewrites uvicorn's access-log records to the bare path.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

ACCESS_LOGGER = "uvicorn.access"


class DropQueryString(logging.Filter):
    """Remove the query string from uvicorn access-log records.

    uvicorn logs ``'%s - "%s %s HTTP/%s" %d'`` with ``(client, method, path_with_query,
    http_version, status)``; the third argument is cut at ``?``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's path argument; always keep the record."""
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path = args[2].split("?", 1)[0]
            record.args = (*args[:2], path, *args[3:])
        return True


def install_access_log_filter() -> None:
    """Attach :class:`DropQueryString` to uvicorn's access logger (once)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, DropQueryString) for f in logger.filters):
        logger.addFilter(DropQueryString())


def uvicorn_log_config() -> dict[str, Any]:
    """Return uvicorn's default logging configuration with the query-string filter installed."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["drop_query"] = {"()": DropQueryString}
    config["loggers"].setdefault(ACCESS_LOGGER, {})["filters"] = ["drop_query"]
    config["loggers"]["ziekenvervoer.web"] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    return config
