"""How building a compiled map grows with the network: shared extracts, grids and mosaics.

For each map, a fresh child process builds everything a router needs from the PBF, phase by
phase: reading (pyosmium, streaming), the car network (numpy), the contraction order (METIS), the
CCH (routing.cch, customised on all cores) and saving the compiled map; it reports the wall time of
each phase and its own peak memory (RSS). Two kinds of large networks:

- grids of 10k, 100k and 1M intersections with a realistic make-up: blocks of 60-140 m, shape
  nodes between intersections, about 15 % of block sides missing (mean degree about 3.4), a
  hierarchy of residential / tertiary / secondary streets with maxspeed tags, one-way streets and
  turn restrictions. Without a road hierarchy they are the worst case for a hierarchy;
- mosaics of the Dutch extracts (``bench/mosaic.py``): Hengelo and Spijkenisse tiled side by side
  and stitched where their roads leave the extract; 780 tiles are about the size of the
  Netherlands' car network.

From these the script estimates the build of the whole Netherlands (:func:`netherlands_estimate`).

    python bench/scale.py                         # extracts, 3 grids, mosaics of 100 and 780 tiles
    python bench/scale.py --sizes 10000 --mosaic 100  # fewer
    python bench/scale.py --map netherlands-latest.osm.pbf  # and a real national file

Prints a table and writes ``bench/results/scale.json`` (atomically).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "osm"
WORK = ROOT / "bench" / ".scale"
EXTRACTS = ["amsterdam", "hengelo", "spijkenisse", "liechtenstein"]


# --- synthetic grids -------------------------------------------------------------------------


def write_grid(path: Path, n_intersections: int, seed: int = 42) -> dict[str, int]:
    """Write a synthetic road grid with about ``n_intersections`` intersections as PBF."""
    import osmium

    rng = np.random.default_rng(seed)
    k = round(np.sqrt(n_intersections))
    lat0, lon0 = 52.0, 5.0
    # block sizes 60-140 m; one degree of latitude ~111.2 km, of longitude ~68.5 km at 52 N
    dy = rng.uniform(60, 140, size=k).cumsum() / 111_200.0
    dx = rng.uniform(60, 140, size=k).cumsum() / 68_500.0
    grid_id = np.arange(k * k, dtype=np.int64).reshape(k, k) + 1
    next_id = k * k + 1
    nodes: list[tuple[int, float, float]] = [
        (int(grid_id[r, c]), lat0 + dy[r], lon0 + dx[c]) for r in range(k) for c in range(k)
    ]
    ways = []
    way_id = 1
    rel = []

    def street(r: int, c: int, horizontal: bool) -> tuple[str, str | None, str | None]:
        line = r if horizontal else c
        if line % 10 == 0:
            return "secondary", "50" if rng.random() < 0.7 else "80", None
        if line % 5 == 0:
            return "tertiary", "50", None
        return (
            "residential",
            "30" if rng.random() < 0.6 else None,
            ("yes" if rng.random() < 0.1 else None),
        )

    for horizontal in (True, False):
        for line in range(k):
            c = 0
            while c < k - 1:
                length = int(rng.integers(4, 15))
                end = min(c + length, k - 1)
                hw, maxspeed, oneway = street(line, c, horizontal)
                refs: list[int] = []
                for j in range(c, end + 1):
                    r_, c_ = (line, j) if horizontal else (j, line)
                    if refs:
                        # 0-3 shape nodes between intersections
                        a = (line, j - 1) if horizontal else (j - 1, line)
                        la1, lo1 = lat0 + dy[a[0]], lon0 + dx[a[1]]
                        la2, lo2 = lat0 + dy[r_], lon0 + dx[c_]
                        for t in np.sort(rng.uniform(0.1, 0.9, size=int(rng.integers(0, 4)))):
                            jitter = rng.normal(0, 4e-6, size=2)
                            nodes.append(
                                (
                                    next_id,
                                    la1 + t * (la2 - la1) + jitter[0],
                                    lo1 + t * (lo2 - lo1) + jitter[1],
                                )
                            )
                            refs.append(next_id)
                            next_id += 1
                    refs.append(int(grid_id[r_, c_]))
                # drop ~15 % of residential block sides by cutting the way there
                pieces = [refs]
                if hw == "residential" and rng.random() < 0.6:
                    cut = int(rng.integers(1, len(refs) - 1)) if len(refs) > 3 else None
                    if cut:
                        pieces = [refs[:cut], refs[cut + 1 :]]
                for piece in pieces:
                    if len(piece) >= 2:
                        tags = {"highway": hw, "name": f"Straat {way_id}"}
                        if maxspeed:
                            tags["maxspeed"] = maxspeed
                        if oneway:
                            tags["oneway"] = oneway
                        ways.append((way_id, piece, tags))
                        way_id += 1
                c = end
    # turn restrictions at some secondary x secondary crossings
    sec = [
        (r, c) for r in range(0, k, 10) for c in range(0, k, 10) if 0 < r < k - 1 and 0 < c < k - 1
    ]
    by_node: dict[int, list[int]] = {}
    for wid, refs, _ in ways:
        for n in (refs[0], refs[-1]):
            by_node.setdefault(n, []).append(wid)
    rid = 1
    for r, c in sec[: max(1, len(sec) // 3)]:
        v = int(grid_id[r, c])
        ws = by_node.get(v, [])
        if len(ws) >= 2:
            rel.append((rid, ws[0], v, ws[1]))
            rid += 1

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.pbf")
    tmp.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(tmp)) as w:
        for nid, lat, lon in sorted(nodes):
            w.add_node(osmium.osm.mutable.Node(id=nid, location=(lon, lat)))
        for wid, refs, tags in ways:
            w.add_way(osmium.osm.mutable.Way(id=wid, nodes=refs, tags=tags))
        for rid_, from_w, via, to_w in rel:
            w.add_relation(
                osmium.osm.mutable.Relation(
                    id=rid_,
                    members=[("w", from_w, "from"), ("n", via, "via"), ("w", to_w, "to")],
                    tags={"type": "restriction", "restriction": "no_left_turn"},
                )
            )
    os.replace(tmp, path)
    return {
        "intersections": k * k,
        "osm_nodes": len(nodes),
        "ways": len(ways),
        "restrictions": len(rel),
    }


# --- the measured child ------------------------------------------------------------------------


class PhasePeaks:
    """Sample this process's resident memory every 20 ms and keep the peak of each phase."""

    def __init__(self) -> None:
        self.phase = "import"
        self.peaks: dict[str, float] = {}
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20
        while True:
            with open("/proc/self/statm") as f:
                rss = int(f.read().split()[1]) * page_mb
            self.peaks[self.phase] = max(self.peaks.get(self.phase, 0.0), rss)
            time.sleep(0.02)

    def enter(self, phase: str) -> None:
        """Start counting ``phase``."""
        self.phase = phase


