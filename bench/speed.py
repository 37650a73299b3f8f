"""Speed benchmark of the router against OSRM, Valhalla and osmnx/networkx (issue 4).

One run, one machine, per extract (Hengelo, Spijkenisse, Liechtenstein):

- build time and peak memory from the PBF: ours (``Router.from_file``) vs ``osrm-extract`` +
  ``osrm-contract`` (car.lua) vs Valhalla's ``valhalla_build_tiles`` vs the osmnx graph build;
- single route end to end (snap, query, distance, duration, full geometry), median and p95 over
  random car-network pairs: ours vs OSRM in-process (bindings; or its HTTP server when no Python
  3.12 is found) vs OSRM over HTTP vs Valhalla's Actor vs osmnx/networkx;
- a 100x100 matrix: ours vs OSRM ``table`` vs Valhalla ``sources_to_targets``;
- peak memory of every engine process;
- the target ratios of the issue: ours/OSRM single route <= 0.5, matrix <= 1, build <= 1.

Plus the synthetic scales for our engine (hook: :func:`bench.runners.run_ours_synthetic`) and the
sanity check of OSRM and Valhalla against ``../shared/data/reference/trips.csv``.

It prints rich tables and writes ``bench/results/speed.json`` (and per-pair answers in
``bench/results/routes-<extract>.csv``), atomically.

Usage::

    python bench/speed.py                 # everything, 1,000 pairs per extract
    python bench/speed.py --quick         # smoke run: 100 pairs, one matrix run
    python bench/speed.py --extracts hengelo --skip-valhalla --skip-osmnx
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engines import (
    BENCH_DIR,
    EXTRACTS,
    BuildResult,
    EngineHome,
    Toolchain,
    build_osrm,
    build_valhalla,
    disk_usage,
    ensure_toolchain,
    extract_path,
)
from bench.measure import atomic_write_json, atomic_write_text, machine_info
from bench.pairs import DEFAULT_SEED, PAIR_COLUMNS, random_pairs
from bench.runners import (
    EngineRun,
    Workload,
    run_osmnx,
    run_osrm_http,
    run_osrm_inprocess,
    run_ours,
    run_ours_synthetic,
    run_valhalla,
)
from bench.sanity import print_sanity, sanity_check

RESULTS_DIR = BENCH_DIR / "results"
SYNTHETIC_SCALES: tuple[int, ...] = (10_000, 100_000)
"""Node counts of the synthetic grid networks, run for our engine only (hook)."""

ENGINE_ORDER = ("ours", "osrm", "osrm-http", "valhalla", "osmnx")
ENGINE_LABELS = {
    "ours": "ours",
    "osrm": "OSRM in-process",
    "osrm-http": "OSRM HTTP",
    "valhalla": "Valhalla Actor",
    "osmnx": "osmnx/networkx",
}
TARGETS = {"single_route": 0.5, "matrix": 1.0, "build": 1.0}


@dataclass(frozen=True)
class Settings:
    """Options of one benchmark run.

    Attributes
    ----------
    extracts : tuple of str
        Extract names.
    pairs : int
        Random pairs per extract for single routes.
    matrix_size : int
        Sources and targets of the matrix (``matrix_size`` x ``matrix_size``; 0 = none).
    seed : int
        Seed of the random pairs.
    warmup : int
        Untimed warm-up queries per engine.
    matrix_repeat : int
        Timed matrix runs per engine (the median is reported).
    build_repeat : int
        Builds per engine and extract (the median wall time is reported).
    engines : frozenset of str
        Engines to run (see :data:`ENGINE_ORDER`).
    synthetic : tuple of int
        Synthetic scales for our engine.
    sanity : bool
        Run the reference-trip sanity check.
    quick : bool
        Smoke-run settings were applied.
    """

    extracts: tuple[str, ...] = EXTRACTS
    pairs: int = 1000
    matrix_size: int = 100
    seed: int = DEFAULT_SEED
    warmup: int = 10
    matrix_repeat: int = 5
    build_repeat: int = 3
    engines: frozenset[str] = frozenset(ENGINE_ORDER)
    synthetic: tuple[int, ...] = SYNTHETIC_SCALES
    sanity: bool = True
    quick: bool = False


# --- one extract --------------------------------------------------------------------------------


def repeated_build(build: Callable[[], BuildResult], times: int) -> dict[str, Any]:
    """Run a build ``times`` times; report the median wall time and the largest peak memory.

    Parameters
    ----------
    build : callable
        Builds once and returns its :class:`~bench.engines.BuildResult`.
    times : int
        Number of builds (>= 1).

    Returns
    -------
    dict
        The last build's fields, with ``wall_s`` the median over the successful builds,
        ``peak_rss_mb`` their maximum and ``runs_wall_s`` every wall time.
    """
    results = [build() for _ in range(max(1, times))]
    last = results[-1].to_dict()
    good = [r for r in results if r.ok and r.wall_s is not None]
    if good:
        last["wall_s"] = statistics.median(r.wall_s for r in good if r.wall_s is not None)
        last["peak_rss_mb"] = max(r.peak_rss_mb or 0.0 for r in good)
        last["runs_wall_s"] = [r.wall_s for r in good]
    return last


def make_workload(pairs: pd.DataFrame, settings: Settings) -> Workload:
    """Build the workload: the first ``settings.pairs`` pairs and the matrix of the first pairs.

    The matrix's sources are the origins and its targets the destinations of the first
    ``settings.matrix_size`` pairs.
    """
    rows = pairs[list(PAIR_COLUMNS)].to_numpy().tolist()
    m = settings.matrix_size
    return Workload(
        pairs=rows[: settings.pairs],
        matrix_sources=[r[:2] for r in rows[:m]] if m else [],
        matrix_targets=[r[2:] for r in rows[:m]] if m else [],
        warmup=settings.warmup,
        matrix_repeat=settings.matrix_repeat,
    )


def run_engines(
    extract: str, workload: Workload, settings: Settings, tools: Toolchain
) -> dict[str, EngineRun]:
    """Run every selected engine on one extract (each in its own process)."""
    home = tools.home
    runners: dict[str, Callable[[], EngineRun]] = {
        "ours": lambda: run_ours(extract, workload, home),
        "osrm": lambda: run_osrm_inprocess(extract, workload, tools),
        "osrm-http": lambda: run_osrm_http(extract, workload, tools),
        "valhalla": lambda: run_valhalla(extract, workload, tools),
        "osmnx": lambda: run_osmnx(extract, workload, home),
    }
    runs: dict[str, EngineRun] = {}
    for engine in ENGINE_ORDER:
        if engine in settings.engines:
            _progress(f"{extract}: {ENGINE_LABELS[engine]}")
            runs[engine] = runners[engine]()
    return runs


def reference_run(runs: dict[str, EngineRun]) -> EngineRun | None:
    """The OSRM run that ratios are taken against: in-process if it ran, else HTTP."""
    for engine in ("osrm", "osrm-http"):
        run = runs.get(engine)
        if run is not None and run.available and run.routes is not None:
            return run
    return None


def distance_agreement(runs: dict[str, EngineRun]) -> dict[str, Any]:
    """Compare each engine's route distances with OSRM's on the pairs both answered.

    Returns
    -------
    dict
        ``{engine: {"pairs", "median_rel_diff", "within_1pct"}}`` (relative to OSRM).
    """
    base = reference_run(runs)
    if base is None or base.routes is None:
        return {}
    ref = np.array([np.nan if v is None else v for v in base.routes["distance_m"]], dtype=float)
    out: dict[str, Any] = {"against": base.engine}
    for engine, run in runs.items():
        if run is base or not run.available or run.routes is None:
            continue
        got = np.array([np.nan if v is None else v for v in run.routes["distance_m"]], dtype=float)
        both = ~np.isnan(ref) & ~np.isnan(got) & (ref > 0)
        if not both.any():
            continue
        rel = np.abs(got[both] - ref[both]) / ref[both]
        out[engine] = {
            "pairs": int(both.sum()),
            "median_rel_diff": float(np.median(rel)),
            "within_1pct": float((rel <= 0.01).mean()),
        }
    return out


def build_times(builds: dict[str, Any], runs: dict[str, EngineRun]) -> dict[str, dict[str, Any]]:
    """Collect build wall time and peak memory per engine (ours, osrm, valhalla, osmnx)."""
    out: dict[str, dict[str, Any]] = {}
    for engine, build in builds.items():
        out[engine] = {
            "wall_s": build.get("wall_s") if build.get("ok") else None,
            "peak_rss_mb": build.get("peak_rss_mb") if build.get("ok") else None,
            "runs_wall_s": build.get("runs_wall_s"),
            "steps": build.get("steps"),  # of the last build
            "error": build.get("error"),
        }
    ours = runs.get("ours")
    if ours is not None and ours.available and ours.build:
        out["ours"] = {"wall_s": ours.build.get("build_s"), "peak_rss_mb": ours.peak_rss_mb}
    osmnx = runs.get("osmnx")
    if osmnx is not None and osmnx.available and osmnx.build:
        out["osmnx"] = {
            "wall_s": osmnx.build.get("graph_build_s"),
            "conversion_s": osmnx.build.get("conversion_s"),
            "peak_rss_mb": osmnx.peak_rss_mb,
            "nodes": osmnx.build.get("nodes"),
            "edges": osmnx.build.get("edges"),
            "note": "graph_from_xml + speeds + travel times; PBF->XML conversion apart; "
            "peak memory is the whole osmnx process",
        }
    return out


def ratio(numerator: float | None, denominator: float | None, target: float) -> dict[str, Any]:
    """Return ``{"value", "target", "met"}``; value None when either side is missing."""
    if numerator is None or denominator is None or denominator <= 0:
        return {"value": None, "target": target, "met": None}
    value = numerator / denominator
    return {"value": value, "target": target, "met": value <= target}


def target_ratios(runs: dict[str, EngineRun], builds: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The issue's targets: ours/OSRM single route median, matrix and build."""
    ours = runs.get("ours")
    base = reference_run(runs)
    against = base.engine if base is not None else None
    ours_ok = ours is not None and ours.available
    ours_route = ours.route_latency if ours_ok and ours is not None else None
    base_route = base.route_latency if base is not None else None
    ours_matrix = ours.matrix_latency if ours_ok and ours is not None else None
    base_matrix = base.matrix_latency if base is not None else None
    out = {
        "against": against,
        "single_route": ratio(
            ours_route.median_ms if ours_route else None,
            base_route.median_ms if base_route else None,
            TARGETS["single_route"],
        ),
        "matrix": ratio(
            ours_matrix.median_ms if ours_matrix else None,
            base_matrix.median_ms if base_matrix else None,
            TARGETS["matrix"],
        ),
        "build": ratio(
            builds.get("ours", {}).get("wall_s"),
            builds.get("osrm", {}).get("wall_s"),
            TARGETS["build"],
        ),
    }
    if not ours_ok:
        out["note"] = "ours not available: " + (ours.reason if ours else "not run")
    return out


