"""OSRM worker: routes in-process with the ``osrm-bindings`` wheel (Python >= 3.12).

Request keys (besides those of ``_common``): ``osrm_data`` (path of ``<name>.osrm``, built with
``osrm-extract`` + ``osrm-contract``).

API notes (osrm-bindings 26.10, nanobind): ``osrm.OSRM(algorithm="CH", storage_config=...,
use_shared_memory=False)`` loads the files (the default ``use_shared_memory=True`` expects
``osrm-datastore``); ``RouteParameters(coordinates=[(lon, lat), ...], overview="full",
geometries="geojson")`` and ``TableParameters(coordinates, sources, destinations,
annotations=["duration", "distance"])``; results are ``osrm.Object``/``osrm.Array`` that index
like dicts and lists.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

import _common  # type: ignore[import-not-found]
import osrm  # type: ignore[import-not-found]


def handle(request: dict[str, Any]) -> dict[str, Any]:
    """Load the OSRM data, then time single routes and the matrix of the request."""
    engine, load_s, rss_after_load = _common.timed_load(
        lambda: osrm.OSRM(
            algorithm="CH", storage_config=request["osrm_data"], use_shared_memory=False
        )
    )

    def route(olat: float, olon: float, dlat: float, dlon: float) -> tuple[float, float, Any]:
        params = osrm.RouteParameters(
            coordinates=[(olon, olat), (dlon, dlat)], overview="full", geometries="geojson"
        )
        best = engine.Route(params)["routes"][0]
        coords = [(float(c[0]), float(c[1])) for c in best["geometry"]["coordinates"]]
        return float(best["distance"]), float(best["duration"]), coords

    def matrix(sources: Any, targets: Any) -> tuple[list[Any], list[Any]]:
        coords = [(lon, lat) for lat, lon in sources] + [(lon, lat) for lat, lon in targets]
        params = osrm.TableParameters(
            coordinates=coords,
            sources=list(range(len(sources))),
            destinations=list(range(len(sources), len(coords))),
            annotations=["duration", "distance"],
        )
        table = engine.Table(params)
        durations = [[_number(v) for v in row] for row in table["durations"]]
        distances = [[_number(v) for v in row] for row in table["distances"]]
        return durations, distances

    response: dict[str, Any] = {
        "engine": "osrm",
        "mode": "in-process (osrm-bindings, CH)",
        "version": f"osrm-bindings {metadata.version('osrm-bindings')}",
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


if __name__ == "__main__":
    _common.run_worker(handle)
