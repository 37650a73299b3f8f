"""Query engines on the edge-based car network: find the least-weight sequence of states.

All weights are integer milliseconds, so every engine finds exactly the same optimum and results
are reproducible bit for bit. A query starts on one or more states with an initial weight (the part
of the first road still to drive) and ends on one or more states with a weight to subtract (the part
of the last road beyond the destination).

:class:`DijkstraEngine` is a plain Dijkstra on the CSR arrays of the network: simple, exact and the
reference the faster engines are tested against.
"""

from __future__ import annotations

import heapq
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
