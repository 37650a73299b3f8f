"""Run each engine on a workload in its own process and collect latencies, answers and memory.

Runners take a :class:`Workload` (origin-destination pairs and a matrix) and return an
:class:`EngineRun`. In-process engines run in a worker subprocess (``bench/workers/``) under the
Python they need; ``osrm-routed`` runs as an HTTP server on 127.0.0.1 that is always stopped
again, also on errors. Peak memory is that of the engine's process (:func:`os.wait4`).

Runners never raise for an engine that is missing or fails: the run says ``available=False``
with the reason, so that one engine cannot stop the benchmark of the others.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.engines import (
    PROJECT_ROOT,
    EngineHome,
    Toolchain,
    build_is_current,
    extract_path,
    valhalla_query_config,
)
from bench.measure import (
    LatencySummary,
    Measured,
    MeasuredProcess,
    run_measured,
    summarize_latencies,
)
from bench.workers import _common

WORKERS = Path(__file__).resolve().parent / "workers"
WORKER_TIMEOUT_S = 3600.0
SERVER_START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Workload:
    """What every engine is asked for one extract.

    Attributes
    ----------
    pairs : list of [olat, olon, dlat, dlon]
        Single-route queries, timed one by one.
    matrix_sources, matrix_targets : list of [lat, lon]
        Rows and columns of the many-to-many query (empty: no matrix).
    warmup : int
        Untimed warm-up queries before the timed ones (the first pairs again).
    matrix_repeat : int
        Timed runs of the matrix.
    """

    pairs: list[list[float]]
    matrix_sources: list[list[float]] = field(default_factory=list)
    matrix_targets: list[list[float]] = field(default_factory=list)
    warmup: int = 10
    matrix_repeat: int = 3

    def request(self, **extra: Any) -> dict[str, Any]:
        """Return the worker request (see ``bench/workers/_common.py``) plus ``extra`` keys."""
        matrix = None
        if self.matrix_sources and self.matrix_targets:
            matrix = {
                "sources": self.matrix_sources,
                "targets": self.matrix_targets,
                "repeat": self.matrix_repeat,
            }
        return {"pairs": self.pairs, "warmup": self.warmup, "matrix": matrix, **extra}


@dataclass
class EngineRun:
    """One engine's answers and measurements on one extract.

    Attributes
    ----------
    engine : str
        ``ours``, ``osrm``, ``osrm-http``, ``valhalla`` or ``osmnx``.
    extract : str
        Extract name.
    available : bool
        False when the engine could not run; see ``reason``.
    reason : str or None
        Why it is not available, or what failed.
    mode : str or None
        How it ran (in-process bindings, HTTP server, ...).
    version : str or None
        Engine version as it reports itself.
    load_s : float or None
        Time to load (or, for osmnx and ours, build) the engine in its process.
    first_query_s : float or None
        Latency of the very first query after loading (untimed warm-up).
    rss_after_load_mb : float or None
        Resident memory of the engine process after loading.
    peak_rss_mb : float or None
        Peak resident memory of the engine process over the whole run (``ru_maxrss``).
    peak_rss_self_mb : float or None
        The same as the worker saw it itself (``VmHWM``), a cross-check.
    wall_s : float or None
        Wall time of the engine process (or server) from start to exit.
    routes : dict or None
        Column lists per pair: ``distance_m, duration_s, latency_s, n_points, snap_origin_m,
        snap_dest_m, error``.
    matrix : dict or None
        ``latency_s`` per run, ``durations_s``/``distances_m`` rows, ``missing``, ``error``.
    build : dict or None
        Build measurements made inside the worker (osmnx conversion and graph build, ours).
    """

    engine: str
    extract: str
    available: bool = True
    reason: str | None = None
    mode: str | None = None
    version: str | None = None
    load_s: float | None = None
    first_query_s: float | None = None
    rss_after_load_mb: float | None = None
    peak_rss_mb: float | None = None
    peak_rss_self_mb: float | None = None
    wall_s: float | None = None
    routes: dict[str, Any] | None = None
    matrix: dict[str, Any] | None = None
    build: dict[str, Any] | None = None

    @property
    def route_latency(self) -> LatencySummary | None:
        """Median/p95/... of the single-route latencies (None if no routes ran)."""
        if not self.routes:
            return None
        return summarize_latencies(self.routes["latency_s"])

    @property
    def route_errors(self) -> int | None:
        """Number of pairs that failed."""
        if not self.routes:
            return None
        return sum(1 for error in self.routes["error"] if error)

    @property
    def matrix_latency(self) -> LatencySummary | None:
        """Summary of the timed matrix runs (None without a successful matrix)."""
        if not self.matrix or not self.matrix.get("latency_s"):
            return None
        return summarize_latencies(self.matrix["latency_s"])

    def summary(self) -> dict[str, Any]:
        """Return the run's measurements without the per-pair columns (JSON-ready)."""
        out = asdict(self)
        out.pop("routes")
        matrix = out.pop("matrix")
        latency = self.route_latency
        out["route_latency"] = latency.to_dict() if latency else None
        out["route_errors"] = self.route_errors
        out["first_route_error"] = next(
            (e for e in (self.routes or {}).get("error", []) if e), None
        )
        if matrix is not None:
            mlat = self.matrix_latency
            out["matrix"] = {
                "size": matrix.get("size"),
                "latency": mlat.to_dict() if mlat else None,
                "missing": matrix.get("missing"),
                "error": matrix.get("error"),
            }
        else:
            out["matrix"] = None
        return out


