"""Shared code of the engine workers: request/response files, timing loops, memory readings.

Standard library only: this module runs in the helper venvs (Python 3.11 and 3.12) as well as in
the project's Python.

Request (JSON) keys used here
-----------------------------
``pairs``
    ``[[origin_lat, origin_lon, dest_lat, dest_lon], ...]`` to route one by one.
``warmup``
    How many of the first pairs to route once, untimed, before the timed pass (default 10).
``matrix``
    ``{"sources": [[lat, lon], ...], "targets": [[lat, lon], ...], "repeat": 3}`` or null.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

Coordinates = list[tuple[float, float]]
"""A route geometry as (lon, lat) pairs, as a client holds it after parsing the engine's answer."""

RouteFunction = Callable[[float, float, float, float], tuple[float, float, Coordinates]]
"""(origin_lat, origin_lon, dest_lat, dest_lon) -> (distance_m, duration_s, geometry)."""

MatrixFunction = Callable[
    [Sequence[Sequence[float]], Sequence[Sequence[float]]],
    tuple[list[list[float | None]], list[list[float | None]]],
]
"""(sources, targets) as [lat, lon] lists -> (durations_s, distances_m), None where unreachable."""

ERROR_MAX_CHARS = 300


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (sphere of radius 6,371,008.8 m)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi = p2 - p1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlmb / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(min(1.0, a)))


def _status_kb(field: str) -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return float(line.split()[1])
    except OSError:
        return None
    return None


def rss_mb() -> float | None:
    """Current resident set size of this process in MiB (Linux ``VmRSS``), or None."""
    kb = _status_kb("VmRSS")
    return None if kb is None else kb / 1024.0


def peak_rss_mb() -> float | None:
    """Peak resident set size of this process so far in MiB (Linux ``VmHWM``), or None."""
    kb = _status_kb("VmHWM")
    return None if kb is None else kb / 1024.0


def describe_error(exc: BaseException) -> str:
    """Return ``"Type: message"`` cut to :data:`ERROR_MAX_CHARS` characters."""
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    return text[:ERROR_MAX_CHARS]


def time_routes(
    route: RouteFunction, pairs: Sequence[Sequence[float]], warmup: int
) -> dict[str, Any]:
    """Route every pair once, timing each call end to end.

    The first ``warmup`` pairs are routed once beforehand, untimed (the first of them is reported
    as ``first_query_s``). A failing pair is recorded with its error and its latency; it never
    stops the loop. Snap distances are measured from the given points to the first and last
    point of the returned geometry, outside the timed call.

    Parameters
    ----------
    route : callable
        See :data:`RouteFunction`; raises on failure.
    pairs : sequence of [olat, olon, dlat, dlon]
        The queries.
    warmup : int
        Number of untimed warm-up queries.

    Returns
    -------
    dict
        Column lists ``distance_m, duration_s, latency_s, n_points, snap_origin_m, snap_dest_m,
        error`` (one entry per pair) and ``first_query_s``.
    """
    first_query_s: float | None = None
    for i, (olat, olon, dlat, dlon) in enumerate(pairs[: max(0, warmup)]):
        start = time.perf_counter()
        with contextlib.suppress(Exception):  # a failing query is measured again below
            route(olat, olon, dlat, dlon)
        if i == 0:
            first_query_s = time.perf_counter() - start
    columns: dict[str, list[Any]] = {
        key: []
        for key in (
            "distance_m",
            "duration_s",
            "latency_s",
            "n_points",
            "snap_origin_m",
            "snap_dest_m",
            "error",
        )
    }
    for olat, olon, dlat, dlon in pairs:
        error: str | None = None
        result: tuple[float, float, Coordinates] | None = None
        start = time.perf_counter()
        try:
            result = route(olat, olon, dlat, dlon)
        except Exception as exc:
            error = describe_error(exc)
        latency = time.perf_counter() - start
        columns["latency_s"].append(latency)
        columns["error"].append(error)
        if result is None:
            for key in ("distance_m", "duration_s", "n_points", "snap_origin_m", "snap_dest_m"):
                columns[key].append(None)
            continue
        distance, duration, coords = result
        columns["distance_m"].append(distance)
        columns["duration_s"].append(duration)
        columns["n_points"].append(len(coords))
        if coords:
            columns["snap_origin_m"].append(haversine_m(olat, olon, coords[0][1], coords[0][0]))
            columns["snap_dest_m"].append(haversine_m(dlat, dlon, coords[-1][1], coords[-1][0]))
        else:
            columns["snap_origin_m"].append(None)
            columns["snap_dest_m"].append(None)
    columns["first_query_s"] = first_query_s  # type: ignore[assignment]
    return columns


def time_matrix(
    matrix: MatrixFunction,
    sources: Sequence[Sequence[float]],
    targets: Sequence[Sequence[float]],
    repeat: int,
) -> dict[str, Any]:
    """Compute the sources x targets matrix ``repeat`` times, timing each call end to end.

    Parameters
    ----------
    matrix : callable
        See :data:`MatrixFunction`; raises on failure.
    sources, targets : sequence of [lat, lon]
        The matrix's rows and columns.
    repeat : int
        Number of timed runs (>= 1); the answer of the last run is returned.

    Returns
    -------
    dict
        ``latency_s`` (one per run), ``durations_s`` and ``distances_m`` (lists of rows),
        ``missing`` (cells without a value), ``error`` (None or the first failure).
    """
    latencies: list[float] = []
    durations: list[list[float | None]] | None = None
    distances: list[list[float | None]] | None = None
    error: str | None = None
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        try:
            durations, distances = matrix(sources, targets)
        except Exception as exc:
            error = describe_error(exc)
            break
        latencies.append(time.perf_counter() - start)
    missing = None
    if durations is not None:
        missing = sum(1 for row in durations for value in row if value is None)
    return {
        "size": [len(sources), len(targets)],
        "latency_s": latencies,
        "durations_s": durations,
        "distances_m": distances,
        "missing": missing,
        "error": error,
    }


def run_worker(handler: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Entry point of a worker: read the request file, call ``handler``, write the response file.

    Any exception of the handler becomes ``{"ok": false, "error": ..., "traceback": ...}`` in the
    response, so that the harness can report it; the exit code is then 1. The response is written
    atomically and always carries ``peak_rss_mb`` (VmHWM) of the worker.
    """
    if len(sys.argv) != 3:
        sys.stderr.write(f"usage: {sys.argv[0]} REQUEST.json RESPONSE.json\n")
        raise SystemExit(2)
    request_path, response_path = sys.argv[1], sys.argv[2]
    with open(request_path, encoding="utf-8") as handle:
        request = json.load(handle)
    code = 0
    try:
        response = handler(request)
        response.setdefault("ok", True)
    except Exception as exc:
        response = {"ok": False, "error": describe_error(exc), "traceback": traceback.format_exc()}
        code = 1
    response["peak_rss_mb"] = peak_rss_mb()
    response["python"] = sys.version.split()[0]
    tmp = response_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(response, handle)
    os.replace(tmp, response_path)
    raise SystemExit(code)


def timed_load(load: Callable[[], Any]) -> tuple[Any, float, float | None]:
    """Call ``load`` and return (its result, seconds taken, RSS in MiB afterwards)."""
    start = time.perf_counter()
    loaded = load()
    return loaded, time.perf_counter() - start, rss_mb()
