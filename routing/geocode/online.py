"""What the online geocoders share: opt-in, rate limiting, caching and quiet logs.

Opt-in
    An online geocoder sends the query (a patient's address) to a service outside this machine,
    so it only works when the user says so: either ``routing.settings.online_geocoding`` is true
    (environment ``ZIEKENVERVOER_ONLINE_GEOCODING=1``), read at every call, or the geocoder was
    built with ``online=True``. ``online=False`` switches it off whatever the setting. Otherwise
    every call raises :class:`~routing.errors.GeocodeDisabled` before any cache lookup or request.

Rate limiting
    geopy's :class:`~geopy.extra.rate_limiter.RateLimiter` (thread-safe, no retries, exceptions
    passed through) spaces the *starts* of requests to one service (one host) by at least
    ``min_delay_seconds``, shared by every geocoder instance in the process that talks to that
    host with that delay. Nominatim's policy is at most one request per second; the public
    nominatim.openstreetmap.org is never asked faster than that.

Caching
    A :class:`~routing.geocode.cache.GeocodeCache` (in-memory LRU by default, optional on-disk
    cache keyed by an HMAC-SHA-256 of the normalised query) is consulted before the rate limiter:
    a cache hit sends nothing.

Quiet logs
    Query text must never reach a log. geopy logs request URLs (with the query) at DEBUG and
    error bodies at INFO, and urllib3 logs request lines with the query string at DEBUG.
    When the first online geocoder is created, a filter is added to the ``geopy``, ``urllib3``
    and ``requests`` loggers that removes URL query strings and such bodies from their records,
    and drops exception text (which can carry the URL). Errors raised here name the service and
    the kind of failure, never the query, and are raised ``from None`` so no chained exception
    carries the URL either.
"""

from __future__ import annotations

import logging
import re
import threading
from abc import abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from geopy.extra.rate_limiter import RateLimiter

from routing.errors import GeocodeDisabled
from routing.geocode.address import normalise_query
from routing.geocode.base import Geocoder
from routing.geocode.cache import GeocodeCache
from routing.results import Location

T = TypeVar("T")

_URL_QUERY = re.compile(r"\?[^\s\"'<>]*")
_GEOPY_WITH_DATA = ("Called with", "Received an HTTP error", ".geocode:", ".reverse:")
_REDACTED_LOGGERS = ("geopy", "urllib3", "urllib3.connectionpool", "requests")


class _RedactQueries(logging.Filter):
    """Remove URL query strings, response bodies and exception text from third-party records."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not format: keep only its template
            message = str(record.msg)
        message = _URL_QUERY.sub("?<redacted>", message)
        if record.name.startswith("geopy") and any(mark in message for mark in _GEOPY_WITH_DATA):
            message = message.split(":", 1)[0] + ": <redacted>"
        record.msg = message
        record.args = None
        record.exc_info = None
        record.exc_text = None
        return True


_redaction_installed = False
_redaction_lock = threading.Lock()


def install_log_redaction() -> None:
    """Add the query-redacting filter to the loggers of geopy, urllib3 and requests (once)."""
    global _redaction_installed
    with _redaction_lock:
        if _redaction_installed:
            return
        for name in _REDACTED_LOGGERS:
            logging.getLogger(name).addFilter(_RedactQueries())
        _redaction_installed = True


_limiters: dict[tuple[str, float], RateLimiter] = {}
_limiters_lock = threading.Lock()


def _call(function: Callable[..., T], *args: Any) -> T:
    return function(*args)


def shared_rate_limiter(host: str, min_delay_seconds: float) -> RateLimiter:
    """Return the process-wide rate limiter for ``host`` with the given spacing."""
    key = (host.lower(), float(min_delay_seconds))
    with _limiters_lock:
        limiter = _limiters.get(key)
        if limiter is None:
            limiter = RateLimiter(
                _call,
                min_delay_seconds=float(min_delay_seconds),
                max_retries=0,
                swallow_exceptions=False,
            )
            _limiters[key] = limiter
        return limiter


class OnlineGeocoder(Geocoder):
    """Base class of geocoders that call a web service (see the module docstring).

    Parameters
    ----------
    base_url : str
        Base URL of the service.
    online : bool, optional
        ``True`` enables the geocoder regardless of ``routing.settings.online_geocoding``;
        ``False`` disables it; ``None`` (default) follows the setting at each call.
    user_agent : str, optional
        HTTP User-Agent; default ``routing.settings.user_agent``.
    timeout : float
        Seconds to wait for an answer before raising ``GeocodeServiceError``.
    min_delay_seconds : float, optional
        Least time between the starts of two requests to the service; default per service.
    cache : GeocodeCache or bool, optional
        The cache; ``None`` (default) for a fresh in-memory LRU of 1024 entries, ``False`` for
        no cache.
    """

    online = True
    #: Human name of the service, used in messages.
    service_name: ClassVar[str] = "online geocoder"
    #: Default spacing between requests, in seconds.
    default_min_delay: ClassVar[float] = 1.0

    def __init__(
        self,
        base_url: str,
        *,
        online: bool | None = None,
        user_agent: str | None = None,
        timeout: float = 10.0,
        min_delay_seconds: float | None = None,
        cache: GeocodeCache | bool | None = None,
    ) -> None:
        from routing import settings

        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self._online = online
        self.user_agent = user_agent or settings.user_agent
        self.timeout = float(timeout)
        delay = self.default_min_delay if min_delay_seconds is None else float(min_delay_seconds)
        self.min_delay_seconds = max(0.0, delay)
        if cache is None or cache is True:
            self.cache: GeocodeCache | None = GeocodeCache()
        elif cache is False:
            self.cache = None
        else:
            self.cache = cache
        install_log_redaction()

    @property
    def enabled(self) -> bool:
        """Whether the user opted in to online geocoding for this geocoder (now)."""
        if self._online is not None:
            return self._online
        from routing import settings

        return bool(settings.online_geocoding)

    def _disabled(self, field: str) -> GeocodeDisabled:
        return GeocodeDisabled(
            f"Online geocoding with {self.service_name} is off, so {field!r} was not looked up: "
            "patient addresses only leave this machine when you opt in. Enable it with "
            "ZIEKENVERVOER_ONLINE_GEOCODING=1 (routing.settings.online_geocoding = True) or "
            "online=True, or supply an offline address table.",
            field=field,
        )

    def cache_key(self, text: str) -> str:
        """Return the cache key of a query: service, base URL and the normalised query."""
        return f"{self.source}|{self.base_url}|{normalise_query(text)}"

    def _geocode(self, text: str, field: str) -> Location:
        if not self.enabled:
            raise self._disabled(field)
        key = self.cache_key(text)
        if self.cache is not None:
            cached = self.cache.get(key)
            if cached is not None:
                return cached
        self._precheck(text, field)
        limiter = shared_rate_limiter(self.host, self.min_delay_seconds)
        location: Location = limiter(self._fetch, text, field)
        if self.cache is not None:
            self.cache.put(key, location)
        return location

    def _precheck(self, text: str, field: str) -> None:
        """Raise ``GeocodeNotFound`` before any request for queries the service cannot answer."""

    @abstractmethod
    def _fetch(self, text: str, field: str) -> Location:
        """Ask the service (one request) and return a verified location or raise."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r}, enabled={self.enabled})"