def child(map_path: str) -> None:
    """Build everything for one map, phase by phase; print JSON with times and peak RSS."""
    sys.path.insert(0, str(ROOT))
    peaks = PhasePeaks()
    t0 = time.perf_counter()
    from routing import store
    from routing.cch import nested_dissection_order
    from routing.engine import CCHEngine, build_hierarchy
    from routing.maps import read_map
    from routing.network import build_network
    from routing.profile import default_profile

    profile = default_profile()
    t_import = time.perf_counter()
    peaks.enter("read")
    raw = read_map(map_path, lambda t: profile.way_rule(t) is not None)
    t_read = time.perf_counter()
    peaks.enter("network")
    net = build_network(raw, profile)
    del raw
    t_net = time.perf_counter()
    peaks.enter("order")
    order = nested_dissection_order(net.n_states, net.arc_from, net.arc_to)
    t_order = time.perf_counter()
    peaks.enter("cch")
    cch = build_hierarchy(net, order=order)
    engine = CCHEngine(net, cch)
    t_cch = time.perf_counter()
    out = Path(tempfile.mkdtemp(prefix="zv-scale-"))
    from routing import settings

    settings.cache_dir = out
    peaks.enter("save")
    saved = store.save(net, engine.cch, Path(map_path))
    t_save = time.perf_counter()
    size = saved.stat().st_size if saved else 0
    if saved:
        saved.unlink()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "import_s": t_import - t0,
                "read_s": t_read - t_import,
                "network_s": t_net - t_read,
                "order_s": t_order - t_net,
                "cch_s": t_cch - t_order,
                "cch_arcs": int(cch.n_arcs),
                "save_s": t_save - t_cch,
                "build_s": t_save - t_import,
                "peak_rss_mb": peak_kb / 1024,
                **{f"peak_{k}_mb": v for k, v in peaks.peaks.items()},
                "points": len(net.lat),
                "edges": int(net.n_edges),
                "states": int(net.state_ok.sum()),
                "arcs": len(net.arc_from),
                "compiled_mb": size / 1e6,
            }
        )
    )


