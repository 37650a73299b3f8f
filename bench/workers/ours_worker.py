"""Worker for the project's own router (``routing.router.Router``), run in the project's Python.

It talks to the router only through its public API (``/work/notes/router_api.md``):
``Router.from_file(pbf)``, ``router.route(origin, destination)`` -> ``Route`` (``distance_m``,
``duration_s``, ``geometry``) and ``router.matrix(origins, destinations)`` -> DataFrame. While
``routing.router`` does not exist (or has no ``matrix``), the response says "not available"
instead of failing.

Build time is the wall time of ``Router.from_file`` in this fresh process. The harness points
``ZIEKENVERVOER_CACHE`` at an empty temporary folder, so that a compiled engine cached by an
earlier run is not reused. If the router persists its engine elsewhere (beside the map), the
lead should make that location controllable too, so that the build is measured from the PBF.

Request keys (besides those of ``_common``): ``pbf`` (the extract), ``synthetic_nodes`` (hook for
the synthetic grid scales; see :func:`handle_synthetic`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import _common  # type: ignore[import-not-found]


def _unavailable(reason: str) -> dict[str, Any]:
    return {"engine": "ours", "available": False, "reason": reason}


def _timed_calls(router: Any) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The two calls the harness times: one route end to end, and one matrix."""

    def route(olat: float, olon: float, dlat: float, dlon: float) -> tuple[float, float, Any]:
        found = router.route((olat, olon), (dlat, dlon))
        # the route's vertices as Python lists, through the router's own numpy accessor
        coords = found.coordinates.tolist()
        return float(found.distance_m), float(found.duration_s), coords

    def matrix(sources: Any, targets: Any) -> tuple[list[Any], list[Any]]:
        table = router.matrix([tuple(s) for s in sources], [tuple(t) for t in targets])
        return _matrix_lists(table, len(sources), len(targets))

    return route, matrix


def _response(mode: str, build_s: float, rss_after_load: Any) -> dict[str, Any]:
    """The head of a response: engine, mode, version, build and load time, memory."""
    return {
        "engine": "ours",
        "available": True,
        "mode": mode,
        "version": _version(),
        "build": {"build_s": build_s},
        "load_s": build_s,
        "rss_after_load_mb": rss_after_load,
    }


def handle(request: dict[str, Any]) -> dict[str, Any]:
    """Build the router from the PBF, then time single routes and the matrix."""
    if request.get("synthetic_nodes"):
        return handle_synthetic(request)
    try:
        from routing.router import Router  # type: ignore[import-not-found]
    except ImportError as exc:
        return _unavailable(f"routing.router is not importable ({_common.describe_error(exc)})")

    router, build_s, rss_after_load = _common.timed_load(lambda: Router.from_file(request["pbf"]))

    route, matrix = _timed_calls(router)
    response = _response("in-process (routing.router.Router)", build_s, rss_after_load)
    response["routes"] = _common.time_routes(
        route, request.get("pairs", []), int(request.get("warmup", 10))
    )
    spec = request.get("matrix")
    if spec:
        if hasattr(router, "matrix"):
            response["matrix"] = _common.time_matrix(
                matrix, spec["sources"], spec["targets"], int(spec.get("repeat", 3))
            )
        else:
            response["matrix"] = {"error": "not available: Router has no matrix() yet"}
    return response


def handle_synthetic(request: dict[str, Any]) -> dict[str, Any]:
    """Synthetic grid scales (10k/100k/1M intersections), our engine only.

    The grid is written by :func:`bench.scale.write_grid` (realistic degree, speeds, one-ways and
    turn restrictions; cached under ``bench/.scale`` or ``request["synthetic_dir"]``), the router
    is built from it in this fresh process (timed), and ``request["synthetic_pairs"]`` (1,000)
    random pairs of its intersections in the main part of the network are routed, plus a 100x100
    matrix.
    """
    import random
    import sys
    from pathlib import Path

    try:
        from routing.router import Router  # type: ignore[import-not-found]
    except ImportError as exc:
        return _unavailable(f"routing.router is not importable ({_common.describe_error(exc)})")
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "bench"))
    import scale  # type: ignore[import-not-found]

    nodes = int(request["synthetic_nodes"])
    n_pairs = int(request.get("synthetic_pairs", 1000))
    work = Path(request.get("synthetic_dir") or root / "bench" / ".scale")
    path = work / f"grid-{nodes}.osm.pbf"
    if not path.is_file():
        scale.write_grid(path, nodes)
    router, build_s, rss_after_load = _common.timed_load(
        lambda: Router.from_file(path, compiled=False)
    )
    net = router.network
    main = [int(s) for s in (net.state_component == net.main_component).nonzero()[0]]
    rng = random.Random(2026)
    heads = [int(net.state_head(rng.choice(main))) for _ in range(2 * n_pairs + 200)]
    pts = [(float(net.lat[p]), float(net.lon[p])) for p in heads]
    pairs = [[*pts[2 * i], *pts[2 * i + 1]] for i in range(n_pairs)]
    m0 = 2 * n_pairs

    route, matrix = _timed_calls(router)
    response = _response(
        f"in-process, synthetic grid of {nodes:,} intersections", build_s, rss_after_load
    )
    response["network"] = {"states": int(net.state_ok.sum()), "arcs": len(net.arc_from)}
    response["routes"] = _common.time_routes(route, pairs, int(request.get("warmup", 10)))
    response["matrix"] = _common.time_matrix(
        matrix, pts[m0 : m0 + 100], pts[m0 + 100 : m0 + 200], int(request.get("matrix_repeat", 3))
    )
    return response


def _matrix_lists(table: Any, n_sources: int, n_targets: int) -> tuple[list[Any], list[Any]]:
    """Turn the router's matrix DataFrame into row lists of durations and distances.

    Accepts a long table (``origin``/``destination`` index columns with ``duration_s`` and
    ``distance_m``) in source-major order; the lead may adapt this to the final layout.
    """
    durations = [float(v) if v == v else None for v in table["duration_s"].tolist()]
    distances = [float(v) if v == v else None for v in table["distance_m"].tolist()]
    if len(durations) != n_sources * n_targets:
        raise ValueError(f"matrix has {len(durations)} cells, expected {n_sources * n_targets}")
    rows = range(n_sources)
    return (
        [durations[i * n_targets : (i + 1) * n_targets] for i in rows],
        [distances[i * n_targets : (i + 1) * n_targets] for i in rows],
    )


def _version() -> str:
    try:
        from importlib import metadata

        return f"ziekenvervoer {metadata.version('ziekenvervoer')}"
    except Exception:
        return "ziekenvervoer (checkout)"


if __name__ == "__main__":
    _common.run_worker(handle)
