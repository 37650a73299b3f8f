"""Snapping: put a point onto the nearest drivable road, by projection onto the road itself.

A point is projected onto the nearest road *segment* (the straight piece between two OSM nodes),
not moved to the nearest graph node: a route starts and ends at that projection, as in OSRM and
Valhalla. Only roads a route may start on are candidates (not ferries, not private service roads).

The search runs in a local transverse Mercator projection centred on the map, over a grid of cells
(a compiled kernel scans the cells within the snapping limit). The projection is conformal, so the
planar distance to the foot of the perpendicular, corrected by the projection's scale factor at the
point, is the distance on the ellipsoid to within 1 cm per 100 m for points up to 150 km from the
map's centre. The offset along the road, which counts in the loaded kilometres, is measured on the
road's own geodesic segment lengths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from routing import _geo
from routing.errors import InvalidQuery, NoSegment, OutsideMap
from routing.network import CarNetwork

#: Earth radius used for the projection's scale factor (the variation is a 1e-6 effect).
_R = 6_371_000.0


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
        Distance from the input to the projection.
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


@njit(cache=True)
def _nearest(px, py, limit, cell, x0, y0, nx, ny, cell_keys, cell_ptr, cell_seg, ax, ay, bx, by,
             seg_main):  # type: ignore[no-untyped-def]  # fmt: skip
    """Nearest segment to (px, py) within ``limit`` (planar), overall and in the main part.

    Returns ``(seg, t, dist, seg_main, t_main, dist_main)``; -1 where none is within reach. Ties go
    to the lowest segment index.
    """
    best = -1
    best_t = 0.0
    best_d = limit
    bm = -1
    bm_t = 0.0
    bm_d = limit
    cx = int((px - x0) // cell)
    cy = int((py - y0) // cell)
    r = int(limit // cell) + 1
    for i in range(max(cx - r, 0), min(cx + r, nx - 1) + 1):
        for j in range(max(cy - r, 0), min(cy + r, ny - 1) + 1):
            key = i * ny + j
            k = np.searchsorted(cell_keys, key)
            if k >= len(cell_keys) or cell_keys[k] != key:
                continue
            for q in range(cell_ptr[k], cell_ptr[k + 1]):
                s = cell_seg[q]
                dx = bx[s] - ax[s]
                dy = by[s] - ay[s]
                den = dx * dx + dy * dy
                t = 0.0
                if den > 0:
                    t = ((px - ax[s]) * dx + (py - ay[s]) * dy) / den
                    t = min(max(t, 0.0), 1.0)
                fx = ax[s] + t * dx - px
                fy = ay[s] + t * dy - py
                d = np.sqrt(fx * fx + fy * fy)
                if d < best_d or (d == best_d and best != -1 and s < best):
                    best, best_t, best_d = s, t, d
                if seg_main[s] and (d < bm_d or (d == bm_d and bm != -1 and s < bm)):
                    bm, bm_t, bm_d = s, t, d
    return best, best_t, best_d, bm, bm_t, bm_d


class Snapper:
    """Nearest-road index of a :class:`~routing.network.CarNetwork`.

    Parameters
    ----------
    network : CarNetwork
        The network whose roads are candidates.
    cell_m : float
        Grid cell size in metres.
    """

    def __init__(self, network: CarNetwork, cell_m: float = 100.0) -> None:
        self.network = net = network
        west, south, east, north = net.bounds
        self._lat0 = (south + north) / 2
        self._fwd, self._inv = _geo.local_projection(self._lat0, (west + east) / 2)
        x, y = self._fwd.transform(net.lon, net.lat)
        x, y = np.asarray(x), np.asarray(y)
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
        self._ax, self._ay, self._bx, self._by = x[a], y[a], x[b], y[b]
        comp = net.state_component
        main = net.main_component
        edge_main = (comp[0::2] == main) | (comp[1::2] == main)
        self.seg_main = edge_main[self.seg_edge]
        self._build_grid(cell_m)

    def _build_grid(self, cell: float) -> None:
        """Register every segment in the grid cells its bounding box covers."""
        ax, ay, bx, by = self._ax, self._ay, self._bx, self._by
        if len(ax) == 0:
            self._grid = (cell, 0.0, 0.0, 1, 1, np.zeros(0, np.int64), np.zeros(1, np.int64),
                          np.zeros(0, np.int64))  # fmt: skip
            return
        x0, y0 = float(min(ax.min(), bx.min())), float(min(ay.min(), by.min()))
        nx = int((max(ax.max(), bx.max()) - x0) // cell) + 1
        ny = int((max(ay.max(), by.max()) - y0) // cell) + 1
        c0x = ((np.minimum(ax, bx) - x0) // cell).astype(np.int64)
        c1x = ((np.maximum(ax, bx) - x0) // cell).astype(np.int64)
        c0y = ((np.minimum(ay, by) - y0) // cell).astype(np.int64)
        c1y = ((np.maximum(ay, by) - y0) // cell).astype(np.int64)
        wx, wy = c1x - c0x + 1, c1y - c0y + 1
        count = wx * wy
        seg = np.repeat(np.arange(len(ax)), count)
        k = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        cx = np.repeat(c0x, count) + k // np.repeat(wy, count)
        cy = np.repeat(c0y, count) + k % np.repeat(wy, count)
        key = cx * ny + cy
        order = np.lexsort((seg, key))
        key, seg = key[order], seg[order]
        keys, first = np.unique(key, return_index=True)
        ptr = np.append(first, len(key)).astype(np.int64)
        self._grid = (cell, x0, y0, nx, ny, keys.astype(np.int64), ptr, seg.astype(np.int64))

    def inside(self, lat: float, lon: float, margin_m: float = 0.0) -> bool:
        """Whether a point lies within the map's bounding box (plus a margin in metres)."""
        west, south, east, north = self.network.bounds
        dlat = margin_m / 111_000.0
        dlon = margin_m / (111_000.0 * max(np.cos(np.radians(lat)), 0.01))
        return south - dlat <= lat <= north + dlat and west - dlon <= lon <= east + dlon

    def _scale(self, px: float) -> float:
        """Scale factor of the transverse Mercator at easting ``px`` (spherical approximation)."""
        return 1.0 + (px * px) / (2.0 * _R * _R)

    def _search(self, lat: float, lon: float, limit_m: float) -> tuple[Snap | None, Snap | None]:
        """Nearest snap overall and nearest in the main part, each within ``limit_m``."""
        px, py = self._fwd.transform(lon, lat)
        k = self._scale(px)
        cell, x0, y0, nx, ny, keys, ptr, seg = self._grid
        best, t, d, bm, tm, dm = _nearest(
            px, py, limit_m * k, cell, x0, y0, nx, ny, keys, ptr, seg,
            self._ax, self._ay, self._bx, self._by, self.seg_main,
        )  # fmt: skip
        first = self._snap(lat, lon, best, t, d / k) if best >= 0 else None
        if bm == best:
            return first, first
        main = self._snap(lat, lon, bm, tm, dm / k) if bm >= 0 else None
        return first, main

    def _snap(self, lat: float, lon: float, i: int, t: float, dist: float) -> Snap:
        net = self.network
        pos = int(self.seg_pos[i])
        a, b = net.chain[pos], net.chain[pos + 1]
        # along one short segment, interpolating lat/lon and the geodesic length linearly is
        # exact to well below a millimetre
        flat = float(net.lat[a] + t * (net.lat[b] - net.lat[a]))
        flon = float(net.lon[a] + t * (net.lon[b] - net.lon[a]))
        edge = int(self.seg_edge[i])
        seg_len = float(net.chain_m[pos + 1] - net.chain_m[pos])
        offset = float(net.chain_m[pos] - net.chain_m[net.edge_first[edge]] + t * seg_len)
        return Snap(lat, lon, flat, flon, float(dist), edge, offset, pos)

    def candidates(self, lat: float, lon: float, limit_m: float) -> list[Snap]:
        """Return the nearest snap within ``limit_m`` (empty list when none)."""
        first, _ = self._search(lat, lon, limit_m)
        return [first] if first is not None else []

    def nearest_in_main(self, lat: float, lon: float, limit_m: float) -> Snap | None:
        """Return the snap onto the nearest segment in the network's main part, if within reach."""
        return self._search(lat, lon, limit_m)[1]

    def snap(self, lat: float, lon: float, limit_m: float, field: str = "point") -> list[Snap]:
        """Snap a point; raise a typed error when no road is within reach.

        Returns the nearest snap first, followed by the nearest snap in the main part of the network
        when the nearest lies in a small separate part (a car park with no way out, say), as OSRM
        does.

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
        first, main = self._search(lat, lon, limit_m)
        if first is None:
            raise NoSegment(
                f"{field}: no drivable road within {limit_m:g} m of the point", field=field
            )
        if main is None or main.segment == first.segment:
            return [first]
        return [first, main]