def run_extract(
    extract: str, settings: Settings, tools: Toolchain, results_dir: Path = RESULTS_DIR
) -> dict[str, Any]:
    """Benchmark one extract: pairs, builds, engine runs, agreement and ratios.

    Parameters
    ----------
    extract : str
        Extract name.
    settings : Settings
        Options.
    tools : Toolchain
        From :func:`bench.engines.ensure_toolchain`.
    results_dir : pathlib.Path
        Where ``routes-<extract>.csv`` goes.

    Returns
    -------
    dict
        JSON-ready results of the extract (per-pair columns excluded: see ``routes-*.csv``).
    """
    pbf = extract_path(extract)
    _progress(f"{extract}: drawing pairs")
    pairs = random_pairs(pbf, max(settings.pairs, settings.matrix_size), seed=settings.seed)
    workload = make_workload(pairs, settings)
    builds: dict[str, Any] = {}
    if "osrm" in settings.engines or "osrm-http" in settings.engines:
        _progress(f"{extract}: osrm-extract + osrm-contract")
        builds["osrm"] = repeated_build(lambda: build_osrm(extract, tools), settings.build_repeat)
    if "valhalla" in settings.engines:
        _progress(f"{extract}: valhalla_build_tiles")
        builds["valhalla"] = repeated_build(
            lambda: build_valhalla(extract, tools), settings.build_repeat
        )
    runs = run_engines(extract, workload, settings, tools)
    write_route_rows(extract, pairs.head(settings.pairs), runs, results_dir)
    build_summary = build_times(builds, runs)
    return {
        "pbf": str(pbf),
        "pairs": {
            "n": len(workload.pairs),
            "matrix": [len(workload.matrix_sources), len(workload.matrix_targets)],
            "crow_m_median": float(pairs["crow_m"].head(settings.pairs).median()),
        },
        "builds": build_summary,
        "runs": {engine: run.summary() for engine, run in runs.items()},
        "distance_agreement": distance_agreement(runs),
        "ratios": target_ratios(runs, build_summary),
    }


