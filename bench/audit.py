"""Benchmark of the claims audit: 100,000 generated declarations on the Hengelo map.

1. Generates realistic declarations (``--rows``, default 100,000) and writes them to
   ``bench/results/audit_declarations.csv`` with an authorisations file beside it:

   - homes on real streets: points on drivable residential/unclassified/tertiary/living-street
     ways of the map (in its main connected part), weighted by length, moved 0-25 m sideways;
   - treatment at ZGT Hengelo (52.2638, 6.7708) for most patients, else at one of three street
     points that ``../shared/data/reference/trips.csv`` uses as destinations (stand-ins for
     outpatient clinics; they are not claimed to be clinics);
   - patients riding series in 2025: dialysis three times a week all year, oncology five times a
     week for 6-8 weeks, others weekly for some months; taxi (carriers of the package's example
     tariff table), own car or public transport; each with an authorisation;
   - declared km from the carriers' "own planner": the recomputed km +-2 %; some carriers
     over-declare by 10-30 %; some amounts are inflated;
   - about 3 % malformed rows: a BSN failing the 11-proof, impossible or future dates, a ride
     after its declaration, missing km/amount/authorisation, an unknown mode, non-numeric
     coordinates, and duplicated rows.

2. Runs the audit end to end in a fresh process (read the CSV -> verdicts -> write the output
   CSV atomically), timing each phase, with the peak resident memory of that process
   (``VmHWM`` of ``/proc/self/status``; ``ru_maxrss`` would include the parent's memory, kept
   across ``exec``) and, with ``--tracemalloc``, Python's traced peak.

3. Prints a table and writes ``bench/results/audit.json`` (atomically). Run from the project
   root::

       python bench/audit.py [--rows 100000] [--chunk-size 5000] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared" / "data"
MAP = SHARED / "osm" / "hengelo.osm.pbf"
RESULTS = ROOT / "bench" / "results"
TODAY = "2026-01-15"
TARGET_ROWS_PER_S = 2000
HOSPITAL = ("ZGT Hengelo, Geerdinksweg 141", 52.2638, 6.7708)
STREET_KINDS = {"residential", "unclassified", "tertiary", "living_street"}
CARRIERS = [  # the package's example tariff table (invented figures), with invented AGB codes
    ("Voorbeeld Zorgtaxi Twente", "41000011", True),
    ("Voorbeeld Rolstoeltaxi Twente", "41000022", True),
    ("Voorbeeld Taxi Vrij", "41000033", False),
]


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


# --- generation ---------------------------------------------------------------------------------


def _bsn(rng: np.random.Generator) -> str:
    weights = np.array([9, 8, 7, 6, 5, 4, 3, 2])
    while True:
        d = rng.integers(0, 10, 8)
        d[0] = rng.integers(1, 10)
        last = int(d @ weights) % 11
        if last < 10:
            return "".join(map(str, d)) + str(last)


def street_points(router, n: int, rng: np.random.Generator) -> np.ndarray:
    """Sample ``n`` (lat, lon) points beside drivable streets of the map, weighted by length."""
    net = router.network
    kinds = np.array([net.way_highway[w] in STREET_KINDS for w in net.edge_way])
    main = (net.state_component[0::2] == net.main_component) & (
        net.state_component[1::2] == net.main_component
    )
    edges = np.flatnonzero(kinds & main & (net.edge_length_m > 20))
    p = net.edge_length_m[edges] / net.edge_length_m[edges].sum()
    out = np.empty((n, 2))
    for i, e in enumerate(rng.choice(edges, size=n, p=p)):
        lo, hi = int(net.edge_first[e]), int(net.edge_last[e])
        pos = rng.uniform(net.chain_m[lo], net.chain_m[hi])
        k = min(max(int(np.searchsorted(net.chain_m[lo : hi + 1], pos)) + lo, lo + 1), hi)
        a, b = net.chain[k - 1], net.chain[k]
        seg = max(net.chain_m[k] - net.chain_m[k - 1], 1e-9)
        f = (pos - net.chain_m[k - 1]) / seg
        lat = net.lat[a] + f * (net.lat[b] - net.lat[a])
        lon = net.lon[a] + f * (net.lon[b] - net.lon[a])
        # sideways 0-25 m, perpendicular to the segment
        dy = (net.lat[b] - net.lat[a]) * 111_320.0
        dx = (net.lon[b] - net.lon[a]) * 111_320.0 * np.cos(np.radians(lat))
        norm = max(np.hypot(dx, dy), 1e-9)
        side = rng.uniform(0, 25) * rng.choice([-1, 1])
        lat += (dx / norm) * side / 111_320.0
        lon += (-dy / norm) * side / (111_320.0 * np.cos(np.radians(lat)))
        out[i] = (round(lat, 6), round(lon, 6))
    return out


def destinations() -> list[tuple[str, float, float, float]]:
    """ZGT Hengelo and three street points used as destinations in the reference trips."""
    trips = pd.read_csv(SHARED / "reference" / "trips.csv")
    rnd = trips[(trips["region"] == "hengelo") & (trips["kind"] == "random")].head(3)
    out = [(HOSPITAL[0], HOSPITAL[1], HOSPITAL[2], 0.7)]
    for row in rnd.itertuples():
        out.append((f"street point of {row.trip_id}", row.dest_lat, row.dest_lon, 0.1))
    return out


def _series(kind: str, rng: np.random.Generator) -> list[dt.date]:
    start = dt.date(2025, 1, 1) + dt.timedelta(days=int(rng.integers(0, 200)))
    if kind == "dialysis":  # Mon/Wed/Fri all year from the start
        days = [start + dt.timedelta(days=k) for k in range((dt.date(2025, 12, 31) - start).days)]
        return [d for d in days if d.weekday() in (0, 2, 4)]
    if kind == "oncology":  # every working day for 6-8 weeks
        weeks = int(rng.integers(6, 9))
        days = [start + dt.timedelta(days=k) for k in range(weeks * 7)]
        return [d for d in days if d.weekday() < 5 and d.year == 2025]
    weeks = int(rng.integers(4, 26))
    return [
        start + dt.timedelta(weeks=k)
        for k in range(weeks)
        if (start + dt.timedelta(weeks=k)).year == 2025
    ]


def generate(rows: int, seed: int = 20260115) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Return (declarations, authorisations, facts about the generation)."""
    from routing.router import Router

    rng = np.random.default_rng(seed)
    router = Router.from_file(MAP)
    dests = destinations()
    probs = np.array([d[3] for d in dests])
    records: list[dict] = []
    auths: list[dict] = []
    patient = 0
    homes = street_points(router, max(rows // 40, 100), rng)
    while len(records) < rows:
        patient += 1
        home = homes[(patient - 1) % len(homes)]
        dest = dests[int(rng.choice(len(dests), p=probs))]
        try:
            trip = router.trip((home[0], home[1]), (dest[1], dest[2]))
        except Exception:
            continue  # a sampled home the router cannot reach: sample the next
        km = trip.loaded_m / 1000
        kind = str(rng.choice(["dialysis", "oncology", "other"], p=[0.3, 0.3, 0.4]))
        indication = {"dialysis": "dialysis", "oncology": "oncology"}.get(
            kind, str(rng.choice(["wheelchair", "visually_impaired", "geriatric_rehabilitation"]))
        )
        mode = str(rng.choice(["taxi", "own_car", "public_transport"], p=[0.6, 0.35, 0.05]))
        carrier, agb, contracted = CARRIERS[int(rng.choice(3, p=[0.6, 0.25, 0.15]))]
        over = rng.random() < 0.05
        bsn = _bsn(rng)
        auth_no = f"M{seed % 1000:03d}{patient:07d}"
        dates = _series(kind, rng)
        if not dates:
            continue
        auths.append(
            {
                "number": auth_no,
                "insured": bsn,
                "indication": indication,
                "mode": mode,
                "carrier": agb if mode == "taxi" else "",
                "valid_from": "2025-01-01",
                "valid_to": "2025-12-31" if rng.random() > 0.02 else "2025-06-30",
                "max_rides": "" if kind != "other" else 20,
            }
        )
        policy = str(rng.choice(["natura", "restitutie"], p=[0.8, 0.2]))
        for day in dates:
            factor = rng.uniform(1.10, 1.30) if over else rng.uniform(0.98, 1.02)
            declared = round(km * factor, 1)
            if mode == "taxi":
                base, per_km = {True: (2.50, 1.95), False: (4.50, 2.60)}[contracted]
                if carrier.startswith("Voorbeeld Rolstoel"):
                    base, per_km = 4.00, 2.25
                amount = base * 2 + per_km * declared
            elif mode == "own_car":
                amount = 0.40 * declared
            else:
                amount = 2 * (1.0 + 0.17 * declared)
            if rng.random() < 0.02:
                amount *= 1.5
            records.append(
                {
                    "declaration_id": f"D{len(records) + 1:08d}",
                    "bsn": bsn,
                    "naam": f"Patiënt {patient}",
                    "carrier_agb": agb if mode == "taxi" else "",
                    "carrier": carrier if mode == "taxi" else "",
                    "carrier_contracted": ("ja" if contracted else "nee") if mode == "taxi" else "",
                    "authorisation_number": auth_no,
                    "ride_date": day.isoformat(),
                    "declaration_date": min(
                        day + dt.timedelta(days=int(rng.integers(1, 30))), dt.date(2026, 1, 9)
                    ).isoformat(),
                    "home_lat": f"{home[0]:.6f}",
                    "home_lon": f"{home[1]:.6f}",
                    "treatment_lat": f"{dest[1]:.6f}",
                    "treatment_lon": f"{dest[2]:.6f}",
                    "declared_km": f"{declared:.1f}",
                    "declared_amount": f"{amount:.2f}",
                    "mode": mode,
                    "policy_type": policy,
                    "indication": indication,
                }
            )
            if len(records) >= rows:
                break
    df = pd.DataFrame(records[:rows])
    n = len(df)
    # malformed rows and duplicates (about 3 %)
    bad = rng.choice(n, size=n * 3 // 100, replace=False)
    kinds = ["bsn", "date", "future", "order", "km", "amount", "auth", "mode", "coord", "dup"]
    for i, kind in zip(bad, np.resize(kinds, len(bad)), strict=True):
        if kind == "bsn":
            b = df.at[i, "bsn"]
            df.at[i, "bsn"] = b[:-1] + str((int(b[-1]) + 1) % 10)
        elif kind == "date":
            df.at[i, "ride_date"] = "31-02-2025"
        elif kind == "future":
            df.at[i, "ride_date"] = "2026-03-01"
        elif kind == "order":
            df.at[i, "declaration_date"] = "2024-12-31"
        elif kind == "km":
            df.at[i, "declared_km"] = ""
        elif kind == "amount":
            df.at[i, "declared_amount"] = "n.v.t."
        elif kind == "auth":
            df.at[i, "authorisation_number"] = ""
        elif kind == "mode":
            df.at[i, "mode"] = "helikopter"
        elif kind == "coord":
            df.at[i, "home_lat"] = "abc"
        elif kind == "dup" and i > 0:
            dup = df.loc[i - 1].copy()
            dup["declaration_id"] = df.at[i, "declaration_id"]
            df.loc[i] = dup
    facts = {
        "patients": patient,
        "destinations": [d[0] for d in dests],
        "malformed_or_duplicate_rows": len(bad),
        "seed": seed,
    }
    return df, pd.DataFrame(auths), facts


# --- the measured run (in a fresh process) ------------------------------------------------------


def _vm(field: str) -> float:
    """A memory figure of this process from /proc/self/status in MB (VmHWM: peak RSS)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_only(args: argparse.Namespace) -> None:
    """Read -> audit -> write, timed; prints a JSON line with the measurements."""
    import tracemalloc

    if args.tracemalloc:
        tracemalloc.start()
    from routing.router import Router
    from transport.audit import audit
    from transport.tariffs import TariffTable
    from ziekenvervoer.io import read_table, write_table_atomic

    t0 = time.perf_counter()
    router = Router.from_file(MAP)
    t_router = time.perf_counter() - t0
    rss_base = _vm("VmHWM")
    t1 = time.perf_counter()
    df = read_table(args.input)
    t2 = time.perf_counter()
    result = audit(
        df,
        router,
        authorisations=args.authorisations,
        tariffs=TariffTable.example(),
        today=TODAY,
        chunk_size=args.chunk_size,
    )
    t3 = time.perf_counter()
    write_table_atomic(result.rows, args.output)
    t4 = time.perf_counter()
    out = {
        "rows": len(df),
        "rows_out": len(result.rows),
        "router_load_s": t_router,
        "read_s": t2 - t1,
        "audit_s": t3 - t2,
        "write_s": t4 - t3,
        "end_to_end_s": t4 - t1,
        "rows_per_s": len(df) / (t4 - t1),
        "audit_rows_per_s": len(df) / (t3 - t2),
        "peak_rss_mb": _vm("VmHWM"),
        "rss_after_router_mb": rss_base,
        "distinct_trips_routed": result.summary["trips"]["routed"],
        "distinct_trips_failed": result.summary["trips"]["failed"],
        "verdicts": result.summary["verdicts"],
        "review": result.summary["review"],
        "top_reasons": {r["code"]: r["count"] for r in result.summary["reasons"][:12]},
        "km": result.summary["km"],
        "amounts_eur": result.summary["amounts_eur"],
    }
    if args.tracemalloc:
        out["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    sys.stdout.write(json.dumps(out) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--chunk-size", type=int, default=5_000)
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python memory")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--run-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--authorisations", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_only:
        run_only(args)
        return 0
    if not MAP.is_file():
        print(f"map not found: {MAP} (check out ../shared beside the project)", file=sys.stderr)
        return 2
    console = Console()
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with console.status(f"Generating {args.rows:,} declarations ..."):
        decl, auths, facts = generate(args.rows)
    t_gen = time.perf_counter() - t0
    inp = args.out / "audit_declarations.csv"
    auth_file = args.out / "audit_authorisations.csv"
    _write_atomic(inp, decl.to_csv(index=False))
    _write_atomic(auth_file, auths.to_csv(index=False))
    output = args.out / "audit_verdicts.csv"
    cmd = [
        sys.executable, __file__, "--run-only", "--input", str(inp), "--authorisations",
        str(auth_file), "--output", str(output), "--chunk-size", str(args.chunk_size),
    ]  # fmt: skip
    if args.tracemalloc:
        cmd.append("--tracemalloc")
    with console.status("Auditing (fresh process) ..."):
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if proc.returncode != 0:
        console.print(proc.stderr)
        return 1
    m = json.loads(proc.stdout.strip().splitlines()[-1])
    table = Table(title=f"Audit benchmark: {m['rows']:,} declarations on hengelo.osm.pbf")
    table.add_column("measure")
    table.add_column("value", justify="right")
    amounts = m["amounts_eur"]
    peak = f"{m['peak_rss_mb']:.0f} MB (after router load {m['rss_after_router_mb']:.0f} MB)"
    trips = f"{facts['patients']:,} / {m['distinct_trips_routed']:,}"
    for label, value in (
        ("rows in / out", f"{m['rows']:,} / {m['rows_out']:,}"),
        ("patients / distinct trips routed", trips),
        ("read CSV", f"{m['read_s']:.2f} s"),
        ("audit", f"{m['audit_s']:.2f} s ({m['audit_rows_per_s']:,.0f} rows/s)"),
        ("write CSV", f"{m['write_s']:.2f} s"),
        ("end to end (read -> verdicts -> write)", f"{m['end_to_end_s']:.2f} s"),
        ("rows/s end to end", f"{m['rows_per_s']:,.0f} (target {TARGET_ROWS_PER_S:,})"),
        ("router load (compiled map)", f"{m['router_load_s']:.2f} s"),
        ("peak RSS (process)", peak),
        *(
            [("tracemalloc peak", f"{m['tracemalloc_peak_mb']:.0f} MB")]
            if "tracemalloc_peak_mb" in m
            else []
        ),
        ("verdicts", ", ".join(f"{k} {v:,}" for k, v in m["verdicts"].items())),
        ("review", f"{m['review']:,}"),
        ("km declared / computed", f"{m['km']['declared']:,.1f} / {m['km']['computed']:,.1f}"),
        ("amount declared / payable", f"€ {amounts['declared']} / € {amounts['payable']}"),
    ):  # fmt: skip
        table.add_row(label, value)
    console.print(table)
    result = {
        "generated": facts,
        "generation_s": t_gen,
        "chunk_size": args.chunk_size,
        "today": TODAY,
        "measured": m,
        "target_rows_per_s": TARGET_ROWS_PER_S,
        "target_met": m["rows_per_s"] >= TARGET_ROWS_PER_S,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    _write_atomic(args.out / "audit.json", json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
