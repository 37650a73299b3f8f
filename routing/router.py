"""The router: the public face of :mod:`routing`.

::

    router = Router.from_file("hengelo.osm.pbf")
    route = router.route((52.2879, 6.7975), (52.2638, 6.7708))
    trip = router.trip("52.2879,6.7975", "52.2638,6.7708")   # home -> treatment and back
    table = router.routes(pairs_dataframe)                   # many pairs, one row each

Points are given as ``(lat, lon)`` tuples, :class:`~routing.results.Location` objects, or text
(``"52.2638,6.7708"``, or an address / postcode / hospital name when the router has a geocoder).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString

from routing import paths, settings
from routing.cch import INF
from routing.engine import CCHEngine, DijkstraEngine, PathResult
from routing.errors import (
    GeocodeError,
    GeocodeNotFound,
    InvalidQuery,
    NoRoute,
    RoutingError,
    ZiekenvervoerError,
)
from routing.maps import read_map
from routing.network import CarNetwork, build_network
from routing.profile import CarProfile, default_profile
from routing.results import Location, MapIdentity, Precision, Route, Trip, Waypoint
from routing.sensitivity import Sensitivity, near_ties
from routing.snapping import Snap, Snapper, check_coordinates

PointLike = tuple[float, float] | Location | str

_COORDS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$")

#: Columns ``routes`` reads and adds.
PAIR_COLUMNS = ("origin_lat", "origin_lon", "dest_lat", "dest_lon")


def check_pair_columns(columns: Iterable[str]) -> None:
    """Raise InvalidQuery (field ``input``) unless ``columns`` hold all of :data:`PAIR_COLUMNS`."""
    missing = [c for c in PAIR_COLUMNS if c not in set(columns)]
    if missing:
        raise InvalidQuery(
            f"the input needs the columns {', '.join(PAIR_COLUMNS)}; missing: {', '.join(missing)}",
            field="input",
        )


RESULT_COLUMNS = ("distance_m", "duration_s", "snap_origin_m", "snap_dest_m", "error")


def load_network(path: str | Path, profile: CarProfile | None = None) -> CarNetwork:
    """Read a map file and build its car network.

    Parameters
    ----------
    path : path-like
        ``.osm``, ``.osm.bz2`` or ``.osm.pbf`` extract.
    profile : CarProfile, optional
        Speed and turn model; the default is ``data/car_profile.yaml``.
    """
    profile = profile or default_profile()
    # read_map calls the filter once per distinct tag set
    raw = read_map(path, way_filter=lambda tags: profile.way_rule(tags) is not None)
    return build_network(raw, profile)


class Router:
    """Fastest car routes, trips and batches on one map.

    Parameters
    ----------
    network : CarNetwork
        The car network (see :func:`load_network`).
    geocoder : object, optional
        Anything with ``geocode(text) -> Location``; used for text that is not ``"lat,lon"``.
    snap_limit_m : float, optional
        Farthest a point may lie from a road (default :data:`routing.settings.snap_limit_m`).
    engine : object, optional
        Query engine; default :class:`~routing.engine.DijkstraEngine`.
    """

    def __init__(
        self,
        network: CarNetwork,
        *,
        geocoder: Any = None,
        snap_limit_m: float | None = None,
        engine: Any = None,
    ) -> None:
        self.network = network
        self.snapper = Snapper(network)
        self.engine = engine or DijkstraEngine(network)
        self.geocoder = geocoder
        self.snap_limit_m = snap_limit_m

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        profile: CarProfile | str | Path | None = None,
        geocoder: Any = None,
        snap_limit_m: float | None = None,
        engine: str = "cch",
        compiled: bool = True,
    ) -> Router:
        """Load a map file and return a router on it.

        Parameters
        ----------
        path : path-like
            ``.osm``, ``.osm.bz2`` or ``.osm.pbf`` extract.
        profile : CarProfile or path, optional
            Speed and turn model (default ``data/car_profile.yaml``).
        geocoder : object, optional
            Geocoder for address text.
        snap_limit_m : float, optional
            Farthest a point may lie from a road.
        engine : {"cch", "dijkstra"}
            Query engine: the contraction hierarchy (fast) or plain Dijkstra (reference).
        compiled : bool
            Reuse a compiled map saved beside the file (or in the cache) when it matches the file
            and profile, and save one after building (see :mod:`routing.store`).
        """
        from routing import store

        path = Path(path)
        if profile is None:
            profile = default_profile()
        elif not isinstance(profile, CarProfile):
            profile = CarProfile(profile)
        loaded = store.load(path, profile) if compiled and path.is_file() else None
        network, cch = loaded if loaded else (load_network(path, profile), None)
        if engine == "dijkstra":
            eng: Any = DijkstraEngine(network)
        elif engine == "cch":
            eng = CCHEngine(network, cch)
            if compiled and (loaded is None or cch is None):
                store.save(network, eng.cch, path)
        else:
            raise InvalidQuery(
                f"unknown engine {engine!r}: use 'cch' or 'dijkstra'", field="engine"
            )
        return cls(network, geocoder=geocoder, snap_limit_m=snap_limit_m, engine=eng)

    @property
    def map(self) -> MapIdentity:
        """Identity of the map and profile every result is computed on."""
        return self.network.identity

    @property
    def limit_m(self) -> float:
        """The snapping limit in force."""
        return float(self.snap_limit_m if self.snap_limit_m is not None else settings.snap_limit_m)

    # --- points -----------------------------------------------------------------------------

    def locate(self, point: PointLike, field: str = "point") -> Location:
        """Turn a point-like input into a :class:`~routing.results.Location`.

        Raises
        ------
        InvalidQuery
            For malformed coordinates.
        GeocodeError
            When text cannot be geocoded.
        """
        if isinstance(point, Location):
            check_coordinates(point.lat, point.lon, field)
            return point
        if isinstance(point, str):
            m = _COORDS.match(point)
            if m:
                lat, lon = check_coordinates(float(m.group(1)), float(m.group(2)), field)
                return Location(lat, lon, Precision.POINT, "coordinates")
            if self.geocoder is None:
                raise GeocodeNotFound(
                    f"{field}: give coordinates as 'lat,lon' or configure an address source"
                    " (address table, postcodes, hospitals)",
                    field=field,
                )
            try:
                loc = self.geocoder.geocode(point, field=field)
            except GeocodeError as exc:
                exc.field = exc.field or field
                raise
            check_coordinates(loc.lat, loc.lon, field)
            return loc
        try:
            lat, lon = point  # type: ignore[misc]
        except (TypeError, ValueError):
            raise InvalidQuery(
                f"{field}: expected (lat, lon), a Location or text", field=field
            ) from None
        lat, lon = check_coordinates(lat, lon, field)
        return Location(lat, lon, Precision.POINT, "coordinates")

    def _snaps(self, loc: Location, field: str) -> list[Snap]:
        try:
            return self.snapper.snap(loc.lat, loc.lon, self.limit_m, field=field)
        except RoutingError as exc:
            # a name that matched a hospital far away: say which one (hospital names are public;
            # an address is never repeated)
            if loc.source == "hospitals" and loc.label:
                exc.message = (
                    f"{exc.message}: the name matched the hospital '{loc.label}' from the hospital"
                    " list, which cannot be routed on this map. Choose a hospital on this map or"
                    " use a map that covers it."
                )
                exc.args = (exc.message,)
            raise

    def _waypoint(self, snap: Snap, loc: Location) -> Waypoint:
        net = self.network
        w = int(net.edge_way[snap.edge])
        return Waypoint(
            input_lat=snap.input_lat,
            input_lon=snap.input_lon,
            lat=snap.lat,
            lon=snap.lon,
            snap_distance_m=snap.distance_m,
            way_id=int(net.way_ids[w]),
            name=net.way_names[w],
            location=loc,
        )

    def snap(self, point: PointLike, field: str = "point") -> Waypoint:
        """Return where a point lands on the road network."""
        loc = self.locate(point, field)
        return self._waypoint(self._snaps(loc, field)[0], loc)

    # --- routes -----------------------------------------------------------------------------

    def _endpoints(self, snap: Snap) -> list[tuple[int, float]]:
        """Return the states a snap lies on, with the metres from each state's start to it."""
        net = self.network
        e, x = snap.edge, snap.offset_m
        length = float(net.edge_length_m[e])
        out = []
        if net.state_ok[2 * e]:
            out.append((2 * e, x))
        if net.state_ok[2 * e + 1]:
            out.append((2 * e + 1, length - x))
        return out

    def _remaining_ms(self, state: int, from_start_m: float) -> int:
        net = self.network
        length = float(net.edge_length_m[state >> 1])
        w = int(net.state_weight_ms[state])
        if length <= 0:
            return 0
        return round(w * (length - from_start_m) / length)

    def _best(self, src: Snap, dst: Snap) -> tuple[int, tuple[int, ...], float, float] | None:
        """Least-weight path between two snaps: (weight, states, start offset, end offset)."""
        net = self.network
        s_ends = self._endpoints(src)
        t_ends = self._endpoints(dst)
        sources = [(s, self._remaining_ms(s, x)) for s, x in s_ends]
        targets = [(t, self._remaining_ms(t, y)) for t, y in t_ends]
        best: tuple[int, tuple[int, ...], float, float] | None = None
        # on the same state, ahead: drive straight there
        for s, x in s_ends:
            for t, y in t_ends:
                if s == t and y >= x:
                    length = float(net.edge_length_m[s >> 1])
                    w = round(int(net.state_weight_ms[s]) * (y - x) / length) if length else 0
                    if best is None or w < best[0]:
                        best = (w, (s,), x, y)
        res: PathResult | None = self.engine.query(sources, targets)
        if res is not None and (best is None or res.weight_ms < best[0]):
            best = (
                res.weight_ms,
                res.states,
                s_ends[res.source_index][1],
                t_ends[res.target_index][1],
            )
        return best

    def route(self, origin: PointLike, destination: PointLike) -> Route:
        """Return the fastest car route from ``origin`` to ``destination``.

        Raises
        ------
        InvalidQuery, GeocodeError
            For inputs that are not usable points.
        OutsideMap, NoSegment
            When a point is outside the map or too far from any road.
        NoRoute
            When no car route connects the two points.
        """
        return self._route(origin, destination, "origin", "destination")

    def _route(
        self, origin: PointLike, destination: PointLike, o_field: str, d_field: str
    ) -> Route:
        """Route between two points whose inputs are called ``o_field`` and ``d_field``."""
        o_loc = self.locate(origin, o_field)
        d_loc = self.locate(destination, d_field)
        o_snaps = self._snaps(o_loc, o_field)
        d_snaps = self._snaps(d_loc, d_field)
        found = None
        for so in o_snaps:
            for sd in d_snaps:
                found = self._best(so, sd)
                if found is not None:
                    return self._assemble(found, so, sd, o_loc, d_loc)
        # say which side is cut off: a point whose only road within reach lies outside the
        # network's main part (a motorway leaving the map, a car park behind a barrier)
        for field, snaps in ((o_field, o_snaps), (d_field, d_snaps)):
            if not any(self._in_main(s) for s in snaps):
                raise NoRoute(
                    f"no car route from or to {field}: its nearest road within "
                    f"{self.limit_m:g} m ({snaps[0].distance_m:.0f} m away) is cut off from the"
                    " rest of the network (e.g. a motorway leaving the map, or behind a barrier)",
                    field=field,
                )
        raise NoRoute(
            f"no car route connects {o_field} and {d_field} (they lie in separate parts of the"
            " network, e.g. behind a barrier or on roads cars may not enter)",
            field=d_field,
        )

    def _in_main(self, snap: Snap) -> bool:
        """Whether a snap lies on a road of the network's main (strongly connected) part."""
        comp = self.network.state_component
        return bool((comp[2 * snap.edge : 2 * snap.edge + 2] == self.network.main_component).any())

    def _assemble(
        self,
        found: tuple[int, tuple[int, ...], float, float],
        src: Snap,
        dst: Snap,
        o_loc: Location,
        d_loc: Location,
    ) -> Route:
        net = self.network
        weight, states, x0, y1 = found
        st = np.asarray(states, dtype=np.int64)
        distance, duration = paths.measure(
            st, float(x0), float(y1), net.edge_length_m, net.state_duration_s, net.arc_ptr,
            net.arc_to, net.arc_turn_s,
        )  # fmt: skip
        return Route(
            distance_m=float(distance),
            duration_s=float(duration),
            geometry=self._geometry(st, src, dst),
            origin=self._waypoint(src, o_loc),
            destination=self._waypoint(dst, d_loc),
            map=self.map,
            way_ids=tuple(paths.way_sequence(st, net.edge_way, net.way_ids).tolist()),
            extra={"weight_ms": weight, "states": states, "snaps": (src, dst)},
        )

    def _measure(self, found: tuple[int, tuple[int, ...], float, float]) -> tuple[float, float]:
        """Return (metres, seconds) of a path: partial first and last states, full ones between."""
        net = self.network
        _, states, x0, y1 = found
        dist, dur = paths.measure(
            np.asarray(states, dtype=np.int64), float(x0), float(y1), net.edge_length_m,
            net.state_duration_s, net.arc_ptr, net.arc_to, net.arc_turn_s,
        )  # fmt: skip
        return float(dist), float(dur)

    def _geometry(self, states: np.ndarray, src: Snap, dst: Snap) -> LineString:
        """Return the route's line: from the origin's projection to the destination's."""
        net = self.network
        coords = paths.geometry(
            states, src.segment, dst.segment, src.lon, src.lat, dst.lon, dst.lat,
            net.edge_first, net.edge_last, net.chain, net.lon, net.lat,
        )  # fmt: skip
        return shapely.linestrings(coords)

    def sensitivity(self, route: Route, tolerance_s: float = 30.0) -> Sensitivity:
        """Bound the lengths of plausible routes nearly as fast as ``route``.

        Parameters
        ----------
        route : Route
            A route computed by this router.
        tolerance_s : float
            How much slower (seconds of weight) a route may be to count as a near tie.

        Returns
        -------
        Sensitivity
            Shortest and longest near-tie length; see :mod:`routing.sensitivity`.
        """
        src, dst = route.extra["snaps"]
        net = self.network
        sources = []
        for s, x in self._endpoints(src):
            length = float(net.edge_length_m[s >> 1])
            sources.append((s, self._remaining_ms(s, x), length - x))
        targets = []
        for t, y in self._endpoints(dst):
            length = float(net.edge_length_m[t >> 1])
            targets.append((t, self._remaining_ms(t, y), length - y))
        return near_ties(
            net, sources, targets, int(route.extra["weight_ms"]), route.distance_m, tolerance_s
        )

    def trip(self, home: PointLike, treatment: PointLike) -> Trip:
        """Return the trip home -> treatment and back; loaded km is the sum of both legs.

        Each leg is routed on its own: one-way streets make them differ.
        """
        h = self.locate(home, "home")
        t = self.locate(treatment, "treatment")
        return Trip(
            outbound=self._route(h, t, "home", "treatment"),
            inbound=self._route(t, h, "treatment", "home"),
        )

    def matrix(self, origins: list[PointLike], destinations: list[PointLike]) -> pd.DataFrame:
        """Fastest-route distance and duration from every origin to every destination.

        Each point is geocoded and snapped once; the contraction hierarchy's many-to-many search
        (buckets) answers all pairs at once, carrying the travel time and length of each fastest
        route, so no route needs to be unpacked.

        Parameters
        ----------
        origins, destinations : list of point-like
            ``(lat, lon)`` tuples, Locations or text, as for :meth:`route`.

        Returns
        -------
        pandas.DataFrame
            One row per pair, origin by origin: ``origin, destination`` (positions in the input
            lists), ``distance_m, duration_s`` and ``error`` (empty, or ``CODE: message`` for a pair
            without a route, e.g. when one of its points could not be placed on the map).
        """
        o_snaps = [self._try_snaps(p, "origin") for p in origins]
        d_snaps = [self._try_snaps(p, "destination") for p in destinations]
        n_o, n_d = len(origins), len(destinations)
        dist = np.full((n_o, n_d), np.nan)
        dur = np.full((n_o, n_d), np.nan)
        err = np.full((n_o, n_d), "", dtype=object)
        ok_o = [i for i, s in enumerate(o_snaps) if not isinstance(s, str)]
        ok_d = [j for j, s in enumerate(d_snaps) if not isinstance(s, str)]
        for i, s in enumerate(o_snaps):
            if isinstance(s, str):
                err[i, :] = s
        for j, s in enumerate(d_snaps):
            if isinstance(s, str):
                err[:, j] = np.where(err[:, j] == "", s, err[:, j])
        if ok_o and ok_d:
            w, t, length = self._many_to_many(
                [o_snaps[i][0] for i in ok_o],  # type: ignore[index]
                [d_snaps[j][0] for j in ok_d],  # type: ignore[index]
            )
            sub = np.ix_(ok_o, ok_d)
            reach = w >= 0
            dist[sub] = np.where(reach, length, np.nan)
            dur[sub] = np.where(reach, t, np.nan)
            for a, b in zip(*np.nonzero(~reach), strict=True):
                i, j = ok_o[a], ok_d[b]
                # the fallback snaps (nearest road in the main part of the network), pair by pair
                found = next(
                    (f for x in o_snaps[i] for y in d_snaps[j] if (f := self._best(x, y))), None
                )
                if found is None:
                    err[i, j] = "NoRoute: no car route connects origin and destination"
                else:
                    dist[i, j], dur[i, j] = self._measure(found)
        return pd.DataFrame(
            {
                "origin": np.repeat(np.arange(n_o), n_d),
                "destination": np.tile(np.arange(n_d), n_o),
                "distance_m": dist.ravel(),
                "duration_s": dur.ravel(),
                "error": err.ravel().astype(str),
            }
        )

    def _many_to_many(
        self, sources: list[Snap], targets: list[Snap]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Weight (-1 if unreachable), seconds and metres between snaps, all pairs."""
        net = self.network
        engine = self.engine
        if not isinstance(engine, CCHEngine):
            engine = CCHEngine(net)
            self.engine = engine
        s_rows: list[tuple[int, int, float, float]] = []
        s_ptr = [0]
        for snap in sources:
            for s, x in self._endpoints(snap):
                length = float(net.edge_length_m[s >> 1])
                frac = (length - x) / length if length > 0 else 0.0
                dur = float(net.state_duration_s[s]) * frac
                s_rows.append((s, self._remaining_ms(s, x), dur, length - x))
            s_ptr.append(len(s_rows))
        t_parts = []
        t_ptr = [0]
        for snap in targets:
            rows = []
            for t, y in self._endpoints(snap):
                length = float(net.edge_length_m[t >> 1])
                frac = y / length if length > 0 else 0.0
                rows.append((t, self._remaining_ms(t, y), float(net.state_duration_s[t] * frac), y))
            part = engine.expand_targets(rows)
            t_parts.append(part)
            t_ptr.append(t_ptr[-1] + len(part[0]))
        s_arr = np.array(s_rows, dtype=float).reshape(-1, 4)
        w_all, t_all, l_all = engine.cch.many_to_many(
            (
                np.array(s_ptr, dtype=np.int64),
                s_arr[:, 0].astype(np.int64),
                s_arr[:, 1].astype(np.int64),
                s_arr[:, 2],
                s_arr[:, 3],
            ),
            (
                np.array(t_ptr, dtype=np.int64),
                np.concatenate([p[0] for p in t_parts]).astype(np.int64),
                np.concatenate([p[1] for p in t_parts]).astype(np.int64),
                np.concatenate([p[2] for p in t_parts]).astype(np.float64),
                np.concatenate([p[3] for p in t_parts]).astype(np.float64),
            ),
        )
        w_all = np.where(w_all >= INF, -1, w_all)
        # a destination on the origin's own road piece, ahead of it: drive straight there
        for a, src in enumerate(sources):
            for b, dst in enumerate(targets):
                if src.edge != dst.edge:
                    continue
                for s, x in self._endpoints(src):
                    for tt, y in self._endpoints(dst):
                        if s != tt or y < x:
                            continue
                        edge_len = float(net.edge_length_m[s >> 1])
                        frac = (y - x) / edge_len if edge_len else 0.0
                        direct = round(int(net.state_weight_ms[s]) * frac)
                        if w_all[a, b] < 0 or direct < w_all[a, b]:
                            w_all[a, b] = direct
                            t_all[a, b] = float(net.state_duration_s[s]) * frac
                            l_all[a, b] = y - x
        return w_all, t_all, l_all

    def _try_snaps(self, point: PointLike, field: str) -> list[Snap] | str:
        """Snaps of a point, or ``"CODE: message"`` when it cannot be placed."""
        try:
            return self._snaps(self.locate(point, field), field)
        except ZiekenvervoerError as exc:
            return f"{exc.code}: {exc.message}"

    def routes(
        self,
        pairs: pd.DataFrame,
        progress: Callable[[int], None] | None = None,
    ) -> pd.DataFrame:
        """Route many origin/destination pairs; every input row gives one output row.

        Parameters
        ----------
        pairs : pandas.DataFrame
            Columns ``origin_lat, origin_lon, dest_lat, dest_lon``; other columns pass through.
        progress : callable, optional
            Called with the number of rows done after each row.

        Returns
        -------
        pandas.DataFrame
            The input with ``distance_m, duration_s, snap_origin_m, snap_dest_m, error`` added.
            A row that cannot be routed keeps its columns and gets ``CODE: message`` in ``error``.
        """
        check_pair_columns(pairs.columns)
        out = pairs.copy()
        n = len(out)
        dist = np.full(n, np.nan)
        dur = np.full(n, np.nan)
        snap_o = np.full(n, np.nan)
        snap_d = np.full(n, np.nan)
        errors: list[str] = [""] * n
        values = out[list(PAIR_COLUMNS)].to_numpy(dtype=object)
        for i in range(n):
            try:
                olat, olon, dlat, dlon = (
                    _number(v, c) for v, c in zip(values[i], PAIR_COLUMNS, strict=True)
                )
                r = self.route((olat, olon), (dlat, dlon))
                dist[i], dur[i] = r.distance_m, r.duration_s
                snap_o[i], snap_d[i] = r.origin.snap_distance_m, r.destination.snap_distance_m
            except ZiekenvervoerError as exc:
                errors[i] = f"{exc.code}: {exc.message}"
            except Exception as exc:  # a batch never dies on one row
                errors[i] = f"InternalError: {type(exc).__name__}"
            if progress is not None:
                progress(i + 1)
        for c in RESULT_COLUMNS:
            if c in out.columns:
                out = out.drop(columns=c)
        out["distance_m"] = dist
        out["duration_s"] = dur
        out["snap_origin_m"] = snap_o
        out["snap_dest_m"] = snap_d
        out["error"] = errors
        return out


def _number(value: Any, column: str) -> float:
    field = "origin" if column.startswith("origin") else "destination"
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        raise InvalidQuery(f"{column} is empty", field=field)
    try:
        return (
            float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
        )
    except (TypeError, ValueError):
        raise InvalidQuery(f"{column} is not a number", field=field) from None
