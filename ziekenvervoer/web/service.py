"""What the web app does per request, on top of :mod:`routing` and :mod:`transport`.

The service holds what is loaded once at start (router, parameters, tariff table, insurer
configuration, address suggester) and turns validated request models into the project's
objects and back into JSON-ready dicts. It holds no rules: every number comes from
:mod:`routing` or :mod:`transport`.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from routing.errors import RoutingError
from routing.results import Location, Trip
from transport.errors import InvalidInput
from transport.indications import LABELS as INDICATION_LABELS
from transport.indications import Indication
from transport.insurers import InsurerConfig
from transport.parameters import ParameterSet
from transport.quote import Quote, QuoteRequest, quote
from transport.schedule import ride_dates
from transport.tariffs import Mode, PolicyType, TariffTable
from ziekenvervoer.quote_request import (
    authorisation_for,
    parameter_set,
    ride_schedule,
    with_carrier_contracted,
)
from ziekenvervoer.web.models import (
    HardshipIn,
    LatLonIn,
    QuoteIn,
    RouteIn,
    SuggestIn,
    TripIn,
)
from ziekenvervoer.web.settings import WebSettings

if TYPE_CHECKING:
    from routing.router import Router

MODE_LABELS: dict[Mode, str] = {
    Mode.TAXI: "taxi",
    Mode.OWN_CAR: "eigen auto",
    Mode.PUBLIC_TRANSPORT: "openbaar vervoer",
}
POLICY_LABELS: dict[PolicyType, str] = {
    PolicyType.NATURA: "naturapolis",
    PolicyType.RESTITUTIE: "restitutiepolis",
}


@runtime_checkable
class Suggester(Protocol):
    """Anything that completes a typed prefix to places (``routing.geocode`` providers do)."""

    def suggest(self, prefix: str, limit: int = 10) -> list[Location]:
        """Return up to ``limit`` places whose label completes ``prefix``."""
        ...


def point_arg(point: str | LatLonIn) -> str | tuple[float, float]:
    """Turn a request's point into what the router accepts."""
    if isinstance(point, LatLonIn):
        return (point.lat, point.lon)
    return point


#: How many suggestions are asked of the source before those on the map are put first: enough
#: to hold every match of a short prefix in a national hospital list (89 locations).
SUGGEST_POOL = 100


def trip_dict(trip: Trip, geometry: bool = True) -> dict[str, Any]:
    """Return a trip as the API shows it (both legs, loaded km, the map)."""
    out = trip.to_dict(geometry=geometry)
    out["single_trip_km"] = trip.single_trip_km
    out["map"] = trip.map.to_dict()
    return out