def write_route_rows(
    extract: str, pairs: pd.DataFrame, runs: dict[str, EngineRun], results_dir: Path = RESULTS_DIR
) -> Path:
    """Write the pairs with every engine's distance, duration, latency and error as CSV."""
    table = pairs.reset_index(drop=True).copy()
    for engine, run in runs.items():
        if not run.available or run.routes is None:
            continue
        columns = run.routes
        table[f"{engine}_distance_m"] = columns["distance_m"]
        table[f"{engine}_duration_s"] = columns["duration_s"]
        table[f"{engine}_latency_ms"] = [v * 1000.0 for v in columns["latency_s"]]
        table[f"{engine}_error"] = columns["error"]
    return atomic_write_text(results_dir / f"routes-{extract}.csv", table.to_csv(index=False))


# --- whole run ---------------------------------------------------------------------------------


def run_benchmark(
    settings: Settings, home: EngineHome | None = None, results_dir: Path = RESULTS_DIR
) -> dict[str, Any]:
    """Run the whole benchmark and return the JSON-ready results.

    Parameters
    ----------
    settings : Settings
        Options.
    home : EngineHome, optional
        Engine folder (default ``bench/.engines``).
    results_dir : pathlib.Path
        Folder for the per-pair CSV files.

    Returns
    -------
    dict
        ``machine``, ``versions``, ``settings``, ``extracts``, ``synthetic``, ``sanity``,
        ``disk``.
    """
    want_osrm = bool({"osrm", "osrm-http"} & settings.engines)
    want_valhalla = "valhalla" in settings.engines
    _progress("setting up engines (wheels, venvs)")
    tools = ensure_toolchain(home, osrm=want_osrm, valhalla=want_valhalla, log=_progress)
    results: dict[str, Any] = {
        "benchmark": "bench/speed.py (issue 4)",
        "machine": machine_info(),
        "versions": _versions(tools),
        "settings": {
            **{k: v for k, v in settings.__dict__.items() if k != "engines"},
            "engines": sorted(settings.engines),
        },
        "toolchain": tools.to_dict(),
        "extracts": {},
    }
    for extract in settings.extracts:
        results["extracts"][extract] = run_extract(extract, settings, tools, results_dir)
    results["synthetic"] = run_synthetic_scales(settings, tools.home)
    if settings.sanity and want_osrm:
        _progress("sanity check against trips.csv")
        results["sanity"] = sanity_check(settings.extracts, tools=tools, valhalla=want_valhalla)
    results["disk"] = disk_usage(tools.home)
    return results


