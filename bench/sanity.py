"""Check that the benchmark's OSRM and Valhalla reproduce ``../shared/data/reference/trips.csv``.

The reference distances were made with OSRM 26.10 (car profile, default options) and Valhalla
3.9.1 (auto costing, default options) on the same extracts. If the harness builds and queries the
engines the same way, the distances agree; this module counts how many trips agree within 1 m
and within 1 %.

Command line::

    python bench/sanity.py [--extracts hengelo,spijkenisse,liechtenstein]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engines import (
    EXTRACTS,
    PROJECT_ROOT,
    Toolchain,
    build_is_current,
    build_osrm,
    build_valhalla,
    ensure_toolchain,
    extract_path,
)
from bench.runners import (
    EngineRun,
    Workload,
    run_osrm_http,
    run_osrm_inprocess,
    run_valhalla,
)

REFERENCE_TRIPS = PROJECT_ROOT.parent / "shared" / "data" / "reference" / "trips.csv"
REFERENCE_COLUMNS = {"osrm": "osrm_m", "valhalla": "valhalla_m"}


@dataclass(frozen=True)
class Agreement:
    """How well measured route distances agree with reference distances.

    Attributes
    ----------
    trips : int
        Trips compared (failed queries included, as disagreements).
    failed : int
        Trips for which the engine returned no route.
    within_1m : int
        Trips whose distance differs by at most 1 m.
    within_1pct : int
        Trips whose distance differs by at most 1 % of the reference.
    median_abs_diff_m, max_abs_diff_m : float or None
        Of the absolute differences of the trips with a route.
    """

    trips: int
    failed: int
    within_1m: int
    within_1pct: int
    median_abs_diff_m: float | None
    max_abs_diff_m: float | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)


def compare_distances(
    reference_m: Sequence[float], measured_m: Sequence[float | None], *, tolerance_m: float = 1.0
) -> Agreement:
    """Count the trips whose measured distance agrees with the reference.

    Parameters
    ----------
    reference_m : sequence of float
        Reference distances in metres.
    measured_m : sequence of float or None
        Measured distances (None: no route), aligned with ``reference_m``.
    tolerance_m : float
        Absolute tolerance of ``within_1m``. A small epsilon absorbs float noise of the
        reference's 0.1 m rounding.

    Returns
    -------
    Agreement
        Counts and differences.

    Raises
    ------
    ValueError
        If the two sequences differ in length.
    """
    if len(reference_m) != len(measured_m):
        raise ValueError(f"{len(reference_m)} reference distances but {len(measured_m)} measured")
    ref = np.asarray(reference_m, dtype=float)
    got = np.asarray([np.nan if v is None else v for v in measured_m], dtype=float)
    present = ~np.isnan(got)
    diff = np.abs(got[present] - ref[present])
    eps = 1e-6
    return Agreement(
        trips=int(ref.size),
        failed=int((~present).sum()),
        within_1m=int((diff <= tolerance_m + eps).sum()),
        within_1pct=int((diff <= 0.01 * ref[present] + eps).sum()),
        median_abs_diff_m=float(np.median(diff)) if diff.size else None,
        max_abs_diff_m=float(diff.max()) if diff.size else None,
    )


def load_reference(path: Path = REFERENCE_TRIPS) -> pd.DataFrame:
    """Read the reference trips (one row per trip, ``region`` names the extract)."""
    return pd.read_csv(path)


def sanity_check(
    extracts: Iterable[str] = EXTRACTS,
    *,
    tools: Toolchain | None = None,
    reference: pd.DataFrame | None = None,
    valhalla: bool = True,
) -> dict[str, Any]:
    """Route the reference trips with the harness's OSRM and Valhalla and compare distances.

    Builds the engines' data first if there is no current build. OSRM runs in-process when a
    Python 3.12 is available, else over HTTP (the result says which).

    Parameters
    ----------
    extracts : iterable of str
        Regions to check (regions without reference trips are skipped).
    tools : Toolchain, optional
        From :func:`bench.engines.ensure_toolchain` (made here if omitted).
    reference : pandas.DataFrame, optional
        The reference trips (default: ``trips.csv``).
    valhalla : bool
        Also check Valhalla.

    Returns
    -------
    dict
        ``{region: {engine: {"mode", "agreement": {...}} or {"error": ...}}}`` and ``"all"``.
    """
    tools = tools or ensure_toolchain(valhalla=valhalla)
    reference = load_reference() if reference is None else reference
    out: dict[str, Any] = {}
    totals: dict[str, list[tuple[list[float], list[float | None]]]] = {}
    for extract in extracts:
        trips = reference[reference["region"] == extract]
        if trips.empty:
            continue
        pairs = trips[["origin_lat", "origin_lon", "dest_lat", "dest_lon"]].to_numpy().tolist()
        workload = Workload(pairs=pairs, warmup=0)
        pbf = extract_path(extract)
        runs: dict[str, EngineRun] = {}
        if not build_is_current(tools.home.osrm_data(extract).parent, pbf):
            build_osrm(extract, tools)
        osrm_run = run_osrm_inprocess(extract, workload, tools)
        if not osrm_run.available:
            osrm_run = run_osrm_http(extract, workload, tools)
        runs["osrm"] = osrm_run
        if valhalla:
            if not build_is_current(tools.home.valhalla_data(extract), pbf):
                build_valhalla(extract, tools)
            runs["valhalla"] = run_valhalla(extract, workload, tools)
        region: dict[str, Any] = {}
        for engine, run in runs.items():
            if not run.available or run.routes is None:
                region[engine] = {"mode": run.mode, "error": run.reason}
                continue
            ref = trips[REFERENCE_COLUMNS[engine]].tolist()
            got = run.routes["distance_m"]
            region[engine] = {
                "mode": run.mode,
                "version": run.version,
                "agreement": compare_distances(ref, got).to_dict(),
            }
            totals.setdefault(engine, []).append((ref, got))
        out[extract] = region
    out["all"] = {
        engine: {
            "agreement": compare_distances(
                [v for ref, _ in parts for v in ref], [v for _, got in parts for v in got]
            ).to_dict()
        }
        for engine, parts in totals.items()
    }
    return out


def print_sanity(result: dict[str, Any], console: Any | None = None) -> None:
    """Print the sanity check as a rich table."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title="Sanity check against ../shared/data/reference/trips.csv")
    for column in (
        "region",
        "engine",
        "via",
        "trips",
        "failed",
        "within 1 m",
        "within 1 %",
        "max |diff| m",
    ):
        left = column in {"region", "engine", "via"}
        table.add_column(column, justify="left" if left else "right")
    for region, engines in result.items():
        for engine, entry in engines.items():
            agreement = entry.get("agreement")
            if agreement is None:
                table.add_row(region, engine, "-", "-", "-", "-", "-", str(entry.get("error")))
                continue
            n = agreement["trips"]
            mode = entry.get("mode") or ""
            table.add_row(
                region,
                engine,
                "HTTP" if "HTTP" in mode else ("in-process" if mode else ""),
                str(n),
                str(agreement["failed"]),
                f"{agreement['within_1m']} ({100 * agreement['within_1m'] / n:.0f} %)",
                f"{agreement['within_1pct']} ({100 * agreement['within_1pct'] / n:.0f} %)",
                f"{agreement['max_abs_diff_m']:.1f}"
                if agreement["max_abs_diff_m"] is not None
                else "-",
            )
    console.print(table)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: run the sanity check and print it."""
    parser = argparse.ArgumentParser(prog="bench/sanity.py", description=__doc__.split("\n")[0])
    parser.add_argument("--extracts", default=",".join(EXTRACTS))
    parser.add_argument("--skip-valhalla", action="store_true")
    args = parser.parse_args(argv)
    extracts = [e.strip() for e in args.extracts.split(",") if e.strip()]
    print_sanity(sanity_check(extracts, valhalla=not args.skip_valhalla))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
