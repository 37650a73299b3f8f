"""Accuracy against OSRM and Valhalla on the shared reference trips.

Routes every trip in ``../shared/data/reference/trips.csv`` with our router on the same extract the
engines used, and prints per region and kind:

- median and 95th percentile of |ours - OSRM| / OSRM and of |ours - Valhalla| / Valhalla;
- the share of trips within 1 % of both engines, over the trips where the engines agree within 1 %;
- the share of all trips inside the engines' range widened by 1 % on each side;
- the near-tie sensitivity: how often a route within 10 s of the fastest differs by more than 5 %.

Writes the per-trip table to ``bench/results/accuracy_trips.csv`` and the summary to
``bench/results/accuracy.json`` (atomically). Run from the project root::

    python bench/accuracy.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from routing.router import Router  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
TARGETS = {"within_both_agreeing": 0.97, "inside_range": 0.95, "median_vs_osrm": 0.005}


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def route_all(trips: pd.DataFrame, sensitivity_s: float | None) -> pd.DataFrame:
    """Route every reference trip with our router; one row per trip."""
    rows = []
    for region, group in trips.groupby("region", sort=True):
        router = Router.from_file(SHARED / "osm" / f"{region}.osm.pbf")
        t0 = time.perf_counter()
        for row in group.itertuples():
            rec = {"trip_id": row.trip_id, "ours_m": np.nan, "ours_s": np.nan, "error": ""}
            try:
                r = router.route((row.origin_lat, row.origin_lon), (row.dest_lat, row.dest_lon))
                rec.update(
                    ours_m=r.distance_m,
                    ours_s=r.duration_s,
                    snap_origin_m=r.origin.snap_distance_m,
                    snap_dest_m=r.destination.snap_distance_m,
                )
                if sensitivity_s is not None:
                    s = router.sensitivity(r, tolerance_s=sensitivity_s)
                    rec.update(near_min_m=s.min_distance_m, near_max_m=s.max_distance_m)
            except Exception as exc:  # reported per trip, never hidden
                rec["error"] = f"{type(exc).__name__}: {exc}"
            rows.append(rec)
        ms = (time.perf_counter() - t0) / len(group) * 1000
        print(f"{region}: {len(group)} trips, {ms:.1f} ms per route", file=sys.stderr)
    return trips.merge(pd.DataFrame(rows), on="trip_id")


def summarise(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group: the figures the issue asks for."""
    d = df.copy()
    d["rel_osrm"] = (d.ours_m - d.osrm_m).abs() / d.osrm_m
    d["rel_valhalla"] = (d.ours_m - d.valhalla_m).abs() / d.valhalla_m
    mean = d[["osrm_m", "valhalla_m"]].mean(axis=1)
    d["engines_agree"] = (d.osrm_m - d.valhalla_m).abs() / mean <= 0.01
    d["within_both"] = (d.rel_osrm <= 0.01) & (d.rel_valhalla <= 0.01)
    lo = d[["osrm_m", "valhalla_m"]].min(axis=1) * 0.99
    hi = d[["osrm_m", "valhalla_m"]].max(axis=1) * 1.01
    d["inside_range"] = (d.ours_m >= lo) & (d.ours_m <= hi)
    out = []
    for key, g in d.groupby(by, sort=True) if by else [((), d)]:
        agree = g[g.engines_agree]
        rec = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True)) if by else {}
        rec.update(
            trips=len(g),
            errors=int((g.error != "").sum()),
            median_vs_osrm=float(g.rel_osrm.median()),
            p95_vs_osrm=float(g.rel_osrm.quantile(0.95)),
            median_vs_valhalla=float(g.rel_valhalla.median()),
            p95_vs_valhalla=float(g.rel_valhalla.quantile(0.95)),
            engines_agree=len(agree),
            within_both_agreeing=float(agree.within_both.mean()) if len(agree) else float("nan"),
            inside_range=float(g.inside_range.mean()),
        )
        if "near_min_m" in g:
            spread = (g.near_max_m - g.near_min_m) / g.ours_m
            rec["ambiguous_5pct"] = float((spread > 0.05).mean())
        out.append(rec)
    return pd.DataFrame(out)


def main() -> int:
    """Run the accuracy benchmark and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trips", type=Path, default=SHARED / "reference" / "trips.csv")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument(
        "--sensitivity",
        type=float,
        default=10.0,
        help="seconds: also report routes this close to the fastest (0 to skip)",
    )
    args = ap.parse_args()
    if not args.trips.is_file():
        print(f"reference trips not found: {args.trips}", file=sys.stderr)
        return 2
    trips = pd.read_csv(args.trips)
    df = route_all(trips, args.sensitivity or None)
    per_kind = summarise(df, ["region", "kind"])
    per_region = summarise(df, ["region"])
    overall = summarise(df, [])

    console = Console()
    table = Table(title="Our distances against OSRM 26.10 and Valhalla 3.9.1 (reference trips)")
    for col in (
        "region",
        "kind",
        "trips",
        "med |Δ| OSRM",
        "p95 |Δ| OSRM",
        "med |Δ| Valh.",
        "p95 |Δ| Valh.",
        "within 1 % of both (agreeing)",
        "inside range ±1 %",
    ):
        table.add_column(col, justify="right" if col not in ("region", "kind") else "left")

    def fmt(rec: pd.Series, kind: str) -> list[str]:
        return [
            str(rec.get("region", "all")),
            kind,
            str(int(rec.trips)),
            f"{100 * rec.median_vs_osrm:.2f} %",
            f"{100 * rec.p95_vs_osrm:.2f} %",
            f"{100 * rec.median_vs_valhalla:.2f} %",
            f"{100 * rec.p95_vs_valhalla:.2f} %",
            f"{100 * rec.within_both_agreeing:.1f} % of {int(rec.engines_agree)}",
            f"{100 * rec.inside_range:.1f} %",
        ]

    for _, rec in per_kind.iterrows():
        table.add_row(*fmt(rec, rec.kind))
    for _, rec in per_region.iterrows():
        table.add_row(*fmt(rec, "all"), style="bold")
    table.add_row(*fmt(overall.iloc[0], "all"), style="bold")
    console.print(table)

    checks = {
        "within_both_agreeing >= 97 % in every region": bool(
            (per_region.within_both_agreeing >= TARGETS["within_both_agreeing"]).all()
        ),
        "inside_range >= 95 % in every region": bool(
            (per_region.inside_range >= TARGETS["inside_range"]).all()
        ),
        "median vs OSRM <= 0.5 %": bool(
            overall.median_vs_osrm.iloc[0] <= TARGETS["median_vs_osrm"]
        ),
    }
    for name, ok in checks.items():
        console.print(f"{'[green]met' if ok else '[red]NOT met'}[/]: {name}")
    if "ambiguous_5pct" in overall:
        console.print(
            f"Near ties: in {100 * overall.ambiguous_5pct.iloc[0]:.1f} % of trips a route within"
            f" {args.sensitivity:g} s of the fastest differs in length by more than 5 %."
        )

    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "trips_file": str(args.trips),
        "per_region_kind": per_kind.to_dict(orient="records"),
        "per_region": per_region.to_dict(orient="records"),
        "overall": overall.to_dict(orient="records")[0],
        "targets_met": checks,
    }
    _write_atomic(args.out / "accuracy.json", json.dumps(result, indent=2, default=float))
    _write_atomic(args.out / "accuracy_trips.csv", df.to_csv(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
