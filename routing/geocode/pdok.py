"""PDOK Locatieserver: the Dutch government's geocoder on the BAG (online, opt-in only).

The ``/free`` endpoint of https://api.pdok.nl/bzk/locatieserver/search/v3_1 is asked for
documents of type ``adres`` and ``postcode`` (``fq=type:(adres OR postcode)``). Each document
carries ``centroide_ll`` as WKT ``POINT(lon lat)`` in WGS84, the BAG fields ``postcode``,
``huisnummer``, ``huisletter``, ``huisnummertoevoeging``, ``straatnaam``, ``woonplaatsnaam``, a
display name ``weergavenaam`` and a relevance ``score``; documents come best first.

The free search always returns its best guesses, also for input it does not know, so an answer is
only accepted when it agrees with what the query says (parsed with
:func:`routing.geocode.address.parse_address`):

- an ``adres`` document with the query's house number and addition, and the query's postcode
  (or, without a postcode, its street and, when given, town) -> precision ADDRESS;
- otherwise a ``postcode`` document with the query's six-character postcode -> POSTCODE6.

Queries without a house number or postcode (a town, a hospital name) are not sent at all.
See :mod:`routing.geocode.online` for opt-in, rate limiting (default: at most 5 requests a
second, a courtesy choice for a free service), caching and logging.
"""

from __future__ import annotations

import re
from typing import Any

import requests

from routing.errors import GeocodeServiceError
from routing.geocode.address import (
    ParsedAddress,
    canonical_addition,
    fold,
    fold_town,
    normalise_postcode,
    parse_address,
)
from routing.geocode.base import not_found
from routing.geocode.cache import GeocodeCache
from routing.geocode.online import OnlineGeocoder
from routing.results import Location, Precision

#: Fields asked for (``fl``): only what is used.
FIELDS = (
    "id,type,weergavenaam,straatnaam,straatnaam_verkort,huisnummer,huisletter,"
    "huisnummertoevoeging,huis_nlt,postcode,woonplaatsnaam,centroide_ll,score"
)

_POINT = re.compile(
    r"\s*POINT\s*\(\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s+([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*\)\s*",
    re.I,
)


def parse_wkt_point(text: object) -> tuple[float, float] | None:
    """Return ``(lat, lon)`` from WKT ``"POINT(lon lat)"``, or ``None`` if it is not one."""
    if not isinstance(text, str):
        return None
    match = _POINT.fullmatch(text)
    if not match:
        return None
    lon, lat = float(match.group(1)), float(match.group(2))
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    return lat, lon


def _doc_addition(doc: dict[str, Any]) -> str:
    if "huisletter" in doc or "huisnummertoevoeging" in doc:
        return canonical_addition(doc.get("huisletter"), doc.get("huisnummertoevoeging"))
    huis_nlt = str(doc.get("huis_nlt") or "")
    return canonical_addition(re.sub(r"^\s*\d+", "", huis_nlt))


def _doc_number(doc: dict[str, Any]) -> int | None:
    value = doc.get("huisnummer")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def address_doc_agrees(query: ParsedAddress, doc: dict[str, Any]) -> bool:
    """Whether a PDOK ``adres`` document is the address the parsed query names."""
    if query.number is None or _doc_number(doc) != query.number:
        return False
    if _doc_addition(doc) != query.addition:
        return False
    if query.postcode:
        return normalise_postcode(str(doc.get("postcode") or "")) == query.postcode
    if not query.street:
        return False
    streets = {fold(str(doc.get(k) or "")) for k in ("straatnaam", "straatnaam_verkort")}
    if query.street not in streets:
        return False
    return query.town is None or fold_town(str(doc.get("woonplaatsnaam") or "")) == query.town


