"""Valhalla worker: routes in-process with ``pyvalhalla``'s ``Actor`` (3.2.0 on Python 3.11).

Request keys (besides those of ``_common``): ``config`` (path of the Valhalla JSON configuration
whose ``mjolnir.tile_dir`` holds the tiles).

Each route asks for ``costing=auto`` with default options and ``directions_type=none``: the
answer then holds the summary (length in km, time in s) and the shape, without the turn-by-turn
narrative that the other engines are not asked for either. The shape (polyline, precision 6) is
decoded into coordinates, as a client would. The matrix is ``sources_to_targets``.
"""

from __future__ import annotations

import json
from typing import Any

import _common  # type: ignore[import-not-found]
import valhalla  # type: ignore[import-not-found]

COSTING = "auto"


def decode_polyline6(encoded: str) -> list[tuple[float, float]]:
    """Decode a Valhalla shape (encoded polyline, precision 6) into (lon, lat) pairs.

    Parameters
    ----------
    encoded : str
        The encoded polyline (Google's algorithm, 1e6 scaling, lat before lon).

    Returns
    -------
    list of (float, float)
        The points as (lon, lat).
    """
    points: list[tuple[float, float]] = []
    index = lat = lon = 0
    length = len(encoded)
    while index < length:
        deltas = []
        for _ in range(2):
            shift = result = 0
            while True:
                byte = ord(encoded[index]) - 63
                index += 1
                result |= (byte & 0x1F) << shift
                shift += 5
                if byte < 0x20:
                    break
            deltas.append(~(result >> 1) if result & 1 else result >> 1)
        lat += deltas[0]
        lon += deltas[1]
        points.append((lon / 1e6, lat / 1e6))
    return points


def _location(lat: float, lon: float) -> dict[str, float]:
    return {"lat": lat, "lon": lon}


def handle(request: dict[str, Any]) -> dict[str, Any]:
    """Load the Actor, then time single routes and the matrix of the request."""
    actor, load_s, rss_after_load = _common.timed_load(lambda: valhalla.Actor(request["config"]))
    status = json.loads(actor.status("{}"))

    def route(olat: float, olon: float, dlat: float, dlon: float) -> tuple[float, float, Any]:
        query = {
            "locations": [_location(olat, olon), _location(dlat, dlon)],
            "costing": COSTING,
            "directions_type": "none",
        }
        trip = json.loads(actor.route(json.dumps(query)))["trip"]
        coords: list[tuple[float, float]] = []
        for leg in trip["legs"]:
            shape = decode_polyline6(leg["shape"])
            coords.extend(shape[1:] if coords else shape)
        summary = trip["summary"]
        return float(summary["length"]) * 1000.0, float(summary["time"]), coords

    def matrix(sources: Any, targets: Any) -> tuple[list[Any], list[Any]]:
        query = {
            "sources": [_location(lat, lon) for lat, lon in sources],
            "targets": [_location(lat, lon) for lat, lon in targets],
            "costing": COSTING,
        }
        answer = json.loads(actor.matrix(json.dumps(query)))
        rows = answer["sources_to_targets"]
        durations = [[_number(cell.get("time")) for cell in row] for row in rows]
        distances = [[_km_to_m(cell.get("distance")) for cell in row] for row in rows]
        return durations, distances

    response: dict[str, Any] = {
        "engine": "valhalla",
        "mode": "in-process (pyvalhalla Actor)",
        "version": f"pyvalhalla {valhalla.__version__} (valhalla {status.get('version')})",
        "load_s": load_s,
        "rss_after_load_mb": rss_after_load,
    }
    response["routes"] = _common.time_routes(
        route, request.get("pairs", []), int(request.get("warmup", 10))
    )
    spec = request.get("matrix")
    if spec:
        response["matrix"] = _common.time_matrix(
            matrix, spec["sources"], spec["targets"], int(spec.get("repeat", 3))
        )
    return response


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _km_to_m(value: Any) -> float | None:
    return None if value is None else float(value) * 1000.0


if __name__ == "__main__":
    _common.run_worker(handle)
