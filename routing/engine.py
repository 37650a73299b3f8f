"""Query engines on the edge-based car network: find the least-weight sequence of states.

All weights are integer milliseconds, so every engine finds exactly the same optimum and results
are reproducible bit for bit. A query starts on one or more states with an initial weight (the part
of the first road still to drive) and ends on one or more states with a weight to subtract (the part
of the last road beyond the destination). A target state counts only when it is entered through a
turn; a destination on the start's own road piece is the router's business (it may lie behind).

- :class:`DijkstraEngine`: a plain Dijkstra on the network's CSR arrays. Simple, exact, and the
  reference the fast engine is tested against.
- :class:`CCHEngine`: a customizable contraction hierarchy (:mod:`routing.cch`) on the same
  edge-based graph, so turn restrictions and turn costs survive. Answers a city query in
  microseconds; :mod:`routing.store` saves the whole hierarchy beside the map.
"""

from __future__ import annotations

import heapq
import threading
from dataclasses import dataclass
from typing import Any

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


class CCHEngine:
    """Customizable contraction hierarchy on the edge-based graph (see :mod:`routing.cch`).

    Parameters
    ----------
    network : CarNetwork
        The network to route on.
    cch : routing.cch.CCH, optional
        A hierarchy built before (loaded by :mod:`routing.store`); built when not given.

    Notes
    -----
    Targets are reached through their incoming turns: a target state ``t`` with ``sub`` to subtract
    becomes the predecessors ``p`` of ``t`` with the extra weight ``w(p -> t) - sub`` (never
    negative, because an arc into ``t`` weighs at least ``t``'s full weight). This gives exactly the
    semantics of :class:`DijkstraEngine`. Queries are serialised with a lock: the workspace arrays
    are shared.
    """

    name = "cch"

    def __init__(self, network: CarNetwork, cch: Any = None) -> None:
        self.network = net = network
        if cch is None:
            cch = build_hierarchy(net)
        self.cch = cch
        self._lock = threading.Lock()
        # incoming arcs per state, to reach targets through a turn
        by_to = np.argsort(net.arc_to, kind="stable")
        self._in_ptr = np.searchsorted(net.arc_to[by_to], np.arange(net.n_states + 1))
        self._in_from = net.arc_from[by_to]
        self._in_w = net.arc_weight_ms[by_to]
        self._in_turn = net.arc_turn_s[by_to]

    def expand_targets(
        self, targets: list[tuple[int, int, float, float]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Replace target states by their predecessors.

        Parameters
        ----------
        targets : list of (state, subtract_ms, duration_before_s, metres_before)
            For each target state: the weight beyond the destination, and the time and length of
            the part of the state *before* the destination.

        Returns
        -------
        (nodes, w, t, l, which)
            Predecessor states with the extra weight, time and length of the turn into the target
            and its part up to the destination; ``which`` is the target's index.
        """
        from routing.cch import expand_targets

        arr = np.array(targets, dtype=np.float64).reshape(-1, 4)
        return expand_targets(
            arr[:, 0].astype(np.int64),
            arr[:, 1].astype(np.int64),
            arr[:, 2],
            arr[:, 3],
            self._in_ptr,
            self._in_from,
            self._in_w,
            self._in_turn,
        )

    def query(
        self, sources: list[tuple[int, int]], targets: list[tuple[int, int]]
    ) -> PathResult | None:
        """Find the best path from any source to any target (see :meth:`DijkstraEngine.query`)."""
        if not sources or not targets:
            return None
        src = np.array(sources, dtype=np.int64)
        tgt = np.array(targets, dtype=np.int64)
        with self._lock:
            res = self.cch.route_query(
                src[:, 0],
                src[:, 1],
                tgt[:, 0],
                tgt[:, 1],
                (self._in_ptr, self._in_from, self._in_w, self._in_turn),
            )
        if res is None:
            return None
        weight, states, j = res
        first = int(states[0])
        src_index = next(i for i, (s, _) in enumerate(sources) if s == first)
        return PathResult(weight, tuple(states.tolist()), src_index, j)


def build_hierarchy(network: CarNetwork, order: np.ndarray | None = None) -> Any:
    """Build the contraction hierarchy of a network (see :class:`routing.cch.CCH`).

    Every arc carries its weight, and the travel time and length it adds: the turn plus the state
    it enters.

    Parameters
    ----------
    network : CarNetwork
        The car network.
    order : numpy.ndarray, optional
        Contraction order (``order[rank] = state``); nested dissection by METIS when not given.
    """
    from routing.cch import CCH

    net = network
    duration = (net.arc_turn_s + net.state_duration_s[net.arc_to]).astype(np.float32)
    length = net.edge_length_m[net.arc_to >> 1].astype(np.float32)
    return CCH.build(
        net.n_states, net.arc_from, net.arc_to, net.arc_weight_ms, duration, length, order=order
    )
