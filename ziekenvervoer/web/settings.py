"""Settings of the web app: limits, CORS, map tiles. Chosen at start, never by a request."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from routing.errors import ZiekenvervoerError

#: Hard upper bounds of the request models (a deployment may lower them through WebSettings).
MAX_DATES = 366
MAX_RIDES = 800
MAX_TEXT = 300


class InvalidSetting(ZiekenvervoerError):
    """A web setting (tile URL, CORS origin, limit) is malformed."""

    code = "InvalidSetting"


@dataclass(frozen=True)
class WebSettings:
    """What a deployment of the web app may configure.

    Attributes
    ----------
    max_body_bytes : int
        Largest request body accepted (default 64 KiB); larger requests get HTTP 413.
    max_rides : int
        Most rides one quote may hold after a series is expanded (default 400: a year of
        treatment on every weekday plus margin); at most :data:`MAX_RIDES`.
    max_dates : int
        Most explicit ride dates (and skipped dates) in one request; at most :data:`MAX_DATES`.
    cors_origins : tuple of str
        Origins allowed to call the API from a browser (CORS). Empty (default): CORS is off and
        browsers allow only same-origin calls.
    tile_url : str, optional
        Map tile URL template (``https://tile.example.org/{z}/{x}/{y}.png``). Default: none; the
        page then draws the loaded map's roads itself and makes no third-party request.
    tile_attribution : str, optional
        Attribution shown for the tiles (required by most tile services).
    """

    max_body_bytes: int = 64 * 1024
    max_rides: int = 400
    max_dates: int = MAX_DATES
    cors_origins: tuple[str, ...] = ()
    tile_url: str | None = None
    tile_attribution: str | None = None

    def __post_init__(self) -> None:
        if not 1024 <= self.max_body_bytes <= 16 * 1024 * 1024:
            raise InvalidSetting(
                "max_body_bytes must lie between 1 KiB and 16 MiB", field="max_body_bytes"
            )
        if not 1 <= self.max_rides <= MAX_RIDES:
            raise InvalidSetting(f"max_rides must lie between 1 and {MAX_RIDES}", field="max_rides")
        if not 1 <= self.max_dates <= MAX_DATES:
            raise InvalidSetting(f"max_dates must lie between 1 and {MAX_DATES}", field="max_dates")
        for origin in self.cors_origins:
            parts = urlsplit(origin)
            if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path:
                raise InvalidSetting(
                    f"CORS origin {origin!r} must look like https://host[:port]",
                    field="cors_origins",
                )
        if self.tile_url is not None:
            self.tile_source()  # validates

    def tile_source(self) -> str | None:
        """Return the CSP source of the tile server (``https://*.tile.example.org``), if any.

        Raises
        ------
        InvalidSetting
            When the tile URL is not an http(s) template with ``{z}``, ``{x}`` and ``{y}``.
        """
        if self.tile_url is None:
            return None
        url = self.tile_url
        if not all(p in url for p in ("{z}", "{x}", "{y}")):
            raise InvalidSetting(
                "the tile URL needs {z}, {x} and {y}, e.g. https://tile.example.org/{z}/{x}/{y}.png",
                field="tile_url",
            )
        parts = urlsplit(url.replace("{s}", "s-placeholder"))
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise InvalidSetting(
                "the tile URL must start with http:// or https://", field="tile_url"
            )
        host = parts.netloc.replace("s-placeholder", "*")
        if not re.fullmatch(r"[A-Za-z0-9.*:\-\[\]]+", host):
            raise InvalidSetting("the tile URL has an unusable host", field="tile_url")
        return f"{parts.scheme}://{host}"