def measure(map_path: Path) -> dict[str, float]:
    """Run the child on one map and return its report."""
    res = subprocess.run(
        [sys.executable, __file__, "--child", str(map_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def netherlands_estimate(rows: list[dict]) -> dict:
    """Estimate the build for the Netherlands from the measured rows.

    The size: Liechtenstein's full extract gives car states per PBF megabyte; the Dutch PBF (about
    1.3 GB) holds more buildings and land use per road, so 1,300 MB at that rate (about 7.7 M
    states) is on the high side. Three views of the same size:

    - the grids, fitted log-log and extrapolated: an upper bound (no road hierarchy, separators of
      sqrt(n) intersections: the worst case for a contraction hierarchy);
    - the mosaic of the Dutch extracts nearest that size, measured directly: real streets, real
      road classes and real boundary crossings, tiled to a country (bench/mosaic.py);
    - the small extracts' cost per state, kept constant: a lower bound (shortcuts per state grow
      with the size of the map).
    """
    grid = [r for r in rows if r["map"].startswith("grid")]
    li = next((r for r in rows if r["map"] == "liechtenstein"), None)
    states_per_mb = li["states"] / li["pbf_mb"] if li else 5900.0
    nl_states = states_per_mb * 1300.0
    out: dict = {"nl_states": nl_states}
    parts = []
    if len(grid) >= 2:
        s = np.log([r["states"] for r in grid])
        fit_t = np.polyfit(s, np.log([r["build_s"] for r in grid]), 1)
        fit_m = np.polyfit(s, np.log([r["peak_rss_mb"] for r in grid]), 1)
        out.update(
            time_exponent=float(fit_t[0]),
            memory_exponent=float(fit_m[0]),
            nl_build_s_grid=float(np.exp(np.polyval(fit_t, np.log(nl_states)))),
            nl_peak_rss_mb_grid=float(np.exp(np.polyval(fit_m, np.log(nl_states)))),
        )
        parts.append(
            f"grids (upper bound: time ~ states^{fit_t[0]:.2f}, memory ~ states^{fit_m[0]:.2f}) "
            f"{out['nl_build_s_grid'] / 60:.1f} min, {out['nl_peak_rss_mb_grid'] / 1024:.1f} GB"
        )
    mosaic = [r for r in rows if r["map"].startswith("mosaic")]
    if mosaic:
        # nearest in size; of equal size, the one padded like the national file
        m = min(
            mosaic,
            key=lambda r: (round(abs(np.log(r["states"] / nl_states)), 2), -r["pbf_mb"]),
        )
        # scale the measurement to the estimated size (a few percent at most for 780 tiles)
        k = nl_states / m["states"]
        out.update(
            mosaic_map=m["map"],
            mosaic_states=m["states"],
            nl_build_s_mosaic=m["build_s"] * k,
            nl_peak_rss_mb_mosaic=m["peak_rss_mb"] * k,
        )
        parts.append(
            f"{m['map']} ({m['states'] / 1e6:.2f} M states, measured: {m['build_s'] / 60:.1f} "
            f"min, {m['peak_rss_mb'] / 1024:.1f} GB) scaled to size "
            f"{out['nl_build_s_mosaic'] / 60:.1f} min, {out['nl_peak_rss_mb_mosaic'] / 1024:.1f} GB"
        )
    real = [r for r in rows if r["map"] in EXTRACTS and r["states"] > 1000]
    if real:
        per_state_s = sum(r["build_s"] for r in real) / sum(r["states"] for r in real)
        out["nl_build_s_real_rate"] = per_state_s * nl_states
        parts.append(
            f"small extracts' rate (lower bound) {out['nl_build_s_real_rate'] / 60:.1f} min"
        )
    out["summary"] = (
        f"Netherlands, about {nl_states / 1e6:.1f} M states: "
        + "; ".join(parts)
        + ". Targets: < 10 min, < 6 GB."
    )
    return out


def main() -> int:
    """Measure and print the scaling table; estimate the Netherlands."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument(
        "--mosaic",
        default="100,780",
        help="tile counts of mosaics of the Dutch extracts (bench/mosaic.py); 780 tiles give about"
        " the Netherlands' 7.7 M states",
    )
    ap.add_argument(
        "--map",
        type=Path,
        action="append",
        default=[],
        help="also measure this map file (repeatable), e.g. netherlands-latest.osm.pbf",
    )
    ap.add_argument(
        "--pad-mb",
        type=float,
        default=1300.0,
        help="also build the largest mosaic padded with non-road data to this PBF size, as the"
        " national file (about 1.3 GB); 0 for none",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale.json")
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return 0
    for path in args.map:
        if not path.is_file():
            ap.error(f"--map {path}: no such file")
    from rich.console import Console
    from rich.table import Table

    rows = []
    for name in EXTRACTS:
        path = SHARED / f"{name}.osm.pbf"
        if path.is_file():
            rec = measure(path)
            rows.append({"map": name, "pbf_mb": path.stat().st_size / 1e6, **rec})
    for path in args.map:
        rows.append({"map": path.name, "pbf_mb": path.stat().st_size / 1e6, **measure(path)})
    for n in [int(s) for s in args.sizes.split(",") if s]:
        path = WORK / f"grid-{n}.osm.pbf"
        if not path.is_file():
            t = time.perf_counter()
            info = write_grid(path, n)
            print(f"wrote {path.name}: {info} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        rec = measure(path)
        rows.append({"map": f"grid {n:,}", "pbf_mb": path.stat().st_size / 1e6, **rec})
    dutch = [SHARED / "hengelo.osm.pbf", SHARED / "spijkenisse.osm.pbf"]
    mosaics = [(int(s), None) for s in args.mosaic.split(",") if s]
    if mosaics and args.pad_mb:
        mosaics.append((max(t for t, _ in mosaics), args.pad_mb))
    for tiles, pad in mosaics:
        suffix = f"-{pad:.0f}mb" if pad else ""
        path = WORK / f"mosaic-nl-{tiles}{suffix}.osm.pbf"
        if not path.is_file():
            sys.path.insert(0, str(ROOT))
            from bench.mosaic import write_mosaic

            t = time.perf_counter()
            info = write_mosaic(path, tiles, sources=dutch, pad_mb=pad)
            print(f"wrote {path.name}: {info} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        rec = measure(path)
        label = f"mosaic {tiles:,} tiles" + (" + non-road data" if pad else "")
        rows.append({"map": label, "pbf_mb": path.stat().st_size / 1e6, **rec})

    table = Table(title="Building a compiled map: time per phase and peak memory")
    cols = ["map", "pbf_mb", "states", "arcs", "cch_arcs", "read_s", "network_s", "order_s",
            "cch_s", "save_s", "build_s", "peak_rss_mb", "compiled_mb"]  # fmt: skip
    for c in cols:
        table.add_column(c, justify="left" if c == "map" else "right")
    for r in rows:
        table.add_row(
            *[
                r[c] if c == "map" else f"{r[c]:,.2f}" if isinstance(r[c], float) else f"{r[c]:,}"
                for c in cols
            ]
        )
    Console().print(table)

    estimate = netherlands_estimate(rows)
    if estimate:
        Console().print(estimate["summary"])
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "rows": rows,
        "estimate_netherlands": {k: v for k, v in estimate.items() if k != "summary"},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=args.out.parent, prefix=".scale.")
    with os.fdopen(fd, "w") as f:
        json.dump(result, f, indent=2)
    os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
