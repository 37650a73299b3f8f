"""Several geocoders tried in order, and the default chain the router and CLI use.

:class:`GeocoderChain` asks its providers in order and keeps the most precise answer. A provider
is skipped when it cannot give a strictly more precise answer than one already found (its
``best_precision``), so an exact address from the offline table is never sent to PDOK and the
PC4 file is only read when nothing better than a four-digit postcode is known. On a tie the
earlier provider wins.

``GeocodeNotFound`` from a provider means "ask the next one". Every other error stops the chain
and reaches the caller: a malformed query (``InvalidQuery``), an ambiguous hospital name
(``GeocodeAmbiguous``) and a failed online service (``GeocodeServiceError``: an answer that is
less precise than the user asked for is not silently substituted). An online provider whose
opt-in is off (``routing.settings.online_geocoding`` turned off after the chain was built) is
skipped; the final "not found" message says so.

:func:`build_geocoder` builds the default chain:

1. coordinates (``"52.2638,6.7708"``): exact, cheap and never ambiguous;
2. hospitals by name (when a locations file is given): treatment addresses are mostly hospitals,
   their names are public, and a name such as ``ZGT Hengelo`` should never be read as an address;
3. the offline address table (when given): authoritative for the user's region, and nothing
   leaves the machine;
4. PDOK Locatieserver (only when online geocoding is enabled): the national BAG service, asked
   only when the offline providers found no exact address;
5. PC4 centres (when given): the coarse last resort, offline.

Nominatim is not in the default chain: its public server forbids bulk geocoding, and PDOK covers
Dutch addresses from the official register. Use
:class:`~routing.geocode.nominatim.NominatimGeocoder` explicitly, for example in a custom
:class:`GeocoderChain`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from routing.errors import GeocodeNotFound
from routing.geocode.base import PRECISION_RANK, Geocoder, Suggester, more_precise, not_found
from routing.geocode.cache import DiskCache, GeocodeCache
from routing.geocode.coordinates import CoordinatesGeocoder
from routing.geocode.hospitals import HospitalGeocoder
from routing.geocode.online import OnlineGeocoder
from routing.geocode.pc4 import PC4Geocoder
from routing.geocode.pdok import PDOKGeocoder
from routing.geocode.table import AddressTable
from routing.results import Location


class GeocoderChain(Geocoder):
    """Try geocoders in order and return the most precise answer (see the module docstring).

    Parameters
    ----------
    providers : sequence of Geocoder
        The providers, most precise and most trusted first.
    """

    source = "chain"

    def __init__(self, providers: Sequence[Geocoder]) -> None:
        if not providers:
            raise ValueError("a GeocoderChain needs at least one provider")
        self.providers: tuple[Geocoder, ...] = tuple(providers)
        self.best_precision = min(  # type: ignore[misc]
            (p.best_precision for p in self.providers), key=PRECISION_RANK.__getitem__
        )

    def __repr__(self) -> str:
        inner = ", ".join(repr(p) for p in self.providers)
        return f"GeocoderChain([{inner}])"

    def _geocode(self, text: str, field: str) -> Location:
        best: Location | None = None
        switched_off: list[str] = []
        for provider in self.providers:
            if best is not None and not more_precise(provider.best_precision, best.precision):
                continue
            if isinstance(provider, OnlineGeocoder) and not provider.enabled:
                switched_off.append(provider.service_name)
                continue
            try:
                location = provider._geocode(text, field)
            except GeocodeNotFound:
                continue
            if best is None or more_precise(location.precision, best.precision):
                best = location
        if best is None:
            tried = ", ".join(p.source for p in self.providers)
            hint = f"Tried: {tried}."
            if switched_off:
                hint += f" Online geocoding ({', '.join(switched_off)}) is off."
            raise not_found(field, hint=hint)
        return best

    def suggest(self, prefix: str, limit: int = 10) -> list[Location]:
        """Return up to ``limit`` completions from the offline providers that offer them.

        Providers are asked in chain order (hospitals before the address table); labels are not
        repeated. Online providers are never asked: typing must not send anything out.
        """
        out: list[Location] = []
        seen: set[str | None] = set()
        for provider in self.providers:
            if provider.online or not isinstance(provider, Suggester):
                continue
            for location in provider.suggest(prefix, limit):
                if location.label in seen:
                    continue
                seen.add(location.label)
                out.append(location)
                if len(out) >= limit:
                    return out
        return out


def build_geocoder(
    address_table: str | os.PathLike[str] | AddressTable | None = None,
    pc4: str | os.PathLike[str] | PC4Geocoder | None = None,
    hospitals: str | os.PathLike[str] | HospitalGeocoder | None = None,
    online: bool | None = None,
    *,
    disk_cache: DiskCache | str | os.PathLike[str] | bool | None = None,
) -> GeocoderChain:
    """Build the default chain: coordinates -> hospitals -> address table -> PDOK -> PC4.

    Parameters
    ----------
    address_table : path or AddressTable, optional
        CSV of addresses with points (see :mod:`routing.geocode.table`).
    pc4 : path or PC4Geocoder, optional
        PC4 centres file (see :mod:`routing.geocode.pc4`).
    hospitals : path or HospitalGeocoder, optional
        Hospital locations file (see :mod:`routing.geocode.hospitals`).
    online : bool, optional
        ``True`` adds PDOK, enabled; ``False`` leaves it out; ``None`` (default) adds it when
        ``routing.settings.online_geocoding`` is true, following the setting at each call.
    disk_cache : DiskCache, path or bool, optional
        On-disk cache for PDOK answers (see :mod:`routing.geocode.cache`); default memory only.

    Returns
    -------
    GeocoderChain
        The chain; see :mod:`routing.geocode.chain` for the order and why.
    """
    from routing import settings

    providers: list[Geocoder] = [CoordinatesGeocoder()]
    if hospitals is not None:
        providers.append(
            hospitals if isinstance(hospitals, HospitalGeocoder) else HospitalGeocoder(hospitals)
        )
    if address_table is not None:
        providers.append(
            address_table
            if isinstance(address_table, AddressTable)
            else AddressTable(address_table)
        )
    use_online = settings.online_geocoding if online is None else online
    if use_online:
        providers.append(PDOKGeocoder(online=online, cache=GeocodeCache(disk=disk_cache)))
    if pc4 is not None:
        providers.append(pc4 if isinstance(pc4, PC4Geocoder) else PC4Geocoder(pc4))
    return GeocoderChain(providers)