def unavailable(engine: str, extract: str, reason: str) -> EngineRun:
    """Return a run that says why ``engine`` could not run on ``extract``."""
    return EngineRun(engine=engine, extract=extract, available=False, reason=reason)


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    env.update(extra)
    return env


def run_worker(
    engine: str,
    extract: str,
    python: Path | str,
    script: str,
    request: dict[str, Any],
    *,
    log: Path,
    env: dict[str, str] | None = None,
    timeout: float = WORKER_TIMEOUT_S,
) -> EngineRun:
    """Run a worker script under ``python`` and turn its response into an :class:`EngineRun`.

    Parameters
    ----------
    engine, extract : str
        Labels of the run.
    python : path
        Interpreter to run the worker with.
    script : str
        File name in ``bench/workers/``.
    request : dict
        The worker's request.
    log : pathlib.Path
        Receives the worker's stdout and stderr (overwritten).
    env : dict, optional
        Environment (default: this one without ``PYTHONPATH``).
    timeout : float
        Seconds before the worker is killed.

    Returns
    -------
    EngineRun
        With ``peak_rss_mb`` and ``wall_s`` measured from outside the worker.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"zv-bench-{engine}-") as tmp:
        request_path = Path(tmp) / "request.json"
        response_path = Path(tmp) / "response.json"
        request_path.write_text(json.dumps(request), encoding="utf-8")
        measured: Measured = run_measured(
            [python, WORKERS / script, request_path, response_path],
            env=env if env is not None else _clean_env(),
            log=log,
            timeout=timeout,
            check=False,
        )
        try:
            response = json.loads(response_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            what = "timed out" if measured.timed_out else f"exited with {measured.returncode}"
            return unavailable(engine, extract, f"worker {what} without an answer; see {log}")
    if not response.get("ok", False) or not response.get("available", True):
        reason = response.get("reason") or response.get("error") or "worker failed"
        run = unavailable(engine, extract, reason)
    else:
        run = EngineRun(engine=engine, extract=extract)
        for key in ("mode", "version", "load_s", "rss_after_load_mb", "matrix", "build"):
            setattr(run, key, response.get(key))
        routes = response.get("routes")
        if routes is not None:
            run.first_query_s = routes.pop("first_query_s", None)
            run.routes = routes
        if run.mode:
            run.mode = f"{run.mode}, Python {response.get('python')}"
    run.peak_rss_mb = measured.peak_rss_mb
    run.peak_rss_self_mb = response.get("peak_rss_mb")
    run.wall_s = measured.wall_s
    return run


# --- engines ----------------------------------------------------------------------------------


def run_osrm_inprocess(extract: str, workload: Workload, tools: Toolchain) -> EngineRun:
    """OSRM through ``osrm-bindings`` in the Python 3.12 venv (CH, full geometry)."""
    home = tools.home
    if tools.osrm_python is None:
        return unavailable("osrm", extract, tools.osrm_python_reason or "no OSRM venv")
    if not build_is_current(home.osrm_data(extract).parent, extract_path(extract)):
        return unavailable("osrm", extract, "no current OSRM build; run bench/engines.py prepare")
    request = workload.request(osrm_data=str(home.osrm_data(extract)))
    return run_worker(
        "osrm",
        extract,
        tools.osrm_python,
        "osrm_worker.py",
        request,
        log=home.log(f"run-osrm-{extract}"),
    )


def run_valhalla(extract: str, workload: Workload, tools: Toolchain) -> EngineRun:
    """Valhalla through pyvalhalla 3.2.0's ``Actor`` in the Python 3.11 venv (auto costing)."""
    home = tools.home
    if tools.valhalla_python is None:
        return unavailable("valhalla", extract, tools.valhalla_reason or "no Valhalla venv")
    folder = home.valhalla_data(extract)
    if not build_is_current(folder, extract_path(extract)):
        return unavailable("valhalla", extract, "no current tiles; run bench/engines.py prepare")
    config = folder / "query.json"
    if not config.is_file():
        config = valhalla_query_config(tools, extract)
    return run_worker(
        "valhalla",
        extract,
        tools.valhalla_python,
        "valhalla_worker.py",
        workload.request(config=str(config)),
        log=home.log(f"run-valhalla-{extract}"),
    )