def run_synthetic_scales(settings: Settings, home: EngineHome) -> list[dict[str, Any]]:
    """Synthetic grid scales for our engine only; see :func:`bench.runners.run_ours_synthetic`."""
    if "ours" not in settings.engines:
        return []
    out = []
    for nodes in settings.synthetic:
        _progress(f"synthetic grid of {nodes:,} nodes (ours)")
        workload = Workload(pairs=[], warmup=settings.warmup, matrix_repeat=settings.matrix_repeat)
        run = run_ours_synthetic(nodes, workload, home)
        out.append({"nodes": nodes, **run.summary()})
    return out


def _versions(tools: Toolchain) -> dict[str, Any]:
    from importlib import metadata

    versions: dict[str, Any] = dict(tools.versions)
    versions["harness_python"] = sys.version.split()[0]
    for package in ("osmnx", "networkx", "osmium", "numpy", "pandas"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return versions


# --- output -------------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _build_cell(engine: str, builds: dict[str, Any], key: str, digits: int) -> str:
    build = builds.get({"osrm-http": "osrm"}.get(engine, engine))
    if build is None:
        return "-"
    text = _fmt(build.get(key), digits)
    if engine == "osmnx" and key == "wall_s" and build.get("conversion_s") is not None:
        text += f" (+{build['conversion_s']:.2f} XML)"
    return text


def _latency_cell(summary: dict[str, Any] | None, key: str, digits: int) -> str:
    return _fmt((summary or {}).get(key), digits)


def _matrix_cell(run: dict[str, Any]) -> str:
    matrix = run.get("matrix")
    if not matrix:
        return "-"
    if matrix.get("latency") is None:
        return f"failed: {matrix.get('error')}"
    return _fmt(matrix["latency"]["median_ms"], 1)


RowCell = Callable[[str, dict[str, Any], dict[str, Any]], str]
TABLE_ROWS: tuple[tuple[str, RowCell], ...] = (
    ("build s", lambda e, r, b: _build_cell(e, b, "wall_s", 2)),
    ("build peak MiB", lambda e, r, b: _build_cell(e, b, "peak_rss_mb", 0)),
    ("load s", lambda e, r, b: _fmt(r.get("load_s"), 3)),
    ("route median ms", lambda e, r, b: _latency_cell(r["route_latency"], "median_ms", 3)),
    ("route p95 ms", lambda e, r, b: _latency_cell(r["route_latency"], "p95_ms", 3)),
    ("route errors", lambda e, r, b: str(r.get("route_errors"))),
    (
        "matrix ms (median)",
        lambda e, r, b: _matrix_cell(r),
    ),
    ("query peak MiB", lambda e, r, b: _fmt(r.get("peak_rss_mb"), 0)),
)
"""Rows of the per-extract table: label and cell(engine, run summary, builds)."""


def extract_table(data: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Return the header and rows of one extract's table (engines as columns)."""
    runs = data["runs"]
    engines = [e for e in ENGINE_ORDER if e in runs]
    header = ["", *(ENGINE_LABELS[e] for e in engines)]
    rows = []
    for label, cell in TABLE_ROWS:
        cells = [
            cell(e, runs[e], data["builds"]) if runs[e]["available"] else "n/a" for e in engines
        ]
        rows.append([label, *cells])
    return header, rows


def ratio_line(ratios: dict[str, Any]) -> str:
    """One line with the issue's target ratios and whether they are met."""
    parts = []
    for key in ("single_route", "build", "matrix"):
        r = ratios[key]
        verdict = "n/a" if r["met"] is None else ("met" if r["met"] else "NOT met")
        parts.append(f"{key} {_fmt(r['value'], 2)} (target <= {r['target']}, {verdict})")
    return f"ratios ours/{ratios['against']}: " + "; ".join(parts)


def _title(extract: str, data: dict[str, Any]) -> str:
    pairs = data["pairs"]
    return (
        f"{extract}: {pairs['n']} random pairs (median {pairs['crow_m_median'] / 1000:.1f} km "
        f"as the crow flies), matrix {pairs['matrix'][0]}x{pairs['matrix'][1]}"
    )


def _machine_line(results: dict[str, Any]) -> str:
    machine = results["machine"]
    return (
        f"{machine['date']} - {machine['cpu_model']}, {machine['cores']} cores, "
        f"{machine['ram_gb']} GB RAM, {machine['os']}, Python {machine['python']}"
    )


def print_results(results: dict[str, Any], console: Any | None = None) -> None:
    """Print one rich table per extract, the ratios, the synthetic hook and the sanity check."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    console.print(f"[bold]Speed benchmark[/bold] {_machine_line(results)}")
    console.print(f"versions: {results['versions']}")
    for extract, data in results["extracts"].items():
        header, rows = extract_table(data)
        table = Table(title=_title(extract, data))
        for i, name in enumerate(header):
            table.add_column(name, justify="left" if i == 0 else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)
        for engine, run in data["runs"].items():
            label = ENGINE_LABELS[engine]
            if not run["available"]:
                console.print(f"  {label}: not available - {run['reason']}")
            else:
                console.print(f"  {label}: {run['mode']}; {run['version']}")
        console.print("  " + ratio_line(data["ratios"]))
        if data["ratios"].get("note"):
            console.print(f"  {data['ratios']['note']}")
    for item in results.get("synthetic", []):
        state = "ran" if item["available"] else f"not available - {item['reason']}"
        console.print(f"synthetic {item['nodes']:,} nodes: {state}")
    if results.get("sanity"):
        print_sanity(results["sanity"], console)


def results_markdown(results: dict[str, Any]) -> str:
    """Return the per-extract tables as Markdown (for the README), with date and machine."""
    lines = [f"Measured {_machine_line(results)}.", ""]
    for extract, data in results["extracts"].items():
        header, rows = extract_table(data)
        lines += [f"**{_title(extract, data)}**", ""]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        lines += ["", ratio_line(data["ratios"]), ""]
    return "\n".join(lines)


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def parse_args(argv: Sequence[str] | None = None) -> tuple[Settings, Path]:
    """Parse the command line into :class:`Settings` and the output path."""
    parser = argparse.ArgumentParser(
        prog="bench/speed.py", description=__doc__.split("\n")[0] if __doc__ else None
    )
    parser.add_argument("--extracts", default=",".join(EXTRACTS), help="comma-separated names")
    parser.add_argument("--pairs", type=int, default=1000, help="random pairs per extract")
    parser.add_argument(
        "--matrix-size", type=int, default=100, help="N for an NxN matrix (0: none)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--matrix-repeat", type=int, default=5)
    parser.add_argument(
        "--build-repeat", type=int, default=3, help="builds per engine (median reported)"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 100 pairs, 1 matrix run")
    for engine in ENGINE_ORDER:
        parser.add_argument(f"--skip-{engine}", action="store_true", help=f"do not run {engine}")
    parser.add_argument(
        "--synthetic",
        default=",".join(str(n) for n in SYNTHETIC_SCALES),
        help="node counts of synthetic grids for our engine ('' for none)",
    )
    parser.add_argument("--skip-sanity", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS_DIR / "speed.json")
    args = parser.parse_args(argv)
    if args.pairs < 1 or args.matrix_size < 0 or args.warmup < 0:
        parser.error("--pairs must be >= 1, --matrix-size and --warmup >= 0")
    engines = frozenset(e for e in ENGINE_ORDER if not getattr(args, f"skip_{e.replace('-', '_')}"))
    settings = Settings(
        extracts=tuple(e.strip() for e in args.extracts.split(",") if e.strip()),
        pairs=min(args.pairs, 100) if args.quick else args.pairs,
        matrix_size=args.matrix_size,
        seed=args.seed,
        warmup=min(args.warmup, 5) if args.quick else args.warmup,
        matrix_repeat=1 if args.quick else max(1, args.matrix_repeat),
        build_repeat=1 if args.quick else max(1, args.build_repeat),
        engines=engines,
        synthetic=tuple(int(n) for n in args.synthetic.split(",") if n.strip()),
        sanity=not args.skip_sanity,
        quick=args.quick,
    )
    return settings, args.output


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks that stop servers


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print it and write the JSON results."""
    settings, output = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    results = run_benchmark(settings, results_dir=output.parent)
    atomic_write_json(output, results)
    atomic_write_text(output.with_suffix(".md"), results_markdown(results))
    print_results(results)
    _progress(f"results written to {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
