"""Query engines on the edge-based car network: find the least-weight sequence of states.

All weights are integer milliseconds, so every engine finds exactly the same optimum and results
are reproducible bit for bit. A query starts on one or more states with an initial weight (the part
of the first road still to drive) and ends on one or more states with a weight to subtract (the part
of the last road beyond the destination). A target state counts only when it is entered through a
turn; a destination on the start's own road piece is the router's business (it may lie behind).

- :class:`DijkstraEngine`: a plain Dijkstra on the network's CSR arrays. Simple, exact, and the
  reference the fast engine is tested against.
- :class:`CCHEngine`: a customizable contraction hierarchy (RoutingKit, via ``routingkit-cch``) on
  the same edge-based graph, so turn restrictions and turn costs survive. Answers a city query in
  tens of microseconds; the node order is what :mod:`routing.store` saves beside the map.
"""

from __future__ import annotations

import heapq
import threading
from dataclasses import dataclass

import numpy as np

from routing.network import CarNetwork


@dataclass(frozen=True)
class PathResult:
    """The optimum of one query.

    Attributes
    ----------
    weight_ms : int
        Total weight, after the target's adjustment.
    states : tuple of int
        The states driven, first (source) to last (target).
    source_index, target_index : int
        Which of the given sources and targets the path uses.
    """

    weight_ms: int
    states: tuple[int, ...]
    source_index: int
    target_index: int


class DijkstraEngine:
    """Dijkstra's algorithm on the network's arcs (reference engine).

    Parameters
    ----------
    network : CarNetwork
        The network to route on.
    """

    name = "dijkstra"

    def __init__(self, network: CarNetwork) -> None:
        self.network = network
        self._ptr = network.arc_ptr.tolist()
        self._to = network.arc_to.tolist()
        self._w = network.arc_weight_ms.tolist()

    def query(
        self, sources: list[tuple[int, int]], targets: list[tuple[int, int]]
    ) -> PathResult | None:
        """Find the best path from any source to any target.

        Parameters
        ----------
        sources : list of (state, initial_ms)
            Start states and the weight already needed to reach their end.
        targets : list of (state, subtract_ms)
            End states and the weight to subtract from reaching their end (the part of the state
            beyond the destination).

        Returns
        -------
        PathResult or None
            ``None`` when no target can be reached.
        """
        dist: dict[int, int] = {}
        pred: dict[int, int] = {}
        src_of: dict[int, int] = {}
        heap: list[tuple[int, int]] = []
        for i, (s, w0) in enumerate(sources):
            if w0 < dist.get(s, 1 << 62):
                dist[s] = w0
                pred[s] = -1
                src_of[s] = i
                heapq.heappush(heap, (w0, s))
        tmap: dict[int, list[tuple[int, int]]] = {}
        for j, (t, sub) in enumerate(targets):
            tmap.setdefault(t, []).append((j, sub))
        # A target counts only when entered through a turn: a source state that is also a target
        # (destination on the same road) is the caller's business, because the destination may lie
        # behind the start. The candidate is recorded with the state it was entered from.
        best = 1 << 62
        best_from = best_t = best_j = -1
        ptr, to, wts = self._ptr, self._to, self._w
        done: set[int] = set()
        while heap:
            d, s = heapq.heappop(heap)
            if s in done:
                continue
            if d >= best:  # every arc weighs at least the part of a target state subtracted
                break
            done.add(s)
            for k in range(ptr[s], ptr[s + 1]):
                t = to[k]
                nd = d + wts[k]
                if t in tmap:
                    for j, sub in tmap[t]:
                        if nd - sub < best:
                            best, best_from, best_t, best_j = nd - sub, s, t, j
                if nd < dist.get(t, 1 << 62):
                    dist[t] = nd
                    pred[t] = s
                    src_of[t] = src_of[s]
                    heapq.heappush(heap, (nd, t))
        if best_t < 0:
            return None
        path = [best_t, best_from]
        while pred[path[-1]] != -1:
            path.append(pred[path[-1]])
        path.reverse()
        return PathResult(best, tuple(path), src_of[best_from], best_j)

    def one_to_all(self, sources: list[tuple[int, int]], reverse: bool = False) -> np.ndarray:
        """Weights from the sources to every state (``reverse``: from every state to them).

        Returns an int64 array with -1 for unreachable states. With ``reverse=True`` the value at a
        state is the weight from the *end* of that state to the end of a source state.
        """
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import dijkstra

        net = self.network
        n = net.n_states
        # one extra node feeds the sources with their initial weights (+1 so zero stays an arc)
        a_from, a_to = (net.arc_to, net.arc_from) if reverse else (net.arc_from, net.arc_to)
        rows = np.concatenate([a_from, np.full(len(sources), n)])
        cols = np.concatenate([a_to, [s for s, _ in sources]])
        vals = np.concatenate([net.arc_weight_ms, [w + 1 for _, w in sources]]).astype(float)
        g = csr_matrix((vals, (rows, cols)), shape=(n + 1, n + 1))
        d = dijkstra(g, directed=True, indices=n)
        out = np.where(np.isfinite(d[:n]), d[:n] - 1, -1).astype(np.int64)
        return out