def run_osmnx(extract: str, workload: Workload, home: EngineHome) -> EngineRun:
    """The osmnx/networkx baseline in the project's Python (graph built inside the worker)."""
    scratch = home.root / "scratch"
    request = workload.request(pbf=str(extract_path(extract)), workdir=str(scratch), matrix=None)
    return run_worker(
        "osmnx",
        extract,
        sys.executable,
        "osmnx_worker.py",
        request,
        log=home.log(f"run-osmnx-{extract}"),
    )


def run_ours(
    extract: str, workload: Workload, home: EngineHome, *, pythonpath: Path = PROJECT_ROOT
) -> EngineRun:
    """The project's router through its public API; "not available" until it exists.

    The worker runs with ``pythonpath`` (the project root) on ``PYTHONPATH`` and
    ``ZIEKENVERVOER_CACHE`` pointing at an empty temporary folder, so its build is measured from
    the PBF.
    """
    return _run_ours_worker(
        extract, workload.request(pbf=str(extract_path(extract))), home, pythonpath
    )


def run_ours_synthetic(
    nodes: int, workload: Workload, home: EngineHome, *, pythonpath: Path = PROJECT_ROOT
) -> EngineRun:
    """Hook for the synthetic scales (10k/100k/1M-node grids): our engine only.

    Sends ``synthetic_nodes`` to the ours worker, whose ``handle_synthetic`` the lead wires to
    the synthetic network generator. Until then the run is "not available".
    """
    request = workload.request(synthetic_nodes=nodes)
    return _run_ours_worker(f"synthetic-{nodes}", request, home, pythonpath)


def _run_ours_worker(
    label: str, request: dict[str, Any], home: EngineHome, pythonpath: Path
) -> EngineRun:
    with tempfile.TemporaryDirectory(prefix="zv-bench-cache-") as cache:
        env = _clean_env(PYTHONPATH=str(pythonpath), ZIEKENVERVOER_CACHE=cache)
        return run_worker(
            "ours",
            label,
            sys.executable,
            "ours_worker.py",
            request,
            log=home.log(f"run-ours-{label}"),
            env=env,
        )


# --- OSRM over HTTP -----------------------------------------------------------------------------


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class OsrmServer:
    """A running ``osrm-routed`` on 127.0.0.1, started through the measuring launcher.

    Attributes
    ----------
    process : MeasuredProcess
        The server (its launcher).
    port : int
        Its port on 127.0.0.1.
    load_s : float or None
        Seconds until it answered its first request.
    measured : Measured or None
        Wall time and peak memory, set by :meth:`stop`.
    """

    process: MeasuredProcess
    port: int
    load_s: float | None = None
    measured: Measured | None = None

    def stop(self) -> None:
        """Stop the server (SIGTERM, SIGKILL after 10 s) and record its wall time and memory."""
        if self.measured is None:
            self.measured = self.process.stop(grace=10.0)


@contextlib.contextmanager
def osrm_routed(
    data: Path, binary: Path, *, log: Path, max_table_size: int = 1000
) -> Iterator[OsrmServer]:
    """Start ``osrm-routed`` (CH) on 127.0.0.1 for ``data``; stop it on exit, also on errors.

    Parameters
    ----------
    data : pathlib.Path
        The ``<extract>.osrm`` base path.
    binary : pathlib.Path
        The ``osrm-routed`` executable.
    log : pathlib.Path
        Receives the server's output (overwritten).
    max_table_size : int
        ``--max-table-size`` (the default 100 counts sources plus destinations, too few for
        100x100).

    Yields
    ------
    OsrmServer
        The running server, answering requests.

    Raises
    ------
    RuntimeError
        If it does not answer within :data:`SERVER_START_TIMEOUT_S`.
    """
    port = free_port()
    log.unlink(missing_ok=True)
    cmd = [
        binary,
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        "--algorithm",
        "CH",
        "--max-table-size",
        str(max_table_size),
        data,
    ]
    started = time.perf_counter()
    server = OsrmServer(MeasuredProcess(cmd, log=log), port)
    try:
        _wait_until_listening(server)
        server.load_s = time.perf_counter() - started
        yield server
    finally:
        server.stop()


