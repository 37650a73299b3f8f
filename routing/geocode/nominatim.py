"""Nominatim (OpenStreetMap) through geopy (online, opt-in only).

geopy's :class:`geopy.geocoders.Nominatim` does the HTTP work; it is pointed at
``routing.settings.nominatim_url`` (scheme, host and path are taken from the URL, so a private
instance or a test server works the same way) and sends ``routing.settings.user_agent``, as the
usage policy requires. Results are limited to the Netherlands by default
(``countrycodes=nl``) and asked with address details, so they can be checked:

- a query with a house number is accepted only from a result with the same house number (and
  addition) and the same postcode, or the same street (and town, when given) -> ADDRESS;
- a query with a postcode also accepts a Nominatim postcode object for it -> POSTCODE6 (six
  characters) or POSTCODE4 (four digits);
- a query without house number (a named place such as a hospital) accepts a single object
  (``place_rank`` 30: a building or point of interest) -> ADDRESS with its name as label.

Streets, towns and areas are never accepted: they are not precise enough for loaded kilometres.
Nominatim's usage policy allows at most one request per second; that is the default spacing and
the floor for the public nominatim.openstreetmap.org. Bulk geocoding of many addresses through the
public instance is against the policy: use PDOK or an offline address table for batches.
See :mod:`routing.geocode.online` for opt-in, caching and logging.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from geopy.adapters import RequestsAdapter
from geopy.exc import GeocoderRateLimited, GeocoderTimedOut, GeocoderUnavailable, GeopyError
from geopy.geocoders import Nominatim

from routing.errors import GeocodeServiceError
from routing.geocode.address import (
    ParsedAddress,
    canonical_addition,
    fold,
    fold_town,
    format_postcode,
    normalise_postcode,
    parse_address,
)
from routing.geocode.base import not_found
from routing.geocode.cache import GeocodeCache
from routing.geocode.online import OnlineGeocoder
from routing.results import Location, Precision

_PUBLIC_HOST = "nominatim.openstreetmap.org"
_TOWN_KEYS = ("city", "town", "village", "hamlet", "municipality", "suburb")


def _house_number(raw: str) -> tuple[int | None, str]:
    match = re.fullmatch(r"\s*(\d+)\s*(.*?)\s*", raw)
    if not match:
        return None, ""
    return int(match.group(1)), canonical_addition(match.group(2))


def result_agrees(query: ParsedAddress, raw: dict[str, Any]) -> bool:
    """Whether a Nominatim result (``addressdetails=1``) is the address the query names."""
    address = raw.get("address")
    if not isinstance(address, dict) or query.number is None:
        return False
    number, addition = _house_number(str(address.get("house_number") or ""))
    if number != query.number or addition != query.addition:
        return False
    if query.postcode:
        return normalise_postcode(str(address.get("postcode") or "")) == query.postcode
    if not query.street or fold(str(address.get("road") or "")) != query.street:
        return False
    if query.town is None:
        return True
    return any(fold_town(str(address.get(k) or "")) == query.town for k in _TOWN_KEYS)


class NominatimGeocoder(OnlineGeocoder):
    """Geocode with a Nominatim server through geopy (online, opt-in).

    Parameters
    ----------
    base_url : str, optional
        Base URL of the server; default ``routing.settings.nominatim_url``.
    country_codes : sequence of str
        ISO 3166-1 alpha-2 codes to restrict results to; default ``("nl",)``.
    online, user_agent, timeout, min_delay_seconds, cache
        See :class:`routing.geocode.online.OnlineGeocoder`. ``min_delay_seconds`` is at least
        1.0 for the public server.
    """

    source = "nominatim"
    service_name = "Nominatim"
    default_min_delay = 1.0
    best_precision = Precision.ADDRESS

    def __init__(
        self,
        base_url: str | None = None,
        *,
        country_codes: Sequence[str] = ("nl",),
        online: bool | None = None,
        user_agent: str | None = None,
        timeout: float = 10.0,
        min_delay_seconds: float | None = None,
        cache: GeocodeCache | bool | None = None,
    ) -> None:
        from routing import settings

        super().__init__(
            base_url or settings.nominatim_url,
            online=online,
            user_agent=user_agent,
            timeout=timeout,
            min_delay_seconds=min_delay_seconds,
            cache=cache,
        )
        parts = urlsplit(self.base_url)
        if parts.hostname and parts.hostname.lower() == _PUBLIC_HOST:
            self.min_delay_seconds = max(1.0, self.min_delay_seconds)
        self.country_codes = [c.lower() for c in country_codes]
        self._client = Nominatim(
            user_agent=self.user_agent,
            domain=(parts.netloc + parts.path.rstrip("/")) or self.base_url,
            scheme=parts.scheme or "https",
            timeout=self.timeout,
            # no silent retries: each retry would send the address again, outside the rate limit
            adapter_factory=functools.partial(RequestsAdapter, max_retries=0),
        )

    def _fetch(self, text: str, field: str) -> Location:
        service = self.service_name
        try:
            results = self._client.geocode(
                text,
                exactly_one=False,
                limit=5,
                addressdetails=True,
                country_codes=self.country_codes or None,
            )
        except GeocoderTimedOut:
            raise GeocodeServiceError(
                f"{service} did not answer within {self.timeout:g} s; try again later.",
                field=field,
            ) from None
        except GeocoderUnavailable:
            raise GeocodeServiceError(
                f"{service} could not be reached or is unavailable.", field=field
            ) from None
        except GeocoderRateLimited:
            raise GeocodeServiceError(
                f"{service} refused the request: too many requests.", field=field
            ) from None
        except GeopyError as exc:
            raise GeocodeServiceError(
                f"{service} did not answer usefully ({type(exc).__name__}).", field=field
            ) from None
        except (ValueError, TypeError):
            raise GeocodeServiceError(
                f"{service} sent an answer that is not the expected JSON.", field=field
            ) from None
        parsed = parse_address(text)
        raws = [r.raw for r in results or [] if isinstance(getattr(r, "raw", None), dict)]
        for raw in raws:
            location = self._accept(parsed, raw)
            if location is not None:
                return location
        raise not_found(field, hint="Nominatim knows no single place that agrees with it.")

    def _point(self, raw: dict[str, Any]) -> tuple[float, float] | None:
        try:
            lat, lon = float(raw["lat"]), float(raw["lon"])
        except (KeyError, TypeError, ValueError):
            return None
        if -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0:
            return lat, lon
        return None

    def _accept(self, parsed: ParsedAddress, raw: dict[str, Any]) -> Location | None:
        point = self._point(raw)
        if point is None:
            return None
        address = raw.get("address") if isinstance(raw.get("address"), dict) else {}
        label = str(raw.get("display_name") or "") or None
        if parsed.number is not None:
            if (parsed.postcode or parsed.street) and result_agrees(parsed, raw):
                return Location(point[0], point[1], Precision.ADDRESS, self.source, label)
            return None
        if raw.get("class") == "place" and raw.get("type") == "postcode":
            code = str(address.get("postcode") or raw.get("name") or "")
            six = normalise_postcode(code)
            if parsed.postcode and six == parsed.postcode:
                return Location(
                    point[0], point[1], Precision.POSTCODE6, self.source, format_postcode(six)
                )
            four = code.strip()
            if parsed.postcode is None and parsed.pc4 and four == parsed.pc4:
                return Location(point[0], point[1], Precision.POSTCODE4, self.source, four)
            return None
        if parsed.postcode is None and parsed.pc4 is None:
            try:
                rank = int(raw.get("place_rank", 0))
            except (TypeError, ValueError):
                rank = 0
            if rank >= 30:
                name = str(raw.get("name") or "") or label
                return Location(point[0], point[1], Precision.ADDRESS, self.source, name)
        return None