class PDOKGeocoder(OnlineGeocoder):
    """Geocode Dutch addresses and postcodes with PDOK Locatieserver (online, opt-in).

    Parameters
    ----------
    base_url : str, optional
        Base URL up to ``/v3_1``; default ``routing.settings.pdok_url``. ``/free`` is appended.
    rows : int
        Documents asked per query (the best agreeing one is used).
    online, user_agent, timeout, min_delay_seconds, cache
        See :class:`routing.geocode.online.OnlineGeocoder`.
    """

    source = "pdok"
    service_name = "PDOK Locatieserver"
    default_min_delay = 0.2
    best_precision = Precision.ADDRESS

    def __init__(
        self,
        base_url: str | None = None,
        *,
        rows: int = 5,
        online: bool | None = None,
        user_agent: str | None = None,
        timeout: float = 10.0,
        min_delay_seconds: float | None = None,
        cache: GeocodeCache | bool | None = None,
    ) -> None:
        from routing import settings

        super().__init__(
            base_url or settings.pdok_url,
            online=online,
            user_agent=user_agent,
            timeout=timeout,
            min_delay_seconds=min_delay_seconds,
            cache=cache,
        )
        self.rows = max(1, int(rows))
        self._session = requests.Session()
        self._session.headers.update({"User-Agent": self.user_agent, "Accept": "application/json"})

    def _precheck(self, text: str, field: str) -> None:
        parsed = parse_address(text)
        if not (parsed.is_address or parsed.postcode):
            raise not_found(
                field, "the input", "PDOK is only asked for a postcode or an address with number."
            )

    def _request(self, text: str, field: str) -> list[dict[str, Any]]:
        params = {
            "q": text,
            "fq": "type:(adres OR postcode)",
            "fl": FIELDS,
            "rows": str(self.rows),
        }
        service = self.service_name
        try:
            response = self._session.get(
                f"{self.base_url}/free", params=params, timeout=self.timeout
            )
        except requests.Timeout:
            raise GeocodeServiceError(
                f"{service} did not answer within {self.timeout:g} s; try again later.",
                field=field,
            ) from None
        except requests.RequestException as exc:
            raise GeocodeServiceError(
                f"{service} could not be reached ({type(exc).__name__}).", field=field
            ) from None
        if response.status_code == 429:
            raise GeocodeServiceError(
                f"{service} refused the request: too many requests (HTTP 429).", field=field
            )
        if response.status_code != 200:
            raise GeocodeServiceError(
                f"{service} answered with HTTP {response.status_code}.", field=field
            )
        try:
            data = response.json()
            docs = data["response"]["docs"]
        except (ValueError, KeyError, TypeError):
            raise GeocodeServiceError(
                f"{service} sent an answer that is not the expected JSON.", field=field
            ) from None
        if not isinstance(docs, list):
            raise GeocodeServiceError(
                f"{service} sent an answer that is not the expected JSON.", field=field
            )
        return [doc for doc in docs if isinstance(doc, dict)]

    def _fetch(self, text: str, field: str) -> Location:
        docs = self._request(text, field)
        parsed = parse_address(text)
        for doc in docs:
            point = parse_wkt_point(doc.get("centroide_ll"))
            if point and doc.get("type") == "adres" and address_doc_agrees(parsed, doc):
                return Location(
                    lat=point[0],
                    lon=point[1],
                    precision=Precision.ADDRESS,
                    source=self.source,
                    label=str(doc.get("weergavenaam") or "") or None,
                )
        for doc in docs:
            point = parse_wkt_point(doc.get("centroide_ll"))
            code = normalise_postcode(str(doc.get("postcode") or ""))
            if (
                point
                and doc.get("type") == "postcode"
                and parsed.postcode
                and code == parsed.postcode
            ):
                return Location(
                    lat=point[0],
                    lon=point[1],
                    precision=Precision.POSTCODE6,
                    source=self.source,
                    label=f"{code[:4]} {code[4:]}",
                )
        raise not_found(field, hint="PDOK knows no address or postcode that agrees with it.")
