"""The car network of a map: drivable roads, directions, speeds, and the turns between them.

Built from a :class:`~routing.maps.RawMap` and a :class:`~routing.profile.CarProfile`, all in numpy
arrays (no per-edge Python objects), so that a national map fits in memory.

The model is *edge based*: a route is a sequence of directed road pieces ("states"), and moving from
one to the next is a turn with its own cost. That is what lets the network honour OSM turn
restrictions, charge turns by angle, forbid U-turns except at dead ends, and make restricted-access
roads usable only at the start or end of a route.

Terms
-----
point
    An OSM node used by a drivable way (index into ``lat``/``lon``).
edge
    A piece of one way between two intersections (or way ends, barriers, signals): undirected,
    with its polyline and length in metres on the WGS84 ellipsoid.
state
    An edge in one direction: ``2 * e`` runs along the way's node order, ``2 * e + 1`` against it.
arc
    An allowed turn from one state into another at their shared node. Its weight (integer
    milliseconds) is the turn cost plus the weight of driving the whole next state.
"""

from __future__ import annotations

import bisect
import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from routing import _geo
from routing.errors import MapError
from routing.maps import RawMap
from routing.profile import CarProfile, NodeRule, WayRule
from routing.results import MapIdentity

if TYPE_CHECKING:
    import networkx as nx


@dataclass
class CarNetwork:
    """The drivable network of one map under one profile.

    Attributes are numpy arrays indexed by point, edge, state (``2 * edge + direction``) or arc, as
    described in the module docstring. ``chain`` holds the point indices of all kept ways one after
    the other; an edge's polyline is ``chain[edge_first[e] : edge_last[e] + 1]`` and
    ``chain_m`` is the distance along the way at each chain position.
    """

    identity: MapIdentity
    profile: CarProfile
    bounds: tuple[float, float, float, float]
    # points
    lat: np.ndarray
    lon: np.ndarray
    osm_node_ids: np.ndarray
    # ways
    way_ids: np.ndarray
    way_names: list[str | None]
    way_highway: list[str]
    # polylines
    chain: np.ndarray
    chain_m: np.ndarray
    # edges
    edge_first: np.ndarray
    edge_last: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_way: np.ndarray
    edge_length_m: np.ndarray
    edge_startpoint: np.ndarray
    # states
    state_ok: np.ndarray
    state_weight_ms: np.ndarray
    state_duration_s: np.ndarray
    state_restricted: np.ndarray
    # arcs (turns), sorted by from-state; arc_ptr is the CSR index over states
    arc_from: np.ndarray
    arc_to: np.ndarray
    arc_weight_ms: np.ndarray
    arc_turn_s: np.ndarray
    arc_ptr: np.ndarray
    # strongly connected components of the state graph
    state_component: np.ndarray
    main_component: int
    stats: dict[str, int]

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return len(self.edge_u)

    @property
    def n_states(self) -> int:
        """Number of state slots (``2 * n_edges``; some are closed to cars)."""
        return 2 * len(self.edge_u)

    def state_tail(self, s: np.ndarray | int) -> np.ndarray:
        """Point where state ``s`` starts."""
        s = np.asarray(s)
        e = s >> 1
        return np.where(s & 1, self.edge_v[e], self.edge_u[e])

    def state_head(self, s: np.ndarray | int) -> np.ndarray:
        """Point where state ``s`` ends."""
        s = np.asarray(s)
        e = s >> 1
        return np.where(s & 1, self.edge_u[e], self.edge_v[e])

    def edge_points(self, e: int) -> np.ndarray:
        """Point indices of edge ``e``'s polyline, in way order."""
        return self.chain[self.edge_first[e] : self.edge_last[e] + 1]

    def state_points(self, s: int) -> np.ndarray:
        """Point indices of state ``s``'s polyline, in driving order."""
        pts = self.edge_points(s >> 1)
        return pts[::-1] if s & 1 else pts

    def state_duration_ms(self) -> np.ndarray:
        """Durations of all states in integer milliseconds."""
        return np.rint(self.state_duration_s * 1000).astype(np.int64)

    # --- views for analysts and tests -------------------------------------------------------

    def turn_graph(self) -> nx.DiGraph:
        """Return the edge-based graph as a networkx DiGraph (nodes are states).

        Arc attribute ``weight`` is the integer millisecond weight the engine minimises. Used as the
        independent reference in tests (networkx Dijkstra must find the same optimum).
        """
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(np.flatnonzero(self.state_ok).tolist())
        g.add_weighted_edges_from(
            zip(
                self.arc_from.tolist(),
                self.arc_to.tolist(),
                self.arc_weight_ms.tolist(),
                strict=True,
            )
        )
        return g

    def to_networkx(self) -> nx.MultiDiGraph:
        """Return the road network as an osmnx-style MultiDiGraph (nodes are intersections).

        Nodes carry ``x`` (lon), ``y`` (lat) and ``osmid``; each drivable direction of an edge is a
        graph edge with ``osmid`` (way), ``name``, ``highway``, ``length`` (m), ``travel_time`` (s),
        ``restricted`` and a shapely ``geometry``. Turn costs and restrictions are not part of this
        view: use :meth:`turn_graph` for routing.
        """
        import networkx as nx
        from shapely.geometry import LineString

        g = nx.MultiDiGraph(crs="EPSG:4326", map=self.identity.short)
        nodes = np.unique(np.concatenate([self.edge_u, self.edge_v]))
        for p in nodes.tolist():
            g.add_node(
                int(self.osm_node_ids[p]),
                x=float(self.lon[p]),
                y=float(self.lat[p]),
                osmid=int(self.osm_node_ids[p]),
            )
        for s in np.flatnonzero(self.state_ok).tolist():
            e = s >> 1
            pts = self.state_points(s)
            w = int(self.edge_way[e])
            g.add_edge(
                int(self.osm_node_ids[pts[0]]),
                int(self.osm_node_ids[pts[-1]]),
                key=s,
                osmid=int(self.way_ids[w]),
                name=self.way_names[w],
                highway=self.way_highway[w],
                length=float(self.edge_length_m[e]),
                travel_time=float(self.state_duration_s[s]),
                restricted=bool(self.state_restricted[s]),
                geometry=LineString(np.column_stack([self.lon[pts], self.lat[pts]])),
            )
        return g


