"""Small typed results of the router: where a point was found, routes and trips.

These are plain frozen dataclasses that convert to dicts (``to_dict``), GeoJSON (``geojson``) and
table rows. Distances stay in exact metres and durations in seconds; rounding happens only where a
number is shown (:func:`km_display`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, mapping


class Precision(StrEnum):
    """How precisely a geocoded location stands for the address it came from.

    The order is from most to least precise.
    """

    POINT = "point"  # coordinates given by the user
    ADDRESS = "address"  # a full address (street + house number, or postcode + house number)
    POSTCODE6 = "postcode6"  # centre of a six-character postcode (1234 AB)
    POSTCODE4 = "postcode4"  # centre of a four-digit postcode area (1234)


@dataclass(frozen=True)
class Location:
    """A geocoded point with its precision and the provider that produced it.

    Attributes
    ----------
    lat, lon : float
        WGS84 coordinates.
    precision : Precision
        How precisely the point stands for the input.
    source : str
        Which provider answered (``"coordinates"``, ``"pc4"``, ``"address-table"``, ...).
    label : str, optional
        A display label (for example the hospital's name). Never logged.
    """

    lat: float
    lon: float
    precision: Precision = Precision.POINT
    source: str = "coordinates"
    label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "lat": self.lat,
            "lon": self.lon,
            "precision": str(self.precision),
            "source": self.source,
            "label": self.label,
        }


@dataclass(frozen=True)
class MapIdentity:
    """What a result was computed on, so that an auditor can reproduce it later.

    Attributes
    ----------
    source : str
        File name of the extract, or ``"overpass"`` for a download.
    sha256 : str
        SHA-256 of the source bytes (the file, or the downloaded response).
    profile : str
        Name and SHA-256 prefix of the speed profile the network was built with.
    query : str, optional
        For downloads: the place name or bounding box asked for.
    downloaded : str, optional
        For downloads: ISO 8601 time of the download.
    """

    source: str
    sha256: str
    profile: str = ""
    query: str | None = None
    downloaded: str | None = None

    @property
    def short(self) -> str:
        """Short human label: ``hengelo.osm.pbf@3f2a9c1b``."""
        return f"{self.source}@{self.sha256[:8]}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "source": self.source,
            "sha256": self.sha256,
            "profile": self.profile,
            "query": self.query,
            "downloaded": self.downloaded,
        }


@dataclass(frozen=True)
class Waypoint:
    """Where an input point was placed on the road network (cf. OSRM's waypoints).

    Attributes
    ----------
    input_lat, input_lon : float
        The point as given (after geocoding).
    lat, lon : float
        The projection of the point onto the nearest drivable road.
    snap_distance_m : float
        Geodesic distance between the input point and its projection, in metres.
    way_id : int
        OSM id of the way the point was snapped onto.
    name : str, optional
        Street name of that way, if tagged.
    location : Location, optional
        The geocoding result the input point came from.
    """

    input_lat: float
    input_lon: float
    lat: float
    lon: float
    snap_distance_m: float
    way_id: int
    name: str | None = None
    location: Location | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "input": [self.input_lat, self.input_lon],
            "snapped": [self.lat, self.lon],
            "snap_distance_m": self.snap_distance_m,
            "way_id": self.way_id,
            "name": self.name,
            "location": self.location.to_dict() if self.location else None,
        }


@dataclass(frozen=True)
class Alternative:
    """The best route that differs from the chosen one, as a measure of route-choice ambiguity.

    Attributes
    ----------
    distance_m, duration_s : float
        Length and travel time of the alternative.
    extra_s : float
        How many seconds slower (by the profile's weight) the alternative is than the chosen route.
    """

    distance_m: float
    duration_s: float
    extra_s: float

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "distance_m": self.distance_m,
            "duration_s": self.duration_s,
            "extra_s": self.extra_s,
        }


@dataclass(frozen=True)
class Route:
    """The fastest car route from one point to another.

    Attributes
    ----------
    distance_m : float
        Length along the road from the snapped origin to the snapped destination, in metres.
        The straight stretches from the input points to the road are not included (as in OSRM).
    duration_s : float
        Travel time under the speed profile, in seconds.
    geometry : shapely.geometry.LineString
        The route as (lon, lat) coordinates.
    origin, destination : Waypoint
        Where the endpoints were snapped.
    map : MapIdentity
        The map (and profile) this route was computed on.
    way_ids : tuple of int
        OSM ways along the route, in order, without repeats of consecutive ways.
    alternative : Alternative, optional
        The best different route, when asked for (``sensitivity``).
    """

    distance_m: float
    duration_s: float
    geometry: LineString
    origin: Waypoint
    destination: Waypoint
    map: MapIdentity
    way_ids: tuple[int, ...] = ()
    alternative: Alternative | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def distance_km(self) -> float:
        """Unrounded length in kilometres."""
        return self.distance_m / 1000.0

    @property
    def coordinates(self) -> np.ndarray:
        """The route's (lon, lat) vertices as an ``(n, 2)`` numpy array (fast; no shapely loop)."""
        return shapely.get_coordinates(self.geometry)

    def geojson(self) -> dict[str, Any]:
        """Return the route as a GeoJSON Feature (geometry in lon/lat)."""
        return {
            "type": "Feature",
            "geometry": mapping(self.geometry),
            "properties": {
                "distance_m": self.distance_m,
                "duration_s": self.duration_s,
                "map": self.map.short,
            },
        }

    def to_dict(self, geometry: bool = True) -> dict[str, Any]:
        """Return a JSON-ready dict; ``geometry=False`` leaves out the line."""
        out: dict[str, Any] = {
            "distance_m": self.distance_m,
            "duration_s": self.duration_s,
            "distance_km": km_display(self.distance_m),
            "origin": self.origin.to_dict(),
            "destination": self.destination.to_dict(),
            "map": self.map.to_dict(),
            "way_ids": list(self.way_ids),
            "alternative": self.alternative.to_dict() if self.alternative else None,
        }
        if geometry:
            out["geometry"] = mapping(self.geometry)
        return out


@dataclass(frozen=True)
class Trip:
    """A treatment trip: home to treatment and back, each leg routed separately.

    One-way streets make the legs differ. Loaded kilometres are the sum of both legs.

    Attributes
    ----------
    outbound : Route
        Home to treatment address.
    inbound : Route
        Treatment address back home.
    """

    outbound: Route
    inbound: Route

    @property
    def loaded_m(self) -> float:
        """Loaded metres: the exact sum of both legs."""
        return self.outbound.distance_m + self.inbound.distance_m

    @property
    def loaded_km(self) -> float:
        """Loaded kilometres, unrounded."""
        return self.loaded_m / 1000.0

    @property
    def single_trip_km(self) -> float:
        """Kilometres of the home -> treatment leg, unrounded (used by the hardheidsclausule)."""
        return self.outbound.distance_m / 1000.0

    @property
    def map(self) -> MapIdentity:
        """The map both legs were computed on."""
        return self.outbound.map

    def to_dict(self, geometry: bool = True) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "loaded_m": self.loaded_m,
            "loaded_km": km_display(self.loaded_m),
            "outbound": self.outbound.to_dict(geometry=geometry),
            "inbound": self.inbound.to_dict(geometry=geometry),
        }


def km_display(metres: float) -> float:
    """Round metres to kilometres with one decimal, for display only.

    Parameters
    ----------
    metres : float
        Exact distance in metres.

    Returns
    -------
    float
        Kilometres rounded half away from zero to one decimal (12 349.99 m -> 12.3).
    """
    from decimal import ROUND_HALF_UP, Decimal

    return float((Decimal(repr(metres)) / 1000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
