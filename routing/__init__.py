"""Routing on OpenStreetMap road networks: map -> car network -> engine -> routes and trips.

The public face is :class:`routing.router.Router`::

    from routing import Router
    router = Router.from_file("hengelo.osm.pbf")
    trip = router.trip("52.2879,6.7975", "52.2638,6.7708")
    trip.loaded_km
"""

from routing.errors import (
    GeocodeError,
    GeocodeNotFound,
    InvalidQuery,
    MapError,
    NoRoute,
    NoSegment,
    OutsideMap,
    RoutingError,
    ZiekenvervoerError,
)
from routing.results import Location, MapIdentity, Precision, Route, Trip, Waypoint

__all__ = [
    "GeocodeError",
    "GeocodeNotFound",
    "InvalidQuery",
    "Location",
    "MapError",
    "MapIdentity",
    "NoRoute",
    "NoSegment",
    "OutsideMap",
    "Precision",
    "Route",
    "RoutingError",
    "Trip",
    "Waypoint",
    "ZiekenvervoerError",
]
