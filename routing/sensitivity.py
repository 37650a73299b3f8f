"""How ambiguous is "the fastest route"? Near-tie analysis of a route.

Two routes a few seconds apart in travel time can differ by 2-22 % in length, and different route
planners break such near ties differently. An auditor needs to know when that happens. For a route
from A to B this module looks at every *via-route*: the fastest route from A to some road piece X
followed by the fastest route from X to B. Via-routes whose weight lies within a tolerance of the
fastest and that do not drive any road twice (no detour into a side street and back) are the
plausible near-ties; their shortest and longest lengths bound what another planner could report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

if TYPE_CHECKING:
    from routing.network import CarNetwork


@dataclass(frozen=True)
class Sensitivity:
    """Lengths of the plausible routes nearly as fast as the chosen one.

    Attributes
    ----------
    tolerance_s : float
        How much slower (in the profile's weight, seconds) a route may be to count.
    distance_m : float
        Length of the chosen (fastest) route.
    min_distance_m, max_distance_m : float
        Shortest and longest near-tie route (equal to ``distance_m`` when there is none).
    alternatives : int
        Number of distinct near-tie lengths found (besides the chosen route's).
    """

    tolerance_s: float
    distance_m: float
    min_distance_m: float
    max_distance_m: float
    alternatives: int

    @property
    def spread(self) -> float:
        """(longest - shortest) / chosen length."""
        if self.distance_m <= 0:
            return 0.0
        return (self.max_distance_m - self.min_distance_m) / self.distance_m

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "tolerance_s": self.tolerance_s,
            "distance_m": self.distance_m,
            "min_distance_m": self.min_distance_m,
            "max_distance_m": self.max_distance_m,
            "alternatives": self.alternatives,
            "spread": self.spread,
        }


def _tree(
    net: CarNetwork, seeds: list[tuple[int, int, float]], reverse: bool, limit: float
) -> tuple[np.ndarray, np.ndarray]:
    """Dijkstra from seeds (state, initial weight ms, initial metres); returns (weight, pred)."""
    n = net.n_states
    a_from, a_to = (net.arc_to, net.arc_from) if reverse else (net.arc_from, net.arc_to)
    rows = np.concatenate([a_from, np.full(len(seeds), n)])
    cols = np.concatenate([a_to, [s for s, _, _ in seeds]])
    vals = np.concatenate([net.arc_weight_ms, [w + 1 for _, w, _ in seeds]]).astype(float)
    g = csr_matrix((vals, (rows, cols)), shape=(n + 1, n + 1))
    d, pred = dijkstra(g, directed=True, indices=n, return_predecessors=True, limit=limit + 1)
    return d[:n] - 1, pred[:n]


def _lengths(
    net: CarNetwork, d: np.ndarray, pred: np.ndarray, seeds: dict[int, float], reverse: bool
) -> np.ndarray:
    """Metres along the shortest-path tree to each reached state (forward: to its end)."""
    n = net.n_states
    out = np.full(n, np.nan)
    edge_len = net.edge_length_m
    for s in np.argsort(d, kind="stable").tolist():
        if not np.isfinite(d[s]):
            break
        p = int(pred[s])
        if p == n or p < 0:
            out[s] = seeds[s]
        elif reverse:
            # from the end of s: drive the next state p fully, then on from p's end
            out[s] = out[p] + edge_len[p >> 1]
        else:
            out[s] = out[p] + edge_len[s >> 1]
    return out


def _path(pred: np.ndarray, s: int, n: int) -> list[int]:
    out = [s]
    while 0 <= pred[out[-1]] < n:
        out.append(int(pred[out[-1]]))
    return out


def near_ties(
    net: CarNetwork,
    sources: list[tuple[int, int, float]],
    targets: list[tuple[int, int, float]],
    best_weight_ms: int,
    best_distance_m: float,
    tolerance_s: float,
) -> Sensitivity:
    """Bound the lengths of via-routes within ``tolerance_s`` of the best weight.

    Parameters
    ----------
    net : CarNetwork
        The network.
    sources : list of (state, initial weight ms, metres to the state's end)
        Where the route may start.
    targets : list of (state, weight ms beyond the destination, metres beyond the destination)
        Where it may end.
    best_weight_ms, best_distance_m : int, float
        Weight and length of the chosen route.
    tolerance_s : float
        Slack in seconds of weight.
    """
    tol = round(tolerance_s * 1000)
    limit = best_weight_ms + tol
    df, pf = _tree(net, sources, reverse=False, limit=limit)
    # backward seeds: reaching the end of a target state overshoots the destination by `sub`
    big = max((sub for _, sub, _ in targets), default=0)
    db, pb = _tree(
        net, [(t, big - sub, 0.0) for t, sub, _ in targets], reverse=True, limit=limit + big
    )
    db = db - big
    total = df + db
    # a combination below the optimum is not a real route (destination behind the start on the
    # same road piece): skip it
    cand = np.flatnonzero(np.isfinite(total) & (total <= limit) & (total >= best_weight_ms - 1))
    lf = _lengths(net, df, pf, {s: m for s, _, m in sources}, reverse=False)
    lb = _lengths(net, db + big, pb, {t: -m for t, _, m in targets}, reverse=True)
    n = net.n_states
    lengths = []
    for x in cand.tolist():
        length = lf[x] + lb[x]
        if not np.isfinite(length) or length < 0:
            continue
        forward = _path(pf, x, n)
        backward = _path(pb, x, n)[1:]
        edges = [s >> 1 for s in forward + backward]
        if len(set(edges)) < len(edges):
            continue  # drives a road twice: a detour, not an alternative
        lengths.append(float(length))
    if not lengths:
        return Sensitivity(tolerance_s, best_distance_m, best_distance_m, best_distance_m, 0)
    arr = np.array([*lengths, best_distance_m])
    distinct = np.unique(np.round(arr, 0))
    return Sensitivity(
        tolerance_s=tolerance_s,
        distance_m=best_distance_m,
        min_distance_m=float(arr.min()),
        max_distance_m=float(arr.max()),
        alternatives=int(len(distinct) - 1),
    )
