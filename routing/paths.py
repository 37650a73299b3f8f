"""Turn a path of states into what a route reports: metres, seconds, the line and the ways.

The engine returns the states a route drives. The first and last are driven only in part: from the
origin's projection to the end of the first, and from the start of the last to the destination's
projection. These compiled kernels measure and draw such a path in one pass over the arrays, the
same way for every route.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def measure(states, x0, y1, edge_length, state_duration, arc_ptr, arc_to, arc_turn):  # type: ignore[no-untyped-def]
    """Return (metres, seconds) of a path.

    Parameters
    ----------
    states : int64 array
        The states driven, first to last.
    x0 : float
        Metres from the start of the first state to the origin's projection.
    y1 : float
        Metres from the start of the last state to the destination's projection.
    edge_length, state_duration, arc_ptr, arc_to, arc_turn : arrays
        Network arrays (see :class:`routing.network.CarNetwork`).
    """
    n = len(states)
    first = states[0]
    len0 = edge_length[first >> 1]
    if n == 1:
        dist = y1 - x0
        dur = state_duration[first] * (dist / len0) if len0 > 0 else 0.0
        return max(dist, 0.0), dur
    last = states[n - 1]
    len1 = edge_length[last >> 1]
    dist = (len0 - x0) + y1
    dur = 0.0
    if len0 > 0:
        dur += state_duration[first] * ((len0 - x0) / len0)
    if len1 > 0:
        dur += state_duration[last] * (y1 / len1)
    for i in range(1, n - 1):
        s = states[i]
        dist += edge_length[s >> 1]
        dur += state_duration[s]
    # turn seconds of each consecutive pair (arcs are sorted by target within a state's block)
    for i in range(n - 1):
        a = states[i]
        b = states[i + 1]
        for k in range(arc_ptr[a], arc_ptr[a + 1]):
            if arc_to[k] == b:
                dur += arc_turn[k]
                break
    return max(dist, 0.0), dur


@njit(cache=True)
def geometry(states, src_seg, dst_seg, src_lon, src_lat, dst_lon, dst_lat, edge_first, edge_last,
             chain, lon, lat):  # type: ignore[no-untyped-def]  # fmt: skip
    """Return the route's (lon, lat) coordinates: projection, road vertices, projection.

    ``src_seg``/``dst_seg`` are the chain positions of the segments the origin and destination
    were projected onto. Consecutive repeated coordinates are dropped.
    """
    n = len(states)
    total = 2
    for i in range(n):
        e = states[i] >> 1
        total += edge_last[e] - edge_first[e] + 1
    out = np.empty((total, 2), dtype=np.float64)
    cnt = 0
    out[0, 0] = src_lon
    out[0, 1] = src_lat
    cnt = 1
    for i in range(n):
        s = states[i]
        e = s >> 1
        rev = (s & 1) == 1
        if rev:
            start = edge_last[e]
            stop = edge_first[e]
            step = -1
        else:
            start = edge_first[e]
            stop = edge_last[e]
            step = 1
        if i == 0:
            start = src_seg if rev else src_seg + 1
        if i == n - 1:
            stop = dst_seg + 1 if rev else dst_seg
        count = (stop - start) * step + 1
        for k in range(max(count, 0)):
            p = chain[start + k * step]
            x = lon[p]
            y = lat[p]
            if out[cnt - 1, 0] != x or out[cnt - 1, 1] != y:
                out[cnt, 0] = x
                out[cnt, 1] = y
                cnt += 1
    if out[cnt - 1, 0] != dst_lon or out[cnt - 1, 1] != dst_lat:
        out[cnt, 0] = dst_lon
        out[cnt, 1] = dst_lat
        cnt += 1
    if cnt == 1:
        out[1] = out[0]
        cnt = 2
    return out[:cnt]


@njit(cache=True)
def way_sequence(states, edge_way, way_ids):  # type: ignore[no-untyped-def]
    """Return the OSM ids of the ways a path drives, in order, without consecutive repeats."""
    out = np.empty(len(states), dtype=np.int64)
    cnt = 0
    for i in range(len(states)):
        w = way_ids[edge_way[states[i] >> 1]]
        if cnt == 0 or out[cnt - 1] != w:
            out[cnt] = w
            cnt += 1
    return out[:cnt]