class CCHEngine:
    """Customizable contraction hierarchy on the edge-based graph (RoutingKit).

    Parameters
    ----------
    network : CarNetwork
        The network to route on.
    order : numpy.ndarray, optional
        A contraction order of the states (from a saved engine). Computed with RoutingKit's
        inertial-flow ordering when not given.

    Notes
    -----
    Targets are reached through their incoming turns: a target state ``t`` with ``sub`` to subtract
    becomes the predecessors ``p`` of ``t`` with the extra weight ``w(p -> t) - sub`` (never
    negative, because an arc into ``t`` weighs at least ``t``'s full weight). This gives exactly the
    semantics of :class:`DijkstraEngine`. Queries are serialised with a lock: the underlying query
    object is not thread safe.
    """

    name = "cch"

    def __init__(self, network: CarNetwork, order: np.ndarray | None = None) -> None:
        import routingkit_cch as rk

        self.network = net = network
        n = net.n_states
        tail = net.arc_from.astype(np.uint32)
        head = net.arc_to.astype(np.uint32)
        if order is None:
            point = np.where(net.state_ok, net.state_head(np.arange(n)), 0)
            order = np.asarray(
                rk.compute_order_inertial(n, tail, head, net.lat[point], net.lon[point]),
                dtype=np.uint32,
            )
        self.order = np.asarray(order, dtype=np.uint32)
        self._cch = rk.CCH(self.order, tail, head, False)
        self._metric = rk.CCHMetric(self._cch, net.arc_weight_ms.astype(np.uint32))
        self._query = rk.CCHQuery(self._metric)
        self._lock = threading.Lock()
        # incoming arcs per state, to reach targets through a turn
        by_to = np.argsort(net.arc_to, kind="stable")
        self._in_ptr = np.searchsorted(net.arc_to[by_to], np.arange(n + 1)).tolist()
        self._in_from = net.arc_from[by_to].tolist()
        self._in_w = net.arc_weight_ms[by_to].tolist()
        self._rk = rk

    def _expand_targets(
        self, targets: list[tuple[int, int]]
    ) -> tuple[list[tuple[int, int]], dict[int, tuple[int, int]]]:
        """Replace each target by its predecessors; remember which target each one serves."""
        best: dict[int, tuple[int, int, int]] = {}  # pred -> (extra, target state, target index)
        for j, (t, sub) in enumerate(targets):
            for k in range(self._in_ptr[t], self._in_ptr[t + 1]):
                p = self._in_from[k]
                extra = self._in_w[k] - sub
                if p not in best or extra < best[p][0]:
                    best[p] = (extra, t, j)
        return [(p, v[0]) for p, v in best.items()], {p: (v[1], v[2]) for p, v in best.items()}

    def query(
        self, sources: list[tuple[int, int]], targets: list[tuple[int, int]]
    ) -> PathResult | None:
        """Find the best path from any source to any target (see :meth:`DijkstraEngine.query`)."""
        expanded, serves = self._expand_targets(targets)
        if not expanded or not sources:
            return None
        with self._lock:
            res = self._query.run_multi([(int(s), int(w)) for s, w in sources], expanded)
            distance = res.distance
            path = list(res.node_path)
            del res  # the binding requires the result to be dropped before the next query
        if distance is None or not path:
            return None
        t, j = serves[path[-1]]
        src_index = next(i for i, (s, _) in enumerate(sources) if s == path[0])
        return PathResult(int(distance), (*path, t), src_index, j)

    def many_to_many(
        self, sources: list[list[tuple[int, int]]], targets: list[list[tuple[int, int]]]
    ) -> np.ndarray:
        """Best weights from every source group to every target group.

        Parameters
        ----------
        sources : list of lists of (state, initial_ms)
            One list per origin (the states its snap lies on).
        targets : list of lists of (state, subtract_ms)
            One list per destination.

        Returns
        -------
        numpy.ndarray
            ``(len(sources), len(targets))`` int64 weights, -1 where unreachable.
        """
        # pin every predecessor state of every destination once
        pins: list[int] = []
        pin_index: dict[int, int] = {}
        per_target: list[tuple[np.ndarray, np.ndarray]] = []
        for group in targets:
            expanded, _ = self._expand_targets(group)
            idx, extra = [], []
            for p, e in expanded:
                if p not in pin_index:
                    pin_index[p] = len(pins)
                    pins.append(p)
                idx.append(pin_index[p])
                extra.append(e)
            per_target.append((np.asarray(idx, dtype=np.int64), np.asarray(extra, dtype=np.int64)))
        out = np.full((len(sources), len(targets)), -1, dtype=np.int64)
        if not pins:
            return out
        inf = np.iinfo(np.int64).max // 4
        with self._lock:
            one_to_many = self._rk.CCHOneToMany(self._metric, pins)
            for i, group in enumerate(sources):
                if not group:
                    continue
                d = one_to_many.distances_from_multi([(int(s), int(w)) for s, w in group])
                dist = np.array([inf if x is None else x for x in d], dtype=np.int64)
                for j, (idx, extra) in enumerate(per_target):
                    if len(idx):
                        best = int((dist[idx] + extra).min())
                        out[i, j] = best if best < inf // 2 else -1
            del one_to_many
        return out