@dataclass
class Service:
    """The loaded state of a web app and its operations.

    Parameters
    ----------
    router : routing.router.Router
        The router on the map chosen at start.
    settings : WebSettings
        Limits and page settings.
    parameters : ParameterSet
        Parameter source for every rule.
    tariffs : TariffTable
        Carriers and reference tariffs for taxi rides.
    insurers : InsurerConfig
        Insurer brands.
    suggester : Suggester, optional
        Source of address and hospital suggestions.
    """

    router: Router
    settings: WebSettings
    parameters: ParameterSet
    tariffs: TariffTable
    insurers: InsurerConfig
    suggester: Suggester | None = None
    _network: tuple[bytes, bytes] | None = field(default=None, repr=False)
    _network_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # --- routing --------------------------------------------------------------------------------

    def _trip(self, home: str | LatLonIn, treatment: str | LatLonIn) -> Trip:
        return self.router.trip(point_arg(home), point_arg(treatment))

    def route(self, body: RouteIn) -> dict[str, Any]:
        """Route origin -> destination; optionally with the near-tie sensitivity."""
        route = self.router.route(point_arg(body.origin), point_arg(body.destination))
        out = route.to_dict(geometry=body.geometry)
        if body.sensitivity_s is not None:
            sens = self.router.sensitivity(route, body.sensitivity_s)
            out["sensitivity"] = sens.to_dict()
        return out

    def trip(self, body: TripIn) -> Trip:
        """Route home -> treatment and back."""
        return self._trip(body.home, body.treatment)

    # --- quotes ---------------------------------------------------------------------------------

    def quote_request(self, body: QuoteIn, trip: Trip | None) -> QuoteRequest:
        """Build the :class:`~transport.quote.QuoteRequest` of a request, checking batch limits.

        Raises
        ------
        InvalidInput
            For too many rides, or inputs the rules reject.
        """
        s = body.series
        dates = ride_schedule(
            dates=body.dates,
            start=s.start if s else None,
            weekdays=[w.value for w in s.weekdays] if s else None,
            months=s.months if s else None,
            until=s.until if s else None,
            skip=s.skip if s else (),
        )
        if s is not None and len(s.skip) > self.settings.max_dates:
            raise InvalidInput(
                f"at most {self.settings.max_dates} skipped dates", field="series.skip"
            )
        if body.dates is not None and len(body.dates) > self.settings.max_dates:
            raise InvalidInput(f"at most {self.settings.max_dates} ride dates", field="dates")
        n = len(ride_dates(dates))
        if n > self.settings.max_rides:
            raise InvalidInput(
                f"the rides number {n}; one quote takes at most {self.settings.max_rides}: "
                "split the period",
                field="series" if s else "dates",
            )
        a = body.authorisation
        auth = None
        if a is not None:
            auth = authorisation_for(
                a.number,
                dates=dates,
                indication=body.indication.value,
                mode=body.mode.value,
                valid_from=a.valid_from,
                valid_to=a.valid_to,
                auth_indication=a.indication.value if a.indication else None,
                auth_mode=a.mode.value if a.mode else None,
                carrier=a.carrier,
                max_rides=a.max_rides,
                rides_used=a.rides_used,
            )
        return QuoteRequest(
            dates=dates,
            indication=body.indication,
            mode=body.mode,
            trip=trip,
            single_trip_km=body.single_trip_km,
            loaded_km=body.loaded_km,
            legs=1 if body.one_way else 2,
            policy_type=body.policy_type,
            insurer=body.insurer,
            product=body.product,
            carrier=body.carrier,
            pt_fare_eur=body.pt_fare_eur,
            purpose=body.purpose,
            therapy=body.therapy,
            cannot_travel_alone=not body.can_travel_alone,
            birth_date=body.birth_date,
            companions=body.companions,
            companion_necessary=body.companion_necessary,
            two_companions_approved=body.two_companions_approved,
            authorisation=auth,
            hardship_months=body.hardship_months,
            hardship_per_week=body.hardship_per_week,
            provider_approved=body.over_200_approved,
            contribution_paid=dict(body.contribution_paid),
            eigen_bijdrage=dict(body.eigen_bijdrage),
        )

    def quote(self, body: QuoteIn) -> tuple[Quote, Trip | None]:
        """Route (when addresses are given) and quote."""
        trip = None
        if body.home is not None and body.treatment is not None:
            trip = self._trip(body.home, body.treatment)
        request = self.quote_request(body, trip)
        table = None
        if body.mode is Mode.TAXI:
            table = self.tariffs
            if body.carrier is not None and body.carrier_contracted is not None:
                table = with_carrier_contracted(table, body.carrier, body.carrier_contracted)
        elif body.carrier_contracted is not None:
            raise InvalidInput("carrier_contracted is only used with mode taxi", field="carrier")
        params = parameter_set(base=self.parameters, km_rate=body.km_rate)
        result = quote(request, parameters=params, tariffs=table, insurers=self.insurers)
        return result, trip

    @staticmethod
    def quote_dict(result: Quote, trip: Trip | None) -> dict[str, Any]:
        """Return the API answer of a quote: the quote and the routed trip."""
        out = result.to_dict()
        out["trip"] = trip_dict(trip) if trip is not None else None
        return out

    # --- hardheidsclausule, payment date --------------------------------------------------------

    def hardship(self, body: HardshipIn) -> dict[str, Any]:
        """Run the hardheidsclausule test (routing the single trip when addresses are given)."""
        from transport.hardship import check_hardship

        trip = None
        km: Any = body.single_trip_km
        if body.home is not None and body.treatment is not None:
            trip = self._trip(body.home, body.treatment)
            km = trip.single_trip_km
        decision = check_hardship(
            body.months,
            body.per_week,
            km,
            body.on or dt.date.today(),
            parameters=self.parameters,
        )
        d = decision.details
        keys = (
            "qualifies", "score", "threshold", "margin", "months", "months_counted",
            "months_capped", "per_week", "single_trip_km", "km_needed", "m_needed",
            "km_margin", "close", "formula",
        )  # fmt: skip
        out = {k: d[k] for k in keys}
        out["decision"] = decision.to_dict()
        out["trip"] = trip_dict(trip) if trip is not None else None
        return out

    def payment_date(
        self,
        received: dt.date,
        channel: str,
        closing_days: list[dt.date],
        working_days: int | None,
    ) -> dict[str, Any]:
        """Return the expected payment date of a claim (see :mod:`transport.workdays`)."""
        from transport.workdays import WorkdayCalendar, expected_payment_date, parse_channel

        chan = parse_channel(channel)
        calendar = WorkdayCalendar(extra_closing_days={d: "sluitingsdag" for d in closing_days})
        params = self.parameters
        if working_days is not None:
            params = params.with_overrides(
                **{f"betaaltermijn_werkdagen_{chan.value}": working_days}
            )
        result = expected_payment_date(received, chan, calendar=calendar, parameters=params)
        return result.to_dict() | {"calendar": calendar.describe()}

    # --- suggestions, info, network ---------------------------------------------------------------

    def on_map(self, lat: float, lon: float) -> bool:
        """Whether a route can start at a point: inside the map, with a road within reach.

        The same test the router applies to a routed point (``OutsideMap`` / ``NoSegment``).
        """
        try:
            self.router.snapper.snap(lat, lon, self.router.limit_m)
        except RoutingError:
            return False
        return True

    def suggest(self, body: SuggestIn) -> dict[str, Any]:
        """Complete a typed prefix from the offline address sources (never online).

        Places that can be routed on the loaded map come first, in the source's order; places
        off the map (a national hospital list on a city map) follow, marked ``on_map: false``:
        still offered, so that a dispatcher learns the name is known but lies off this map,
        rather than that it is unknown.
        """
        if self.suggester is None:
            return {"available": False, "suggestions": []}
        found = self.suggester.suggest(body.q, max(body.limit, SUGGEST_POOL))
        marked = [(loc, self.on_map(loc.lat, loc.lon)) for loc in found if loc.label]
        ranked = [m for m in marked if m[1]] + [m for m in marked if not m[1]]
        out = [
            {
                "label": loc.label,
                "lat": loc.lat,
                "lon": loc.lon,
                "precision": str(loc.precision),
                "source": loc.source,
                "on_map": on_map,
            }
            for loc, on_map in ranked[: body.limit]
        ]
        return {"available": True, "suggestions": out}

    def carriers(self) -> list[dict[str, Any]]:
        """Carriers of the tariff table (each name once, the latest row's contract status)."""
        seen: dict[str, dict[str, Any]] = {}
        for row in self.tariffs.rows:
            if row.kind == "carrier":
                seen[row.name] = {
                    "name": row.name,
                    "contracted": row.contracted,
                    "region": row.region,
                }
        return list(seen.values())

    def info(self) -> dict[str, Any]:
        """Return the map, limits and the choices of the quote form."""
        net = self.router.network
        return {
            "map": self.router.map.to_dict(),
            "bounds": list(net.bounds),
            "limits": {
                "max_body_bytes": self.settings.max_body_bytes,
                "max_rides": self.settings.max_rides,
                "max_dates": self.settings.max_dates,
            },
            "suggestions": self.suggester is not None,
            "tile_url": self.settings.tile_url,
            "tariffs": self.tariffs.source,
            "tariffs_example": self.tariffs.is_example,
            "indications": [
                {"value": i.value, "label": INDICATION_LABELS.get(i, i.value)} for i in Indication
            ],
            "modes": [{"value": m.value, "label": MODE_LABELS[m]} for m in Mode],
            "policy_types": [{"value": p.value, "label": POLICY_LABELS[p]} for p in PolicyType],
            "insurers": [
                {
                    "brand": brand,
                    "concern": entry["concern"],
                    "products": {name: kind.value for name, kind in entry["products"].items()},
                }
                for brand, entry in self.insurers.brands.items()
            ],
            "carriers": self.carriers(),
        }

    def network_geojson(self) -> tuple[bytes, bytes]:
        """Return the loaded map's roads as GeoJSON (plain and gzipped), built once.

        Three features by road class (``major``, ``minor``, ``service``), each a simplified
        MultiLineString with coordinates rounded to 5 decimals (about 1 m): a background layer
        that shows the map's extent without any tile server.
        """
        with self._network_lock:
            if self._network is None:
                data = json.dumps(_network_features(self.router), separators=(",", ":")).encode()
                self._network = (data, gzip.compress(data, compresslevel=6, mtime=0))
            return self._network


