"""Snapping: put a point onto the nearest drivable road, by projection onto the road itself.

A point is projected onto the nearest road *segment* (the straight piece between two OSM nodes),
not moved to the nearest graph node: a route starts and ends at that projection, as in OSRM and
Valhalla. Only roads a route may start on are candidates (not ferries, not private service roads).

The nearest segment is found in a local transverse Mercator projection with a shapely STRtree; the
reported snap distance and the offset along the road are then measured on the ellipsoid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from routing import _geo
from routing.errors import InvalidQuery, NoSegment, OutsideMap
from routing.network import CarNetwork


@dataclass(frozen=True)
class Snap:
    """A point placed on the road network.

    Attributes
    ----------
    input_lat, input_lon : float
        The point as given.
    lat, lon : float
        Its projection onto the road.
    distance_m : float
        Geodesic distance from the input to the projection.
    edge : int
        The edge the projection lies on.
    offset_m : float
        Distance along the edge (in the way's node order) from the edge's first point to the
        projection.
    segment : int
        Chain position of the segment's first vertex (for the geometry of partial edges).
    """

    input_lat: float
    input_lon: float
    lat: float
    lon: float
    distance_m: float
    edge: int
    offset_m: float
    segment: int


def check_coordinates(lat: float, lon: float, field: str) -> tuple[float, float]:
    """Validate a WGS84 coordinate pair and return it as floats.

    Raises
    ------
    InvalidQuery
        When a value is not a finite number or is out of range.
    """
    try:
        la, lo = float(lat), float(lon)
    except (TypeError, ValueError):
        raise InvalidQuery(
            f"{field}: latitude and longitude must be numbers", field=field
        ) from None
    if not (np.isfinite(la) and np.isfinite(lo)):
        raise InvalidQuery(f"{field}: latitude and longitude must be finite", field=field)
    if not (-90.0 <= la <= 90.0) or not (-180.0 <= lo <= 180.0):
        raise InvalidQuery(
            f"{field}: latitude must lie in [-90, 90] and longitude in [-180, 180]"
            " (were they swapped?)",
            field=field,
        )
    return la, lo


class Snapper:
    """Nearest-road index of a :class:`~routing.network.CarNetwork`.

    Parameters
    ----------
    network : CarNetwork
        The network whose roads are candidates.
    """

    def __init__(self, network: CarNetwork) -> None:
        self.network = net = network
        west, south, east, north = net.bounds
        self._fwd, self._inv = _geo.local_projection((south + north) / 2, (west + east) / 2)
        x, y = self._fwd.transform(net.lon, net.lat)
        self._x = np.asarray(x)
        self._y = np.asarray(y)
        # candidate segments: every consecutive vertex pair of edges a route may start on
        usable_edge = net.edge_startpoint & (net.state_ok[0::2] | net.state_ok[1::2])
        edges = np.flatnonzero(usable_edge)
        n_seg = net.edge_last[edges] - net.edge_first[edges]
        self.seg_edge = np.repeat(edges, n_seg)
        starts = np.repeat(
            net.edge_first[edges] - np.concatenate([[0], np.cumsum(n_seg)[:-1]]), n_seg
        )
        self.seg_pos = starts + np.arange(int(n_seg.sum()))
        a = net.chain[self.seg_pos]
        b = net.chain[self.seg_pos + 1]
        coords = np.stack(
            [np.column_stack([self._x[a], self._y[a]]), np.column_stack([self._x[b], self._y[b]])],
            axis=1,
        )
        self._tree = shapely.STRtree(shapely.linestrings(coords))
        # which segments lie on edges with a state in the main component
        comp = net.state_component
        main = net.main_component
        edge_main = (comp[0::2] == main) | (comp[1::2] == main)
        self.seg_main = edge_main[self.seg_edge]

    def inside(self, lat: float, lon: float, margin_m: float = 0.0) -> bool:
        """Whether a point lies within the map's bounding box (plus a margin in metres)."""
        west, south, east, north = self.network.bounds
        dlat = margin_m / 111_000.0
        dlon = margin_m / (111_000.0 * max(np.cos(np.radians(lat)), 0.01))
        return south - dlat <= lat <= north + dlat and west - dlon <= lon <= east + dlon

    def candidates(self, lat: float, lon: float, limit_m: float, k: int = 8) -> list[Snap]:
        """Return the snaps onto the nearest segments within ``limit_m``, nearest first.

        Several segments at (nearly) the same distance all come back, so that the caller can prefer
        one in the main part of the network.
        """
        px, py = self._fwd.transform(lon, lat)
        point = shapely.Point(px, py)
        # search a little wider than the limit: projected and geodesic distances differ slightly
        idx, dist = self._tree.query_nearest(
            point, max_distance=limit_m * 1.01 + 1.0, return_distance=True, all_matches=True
        )
        snaps = [self._project(lat, lon, px, py, int(i)) for i in np.atleast_1d(idx)[:k]]
        del dist
        snaps = [s for s in snaps if s.distance_m <= limit_m]
        snaps.sort(key=lambda s: s.distance_m)
        return snaps

    def nearest_in_main(self, lat: float, lon: float, limit_m: float) -> Snap | None:
        """Return the snap onto the nearest segment in the network's main part, if within reach."""
        px, py = self._fwd.transform(lon, lat)
        idx = self._tree.query(shapely.Point(px, py).buffer(limit_m * 1.01 + 1.0))
        idx = np.asarray(idx)
        idx = idx[self.seg_main[idx]]
        if len(idx) == 0:
            return None
        best = min(
            (self._project(lat, lon, px, py, int(i)) for i in idx), key=lambda s: s.distance_m
        )
        return best if best.distance_m <= limit_m else None

    def snap(self, lat: float, lon: float, limit_m: float, field: str = "point") -> list[Snap]:
        """Snap a point; raise a typed error when no road is within reach.

        Returns the nearest snap first, followed by the nearest snap in the main part of the network
        when the nearest lies in a small separate part (a car park with no way out, say).

        Raises
        ------
        OutsideMap
            When the point lies outside the map's area.
        NoSegment
            When no road a route may start on lies within ``limit_m``.
        """
        if not self.inside(lat, lon, margin_m=limit_m):
            raise OutsideMap(
                f"{field} lies outside the area of the loaded map ({self.network.identity.source})",
                field=field,
            )
        found = self.candidates(lat, lon, limit_m)
        if not found:
            raise NoSegment(
                f"{field}: no drivable road within {limit_m:g} m of the point", field=field
            )
        out = [found[0]]
        if not self.seg_main[np.searchsorted(self.seg_pos, found[0].segment)]:
            alt = self.nearest_in_main(lat, lon, limit_m)
            if alt is not None:
                out.append(alt)
        return out

    def _project(self, lat: float, lon: float, px: float, py: float, i: int) -> Snap:
        net = self.network
        pos = int(self.seg_pos[i])
        a, b = int(net.chain[pos]), int(net.chain[pos + 1])
        ax, ay, bx, by = self._x[a], self._y[a], self._x[b], self._y[b]
        dx, dy = bx - ax, by - ay
        den = dx * dx + dy * dy
        t = 0.0 if den == 0 else min(max(((px - ax) * dx + (py - ay) * dy) / den, 0.0), 1.0)
        # along one short segment, interpolating lat/lon and the geodesic length linearly is
        # exact to well below a millimetre
        flat = float(net.lat[a] + t * (net.lat[b] - net.lat[a]))
        flon = float(net.lon[a] + t * (net.lon[b] - net.lon[a]))
        dist = float(_geo.geodesic_m(lon, lat, flon, flat))
        edge = int(self.seg_edge[i])
        seg_len = float(net.chain_m[pos + 1] - net.chain_m[pos])
        offset = float(net.chain_m[pos] - net.chain_m[net.edge_first[edge]] + t * seg_len)
        return Snap(lat, lon, flat, flon, dist, edge, offset, pos)