def _wait_until_listening(server: OsrmServer) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if not server.process.running():
            raise RuntimeError("osrm-routed exited at start; see its log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
            conn.request("GET", "/nearest/v1/driving/0,0")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"osrm-routed did not answer within {SERVER_START_TIMEOUT_S:.0f} s")


class OsrmHttpClient:
    """A keep-alive HTTP client for osrm-routed's ``route`` and ``table`` services.

    Parameters
    ----------
    port : int
        Port on 127.0.0.1.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self._conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def get(self, path: str) -> dict[str, Any]:
        """GET ``path`` and return the decoded JSON; reconnects once if the server hung up."""
        for attempt in (1, 2):
            try:
                self._conn.request("GET", path)
                body = self._conn.getresponse().read()
                break
            except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
                self._conn.close()
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        answer = json.loads(body)
        if answer.get("code") != "Ok":
            raise RuntimeError(f"{answer.get('code')}: {answer.get('message')}")
        return answer

    def route(self, olat: float, olon: float, dlat: float, dlon: float) -> tuple[float, float, Any]:
        """One route with full GeoJSON geometry: (distance_m, duration_s, [(lon, lat), ...])."""
        answer = self.get(
            f"/route/v1/driving/{olon},{olat};{dlon},{dlat}?overview=full&geometries=geojson"
        )
        best = answer["routes"][0]
        coords = [(float(c[0]), float(c[1])) for c in best["geometry"]["coordinates"]]
        return float(best["distance"]), float(best["duration"]), coords

    def table(
        self, sources: Sequence[Sequence[float]], targets: Sequence[Sequence[float]]
    ) -> tuple[list[list[float | None]], list[list[float | None]]]:
        """The sources x targets table of durations and distances (None where unreachable)."""
        points = [*sources, *targets]
        coords = ";".join(f"{lon},{lat}" for lat, lon in points)
        src = ";".join(str(i) for i in range(len(sources)))
        dst = ";".join(str(i) for i in range(len(sources), len(points)))
        answer = self.get(
            f"/table/v1/driving/{coords}?sources={src}&destinations={dst}"
            "&annotations=duration,distance"
        )
        return answer["durations"], answer["distances"]


def run_osrm_http(extract: str, workload: Workload, tools: Toolchain) -> EngineRun:
    """OSRM as ``osrm-routed`` over HTTP on 127.0.0.1, queried from this process (keep-alive).

    Latency is measured in this process, end to end (request, JSON decoding, geometry); memory
    is the server's peak RSS.
    """
    home = tools.home
    if not tools.osrm_ready:
        return unavailable("osrm-http", extract, "OSRM executables are not available")
    data = home.osrm_data(extract)
    if not build_is_current(data.parent, extract_path(extract)):
        return unavailable("osrm-http", extract, "no current OSRM build; run prepare")
    run = EngineRun(
        engine="osrm-http",
        extract=extract,
        mode="HTTP osrm-routed on 127.0.0.1 (CH, keep-alive client)",
        version=tools.versions.get("osrm"),
    )
    try:
        with osrm_routed(
            data, home.osrm_bin("osrm-routed"), log=home.log(f"run-osrm-http-{extract}")
        ) as server:
            client = OsrmHttpClient(server.port)
            try:
                routes = _common.time_routes(client.route, workload.pairs, workload.warmup)
                run.first_query_s = routes.pop("first_query_s", None)
                run.routes = routes
                if workload.matrix_sources and workload.matrix_targets:
                    run.matrix = _common.time_matrix(
                        client.table,
                        workload.matrix_sources,
                        workload.matrix_targets,
                        workload.matrix_repeat,
                    )
            finally:
                client.close()
        run.load_s = server.load_s
    except (RuntimeError, OSError) as exc:
        return unavailable("osrm-http", extract, f"osrm-routed: {exc}")
    if server.measured is not None:
        run.peak_rss_mb = server.measured.peak_rss_mb
        run.wall_s = server.measured.wall_s
    return run