_MAJOR = {"motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link"}
_MINOR_EXTRA = {"secondary", "secondary_link", "tertiary", "tertiary_link"}


def _road_class(highway: str) -> str:
    if highway in _MAJOR or highway in _MINOR_EXTRA:
        return "major"
    if highway in {"service", "track", "living_street"}:
        return "service"
    return "minor"


def _network_features(router: Router) -> dict[str, Any]:
    import numpy as np
    import shapely

    net = router.network
    first = net.edge_first.astype(np.int64)
    count = net.edge_last.astype(np.int64) - first + 1
    keep = count >= 2
    classes = np.array([_road_class(h) for h in net.way_highway], dtype=object)
    edge_class = classes[net.edge_way]
    features = []
    for name in ("major", "minor", "service"):
        sel = keep & (edge_class == name)
        if not sel.any():
            continue
        f, c = first[sel], count[sel]
        offsets = np.repeat(np.cumsum(c) - c, c)
        pos = np.repeat(f, c) + (np.arange(int(c.sum())) - offsets)
        pts = net.chain[pos]
        index = np.repeat(np.arange(len(c)), c)
        lines = shapely.linestrings(np.column_stack([net.lon[pts], net.lat[pts]]), indices=index)
        lines = shapely.simplify(lines, 0.00002)
        coordinates = [
            [[round(x, 5), round(y, 5)] for x, y in shapely.get_coordinates(line).tolist()]
            for line in lines
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {"class": name},
                "geometry": {"type": "MultiLineString", "coordinates": coordinates},
            }
        )
    return {"type": "FeatureCollection", "features": features}