# ---------------------------------------------------------------------------------------------
# building


def build_network(raw: RawMap, profile: CarProfile) -> CarNetwork:
    """Build the car network of a map.

    Parameters
    ----------
    raw : RawMap
        The map's roads, as read by :func:`routing.maps.read_map`.
    profile : CarProfile
        The speed and turn model.

    Returns
    -------
    CarNetwork

    Raises
    ------
    MapError
        When no way of the map is open to cars.
    """
    stats: dict[str, int] = dict(raw.stats)

    # --- ways: evaluate the profile once per distinct tag set
    rule_cache: dict[int, WayRule | None] = {}
    rules: list[WayRule | None] = []
    for tags in raw.way_tags:
        key = id(tags)
        if key not in rule_cache:
            rule_cache[key] = profile.way_rule(tags)
        rules.append(rule_cache[key])
    keep_way = np.array([r is not None for r in rules], dtype=bool)
    if not keep_way.any():
        raise MapError(f"{raw.identity.source} has no roads open to cars", field="map")

    # --- chain of point indices per kept way (missing nodes and repeated nodes removed)
    n_ways_all = raw.n_ways
    lengths = np.diff(raw.way_node_ptr)
    way_of_ref = np.repeat(np.arange(n_ways_all), lengths)
    ref_pos = np.searchsorted(raw.node_ids, raw.way_nodes)
    ref_pos[ref_pos >= len(raw.node_ids)] = 0
    present = raw.node_ids[ref_pos] == raw.way_nodes
    sel = keep_way[way_of_ref] & present
    pts_all = ref_pos[sel]
    way_all = way_of_ref[sel]
    # drop immediate repeats of a node within a way
    dup = np.zeros(len(pts_all), dtype=bool)
    dup[1:] = (pts_all[1:] == pts_all[:-1]) & (way_all[1:] == way_all[:-1])
    pts_all, way_all = pts_all[~dup], way_all[~dup]
    # renumber ways to the kept ones that still have >= 2 points
    counts = np.bincount(way_all, minlength=n_ways_all)
    good_way = counts >= 2
    sel2 = good_way[way_all]
    pts_all, way_all = pts_all[sel2], way_all[sel2]
    old_ways = np.flatnonzero(good_way)
    new_index = np.full(n_ways_all, -1, dtype=np.int64)
    new_index[old_ways] = np.arange(len(old_ways))
    chain_way = new_index[way_all]
    # the temporaries of a national map are large: free them as soon as they are used
    del lengths, way_of_ref, ref_pos, present, sel, dup, counts, sel2, way_all, new_index
    way_rules: list[WayRule] = [rules[i] for i in old_ways.tolist()]  # type: ignore[misc]
    n_ways = len(old_ways)

    # points: only those used
    used_pts, chain = np.unique(pts_all, return_inverse=True)
    chain = chain.astype(np.int64)
    del pts_all
    lat = raw.node_lat[used_pts]
    lon = raw.node_lon[used_pts]
    osm_ids = raw.node_ids[used_pts]
    n_pts = len(used_pts)
    del used_pts

    # --- lengths along the chain (geodesic, ellipsoid)
    seg_m = np.zeros(len(chain))
    same = np.zeros(len(chain), dtype=bool)
    same[:-1] = chain_way[1:] == chain_way[:-1]
    i = np.flatnonzero(same)
    seg_m[i] = _geo.geodesic_m(lon[chain[i]], lat[chain[i]], lon[chain[i + 1]], lat[chain[i + 1]])
    way_start = np.ones(len(chain), dtype=bool)
    way_start[1:] = chain_way[1:] != chain_way[:-1]
    way_end = np.ones(len(chain), dtype=bool)
    way_end[:-1] = chain_way[1:] != chain_way[:-1]
    # chain_m: cumulative metres over the whole chain (steps across way boundaries are 0), so it
    # never decreases and any distance along an edge is a difference of two entries
    chain_m = np.concatenate([[0.0], np.cumsum(seg_m[:-1])])
    del seg_m, same, i

    # --- node rules (barriers, signals) for points with tags
    node_rule: dict[int, NodeRule] = {}
    if raw.node_tags:
        tagged = np.array(list(raw.node_tags.keys()), dtype=np.int64)
        pos = np.searchsorted(osm_ids, tagged)
        pos[pos >= n_pts] = 0
        hit = osm_ids[pos] == tagged
        for nid, p in zip(tagged[hit].tolist(), pos[hit].tolist(), strict=True):
            r = profile.node_rule(raw.node_tags[nid])
            if r is not None:
                node_rule[p] = r
    closed_pt = np.zeros(n_pts, dtype=bool)
    delay_pt = np.zeros(n_pts)
    for p, r in node_rule.items():
        closed_pt[p] = r.closed
        delay_pt[p] = r.delay_s

    # --- split points: intersections, way ends, nodes with rules, restriction via nodes
    use_count = np.bincount(chain, minlength=n_pts)
    split_pt = use_count >= 2
    if node_rule:
        split_pt[np.fromiter(node_rule.keys(), dtype=np.int64)] = True
    cut = split_pt[chain] | way_start | way_end
    cut_pos = np.flatnonzero(cut)
    pair_ok = chain_way[cut_pos[:-1]] == chain_way[cut_pos[1:]]
    edge_first = cut_pos[:-1][pair_ok]
    edge_last = cut_pos[1:][pair_ok]
    edge_way = chain_way[edge_first]
    del chain_way
    edge_u = chain[edge_first]
    edge_v = chain[edge_last]
    edge_len = chain_m[edge_last] - chain_m[edge_first]
    del cut, cut_pos, pair_ok, way_start, way_end, use_count, split_pt
    n_edges = len(edge_first)
    stats["edges"] = n_edges
    stats["points"] = n_pts

    # --- per-way attributes as arrays
    def way_attr(name: str, dtype: type) -> np.ndarray:
        return np.array([getattr(r, name) for r in way_rules], dtype=dtype)

    w_fwd, w_bwd = way_attr("forward", bool), way_attr("backward", bool)
    w_sf, w_sb = way_attr("forward_speed", float), way_attr("backward_speed", float)
    w_ff, w_fb = way_attr("forward_factor", float), way_attr("backward_factor", float)
    w_rf, w_rb = way_attr("forward_restricted", bool), way_attr("backward_restricted", bool)
    w_start = way_attr("startpoint", bool)
    w_round = way_attr("roundabout", bool)
    w_fixed = np.array(
        [np.nan if r.fixed_duration_s is None else r.fixed_duration_s for r in way_rules]
    )
    way_total_m = np.zeros(n_ways)
    np.add.at(way_total_m, edge_way, edge_len)

    state_ok = np.empty(2 * n_edges, dtype=bool)
    state_ok[0::2] = w_fwd[edge_way]
    state_ok[1::2] = w_bwd[edge_way]
    speed = np.empty(2 * n_edges)
    speed[0::2] = w_sf[edge_way]
    speed[1::2] = w_sb[edge_way]
    factor = np.empty(2 * n_edges)
    factor[0::2] = w_ff[edge_way]
    factor[1::2] = w_fb[edge_way]
    restricted = np.empty(2 * n_edges, dtype=bool)
    restricted[0::2] = w_rf[edge_way]
    restricted[1::2] = w_rb[edge_way]
    length2 = np.repeat(edge_len, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        duration = np.where(speed > 0, length2 / (speed / 3.6), np.inf)
        fixed = np.repeat(w_fixed[edge_way], 2)
        share = np.repeat(
            np.where(way_total_m[edge_way] > 0, edge_len / way_total_m[edge_way], 0.0), 2
        )
        duration = np.where(np.isnan(fixed), duration, fixed * share)
        weight = duration / np.where(factor > 0, factor, 1.0)
    state_ok &= np.isfinite(duration)
    duration = np.where(state_ok, duration, 0.0)
    weight = np.where(state_ok, weight, 0.0)
    state_weight_ms = np.rint(weight * 1000).astype(np.int64)
    del factor, length2, fixed, share, weight
    # a state with zero weight would make ties arbitrary; keep at least 1 ms
    state_weight_ms = np.where(state_ok, np.maximum(state_weight_ms, 1), 0)

    # --- turns
    arcs = _build_turns(
        raw=raw,
        profile=profile,
        lat=lat,
        lon=lon,
        chain=chain,
        chain_m=chain_m,
        edge_first=edge_first,
        edge_last=edge_last,
        edge_u=edge_u,
        edge_v=edge_v,
        edge_way=edge_way,
        edge_len=edge_len,
        way_ids_kept=raw.way_ids[old_ways],
        state_ok=state_ok,
        speed=speed,
        restricted=restricted,
        roundabout_way=w_round,
        closed_pt=closed_pt,
        delay_pt=delay_pt,
        node_rule=node_rule,
        osm_ids=osm_ids,
        stats=stats,
    )
    arc_from, arc_to, turn_s, turn_weight_s = arcs
    del arcs, speed
    arc_weight = np.rint(turn_weight_s * 1000).astype(np.int64) + state_weight_ms[arc_to]
    del turn_weight_s
    order = np.lexsort((arc_to, arc_from))
    arc_from, arc_to = arc_from[order], arc_to[order]
    arc_weight, turn_s = arc_weight[order], turn_s[order]
    del order
    arc_ptr = np.zeros(2 * n_edges + 1, dtype=np.int64)
    np.add.at(arc_ptr, arc_from + 1, 1)
    arc_ptr = np.cumsum(arc_ptr)
    stats["states"] = int(state_ok.sum())
    stats["arcs"] = len(arc_from)

    # --- strongly connected components of the state graph
    n_states = 2 * n_edges
    # arcs are sorted by their tail: the CSR index is arc_ptr itself (no COO copy)
    index_dtype = np.int32 if len(arc_from) < 2**31 else np.int64
    adj = csr_matrix(
        (np.ones(len(arc_from), dtype=np.int8), arc_to.astype(index_dtype),
         arc_ptr.astype(index_dtype)),
        shape=(n_states, n_states),
    )  # fmt: skip
    _, comp = connected_components(adj, directed=True, connection="strong")
    comp = comp.astype(np.int32)
    comp[~state_ok] = -1
    sizes = np.bincount(comp[state_ok])
    main = int(np.argmax(sizes)) if len(sizes) else 0
    stats["main_component_states"] = int(sizes[main]) if len(sizes) else 0

    way_names = [
        raw.way_tags[i].get("name") or raw.way_tags[i].get("ref") for i in old_ways.tolist()
    ]
    way_highway = [r.highway for r in way_rules]
    identity = dataclasses.replace(raw.identity, profile=profile.identity)
    return CarNetwork(
        identity=identity,
        profile=profile,
        bounds=raw.bounds,
        lat=lat,
        lon=lon,
        osm_node_ids=osm_ids,
        way_ids=raw.way_ids[old_ways],
        way_names=way_names,
        way_highway=way_highway,
        chain=chain,
        chain_m=chain_m,
        edge_first=edge_first,
        edge_last=edge_last,
        edge_u=edge_u,
        edge_v=edge_v,
        edge_way=edge_way,
        edge_length_m=edge_len,
        edge_startpoint=w_start[edge_way],
        state_ok=state_ok,
        state_weight_ms=state_weight_ms,
        state_duration_s=duration,
        state_restricted=restricted & state_ok,
        arc_from=arc_from,
        arc_to=arc_to,
        arc_weight_ms=arc_weight,
        arc_turn_s=turn_s,
        arc_ptr=arc_ptr,
        state_component=comp,
        main_component=main,
        stats=stats,
    )


def _build_turns(
    *,
    raw: RawMap,
    profile: CarProfile,
    lat: np.ndarray,
    lon: np.ndarray,
    chain: np.ndarray,
    chain_m: np.ndarray,
    edge_first: np.ndarray,
    edge_last: np.ndarray,
    edge_u: np.ndarray,
    edge_v: np.ndarray,
    edge_way: np.ndarray,
    edge_len: np.ndarray,
    way_ids_kept: np.ndarray,
    state_ok: np.ndarray,
    speed: np.ndarray,
    restricted: np.ndarray,
    roundabout_way: np.ndarray,
    closed_pt: np.ndarray,
    delay_pt: np.ndarray,
    node_rule: dict,
    osm_ids: np.ndarray,
    stats: dict[str, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Enumerate the allowed turns and their duration and weight in seconds."""
    n_edges = len(edge_u)
    n_pts = len(lat)
    states = np.flatnonzero(state_ok)
    e = states >> 1
    rev = (states & 1).astype(bool)
    tail = np.where(rev, edge_v[e], edge_u[e])
    head = np.where(rev, edge_u[e], edge_v[e])

    # bearings: leaving the tail and arriving at the head, each measured to the first vertex at
    # least `turn_angle_lookahead_m` away along the road (or the far end of a shorter edge)
    first, last = edge_first[e], edge_last[e]
    look = np.minimum(profile.turn_angle_lookahead_m, edge_len[e])
    near_first = np.clip(np.searchsorted(chain_m, chain_m[first] + look, "left"), first + 1, last)
    near_last = np.clip(
        np.searchsorted(chain_m, chain_m[last] - look, "right") - 1, first, last - 1
    )
    a_pt, b_pt = chain[near_first], chain[near_last]
    u, v = edge_u[e], edge_v[e]
    dep_bearing = np.where(
        rev,
        _geo.bearing_deg(lon[v], lat[v], lon[b_pt], lat[b_pt]),
        _geo.bearing_deg(lon[u], lat[u], lon[a_pt], lat[a_pt]),
    )
    arr_bearing = np.where(
        rev,
        _geo.bearing_deg(lon[a_pt], lat[a_pt], lon[u], lat[u]),
        _geo.bearing_deg(lon[b_pt], lat[b_pt], lon[v], lat[v]),
    )
    dep_b = np.zeros(2 * n_edges)
    arr_b = np.zeros(2 * n_edges)
    dep_b[states] = dep_bearing
    arr_b[states] = arr_bearing
    head_all = np.full(2 * n_edges, -1, dtype=np.int64)
    head_all[states] = head
    del e, rev, first, last, look, near_first, near_last, a_pt, b_pt, u, v
    del dep_bearing, arr_bearing

    # roads meeting at each point (edge ends, including one-way roads pointing inwards)
    degree = np.bincount(edge_u, minlength=n_pts) + np.bincount(edge_v, minlength=n_pts)

    # pair every state arriving at a point with every state leaving it, a block of points at a
    # time: all turns at one point fall in the same block (the obstacle rules compare them), and
    # the per-turn temporaries stay small on a national map
    out_order = np.argsort(tail, kind="stable")
    out_states = states[out_order]
    out_tail = tail[out_order]
    out_start = np.searchsorted(out_tail, np.arange(n_pts), side="left")
    n_out_pt = np.searchsorted(out_tail, np.arange(n_pts), side="right") - out_start
    del out_order, out_tail
    in_order = np.argsort(head, kind="stable")
    in_states, in_head = states[in_order], head[in_order]
    del in_order
    turns_done = np.cumsum(n_out_pt[in_head])
    stats["closed_barriers"] = int(closed_pt.sum())
    restrictions = _usable_restrictions(raw, edge_way, edge_u, edge_v, way_ids_kept, osm_ids, stats)
    parts = []
    lo = 0
    while lo < len(in_states):
        goal = (turns_done[lo - 1] if lo else 0) + TURN_BLOCK
        hi = max(int(np.searchsorted(turns_done, goal, side="right")), lo + 1)
        if hi < len(in_head):  # never split the turns of one point
            hi = int(np.searchsorted(in_head, in_head[hi - 1], side="right"))
        block = _turns_at(
            in_states[lo:hi], head_all, out_start, n_out_pt, out_states, edge_u, edge_v,
            edge_way, edge_len, degree, closed_pt, delay_pt, node_rule, restrictions,
            dep_b, arr_b, roundabout_way, restricted, speed, profile,
        )  # fmt: skip
        parts.append(block)
        lo = hi
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), np.zeros(0), np.zeros(0)
    # join column by column, freeing each column's blocks once joined
    columns = [list(col) for col in zip(*parts, strict=True)]
    del parts
    joined = []
    for col in columns:
        joined.append(np.concatenate(col))
        col.clear()
    return tuple(joined)  # type: ignore[return-value]


#: Turns enumerated per block in :func:`_build_turns` (bounds its temporary arrays).
TURN_BLOCK = 1 << 20


def _turns_at(
    blk: np.ndarray,
    head_all: np.ndarray,
    out_start: np.ndarray,
    n_out_pt: np.ndarray,
    out_states: np.ndarray,
    edge_u: np.ndarray,
    edge_v: np.ndarray,
    edge_way: np.ndarray,
    edge_len: np.ndarray,
    degree: np.ndarray,
    closed_pt: np.ndarray,
    delay_pt: np.ndarray,
    node_rule: dict,
    restrictions: list[tuple[int, list[int], list[int], str]],
    dep_b: np.ndarray,
    arr_b: np.ndarray,
    roundabout_way: np.ndarray,
    restricted: np.ndarray,
    speed: np.ndarray,
    profile: CarProfile,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Enumerate the allowed turns from the states ``blk`` (all states arriving at some points).

    Returns ``from, to, duration_s, weight_s``.
    """
    via_blk = head_all[blk]
    n_out = n_out_pt[via_blk]
    total = int(n_out.sum())
    a_from = np.repeat(blk, n_out)
    base = np.repeat(out_start[via_blk] - np.concatenate([[0], np.cumsum(n_out)[:-1]]), n_out)
    a_to = out_states[base + np.arange(total)]
    del base
    via = head_all[a_from]

    is_u = (a_to == (a_from ^ 1)) & (edge_u[a_from >> 1] != edge_v[a_from >> 1])
    dead_end = degree[via] == 1
    closed = closed_pt[via]
    allowed = np.where(closed, is_u, ~is_u | dead_end)
    # OSM turn restrictions (via node)
    allowed &= ~_restriction_mask(restrictions, a_from, a_to, via, edge_way)
    a_from, a_to, via, is_u = a_from[allowed], a_to[allowed], via[allowed], is_u[allowed]

    # turn cost (OSRM process_turn): obstacles at the node + angle-based cost
    angle = np.mod(dep_b[a_to] - arr_b[a_from] + 180.0, 360.0) - 180.0
    angle = np.where(is_u, 180.0, angle)
    n_roads = degree[via]
    roundabout = roundabout_way[edge_way[a_from >> 1]] | roundabout_way[edge_way[a_to >> 1]]
    turn_s = profile.turn_seconds(angle, n_roads, is_u, roundabout)
    obstacle = delay_pt[via].copy()
    if node_rule:
        obstacle = _directional_obstacles(
            obstacle, a_from, a_to, via, node_rule, edge_len, speed, n_roads
        )
    turn_s = turn_s + obstacle
    weight_s = turn_s + np.where(
        ~restricted[a_from] & restricted[a_to], profile.restricted_entry_penalty, 0.0
    )
    return a_from, a_to, turn_s, weight_s


def _directional_obstacles(
    obstacle: np.ndarray,
    a_from: np.ndarray,
    a_to: np.ndarray,
    via: np.ndarray,
    node_rule: dict,
    edge_len: np.ndarray,
    speed: np.ndarray,
    n_roads: np.ndarray,
) -> np.ndarray:
    """Apply direction and stop-sign rules to node delays (OSRM obstacles)."""
    idx = np.flatnonzero(obstacle > 0)
    for k in idx.tolist():
        r: NodeRule = node_rule[int(via[k])]
        s_in, s_out = int(a_from[k]), int(a_to[k])
        forward_in = not (s_in & 1)
        if r.direction == "forward" and not forward_in:
            obstacle[k] = 0.0
            continue
        if r.direction == "backward" and forward_in:
            obstacle[k] = 0.0
            continue
        if r.kind == "stop":
            if r.minor_stop:
                # only when arriving on the minor road: another road at the node is faster
                others = speed[a_to[via == via[k]]]
                if not (others.max(initial=0.0) > speed[s_in]):
                    obstacle[k] = 0.0
                    continue
            if (
                n_roads[k] == 2
                and r.direction == "both"
                and edge_len[s_in >> 1] < 20
                and edge_len[s_out >> 1] > 20
            ):
                obstacle[k] = 0.0
    return obstacle


def _usable_restrictions(
    raw: RawMap,
    edge_way: np.ndarray,
    edge_u: np.ndarray,
    edge_v: np.ndarray,
    way_ids_kept: np.ndarray,
    osm_ids: np.ndarray,
    stats: dict[str, int],
) -> list[tuple[int, list[int], list[int], str]]:
    """Select the OSM restriction relations (``no_*``/``only_*``, via a node) that apply to cars.

    As in OSRM, every ``from`` and ``to`` way must start or end at the via node. Restrictions via
    ways, and those whose members are not in the car network, are counted and not applied.
    Returns ``(via point, from ways, to ways, kind)`` sorted by via point.
    """
    usable: list[tuple[int, list[int], list[int], str]] = []
    unusable = via_way = 0
    if raw.restrictions:
        way_pos = {int(w): i for i, w in enumerate(way_ids_kept.tolist())}
        # first and last point of each kept way: edges are numbered in way order
        n_w = len(way_ids_kept)
        first_point = np.full(n_w, -1, dtype=np.int64)
        last_point = np.full(n_w, -1, dtype=np.int64)
        first_point[edge_way[::-1]] = edge_u[::-1]
        last_point[edge_way] = edge_v
        for r in raw.restrictions:
            if r.via_ways:
                via_way += 1
                continue
            vpos = int(np.searchsorted(osm_ids, r.via_nodes[0]))
            if vpos >= len(osm_ids) or osm_ids[vpos] != r.via_nodes[0]:
                unusable += 1
                continue
            from_w = [way_pos[w] for w in r.from_ways if w in way_pos]
            to_w = [way_pos[w] for w in r.to_ways if w in way_pos]
            members = from_w + to_w
            if (
                len(from_w) != len(r.from_ways)
                or len(to_w) != len(r.to_ways)
                or not all(vpos in (first_point[w], last_point[w]) for w in members)
            ):
                unusable += 1
                continue
            usable.append((vpos, from_w, to_w, r.kind))
    usable.sort(key=lambda r: r[0])
    stats.update(
        restrictions_applied=len(usable), restrictions_unusable=unusable,
        restrictions_via_way=via_way,
    )  # fmt: skip
    return usable


def _restriction_mask(
    restrictions: list[tuple[int, list[int], list[int], str]],
    a_from: np.ndarray,
    a_to: np.ndarray,
    via: np.ndarray,
    edge_way: np.ndarray,
) -> np.ndarray:
    """Mark the turns forbidden by ``restrictions`` (from :func:`_usable_restrictions`)."""
    forbid = np.zeros(len(a_from), dtype=bool)
    if not restrictions or not len(via):
        return forbid
    vias = [r[0] for r in restrictions]
    first = bisect.bisect_left(vias, int(via.min()))
    last = bisect.bisect_right(vias, int(via.max()))
    if first == last:
        return forbid
    arc_way_from = edge_way[a_from >> 1]
    arc_way_to = edge_way[a_to >> 1]
    order = np.argsort(via, kind="stable")
    via_sorted = via[order]
    for vpos, from_w, to_w, kind in restrictions[first:last]:
        lo = np.searchsorted(via_sorted, vpos, side="left")
        hi = np.searchsorted(via_sorted, vpos, side="right")
        arcs = order[lo:hi]
        from_hit = np.isin(arc_way_from[arcs], from_w)
        to_hit = np.isin(arc_way_to[arcs], to_w)
        if kind == "no":
            forbid[arcs[from_hit & to_hit]] = True
        else:  # only_*: coming from the from-way, every turn but onto the to-way is forbidden
            forbid[arcs[from_hit & ~to_hit]] = True
    return forbid
