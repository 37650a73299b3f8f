from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.workers import _common
from tests.conftest import shared_path

# the worker modules import their sibling ``_common`` as a top-level module (see conftest)
osmnx_worker = pytest.importorskip("osmnx_worker")
ours_worker = pytest.importorskip("ours_worker")

WORKERS = Path(__file__).resolve().parents[2] / "bench" / "workers"


# --- polyline decoding (the Valhalla worker imports pyvalhalla, so load the function alone) ---


def _load_decoder():
    source = (WORKERS / "valhalla_worker.py").read_text()
    start = source.index("def decode_polyline6")
    end = source.index("\ndef _location")
    namespace: dict = {}
    exec(compile(source[start:end], "valhalla_worker.py", "exec"), namespace)
    return namespace["decode_polyline6"]


decode_polyline6 = _load_decoder()


def _encode(points: list[tuple[float, float]], factor: float = 1e6) -> str:
    """Reference encoder (Google's algorithm), lat before lon; points as (lon, lat)."""
    out = []
    prev_lat = prev_lon = 0
    for lon, lat in points:
        ilat, ilon = round(lat * factor), round(lon * factor)
        for delta in (ilat - prev_lat, ilon - prev_lon):
            value = ~(delta << 1) if delta < 0 else delta << 1
            while value >= 0x20:
                out.append(chr((0x20 | (value & 0x1F)) + 63))
                value >>= 5
            out.append(chr(value + 63))
        prev_lat, prev_lon = ilat, ilon
    return "".join(out)


def test_decode_polyline6_known_value() -> None:
    # Google's documented example at precision 5 decodes to a tenth of its values at precision 6
    points = decode_polyline6("_p~iF~ps|U_ulLnnqC_mqNvxq`@")
    expected = [(-12.02, 3.85), (-12.095, 4.07), (-12.6453, 4.3252)]
    assert [v for p in points for v in p] == pytest.approx([v for p in expected for v in p])
    assert decode_polyline6("") == []


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-180_000_000, 180_000_000).map(lambda v: v / 1e6),
            st.integers(-90_000_000, 90_000_000).map(lambda v: v / 1e6),
        ),
        max_size=30,
    )
)
def test_decode_polyline6_roundtrip(points: list[tuple[float, float]]) -> None:
    # integer micro-degrees survive exactly: the decoder divides the same integers by 1e6
    assert decode_polyline6(_encode(points)) == points


# --- osmnx filter and PBF -> XML ------------------------------------------------------------


def test_drive_filter_semantics() -> None:
    conditions = osmnx_worker.parse_overpass_filter(osmnx_worker.drive_filter())
    passes = lambda tags: osmnx_worker.matches_filter(tags, conditions)  # noqa: E731
    assert passes({"highway": "residential"})
    assert passes({"highway": "motorway", "oneway": "yes"})
    assert not passes({"highway": "service"})
    assert not passes({"highway": "footway"})
    assert not passes({"highway": "residential", "access": "private"})
    assert not passes({"highway": "residential", "motor_vehicle": "no"})
    assert not passes({"highway": "residential", "area": "yes"})
    assert not passes({"building": "yes"})


def test_parse_overpass_filter_operators_and_errors() -> None:
    conditions = osmnx_worker.parse_overpass_filter('["highway"]["surface"~"paved"]["x"!~"a|b"]')
    assert [(k, op) for k, op, _ in conditions] == [
        ("highway", None),
        ("surface", "~"),
        ("x", "!~"),
    ]
    passes = lambda tags: osmnx_worker.matches_filter(tags, conditions)  # noqa: E731
    assert passes({"highway": "a", "surface": "unpaved"})  # unanchored, as in Overpass
    assert not passes({"highway": "a"})  # "~" needs the key
    assert not passes({"highway": "a", "surface": "paved", "x": "b"})
    with pytest.raises(ValueError, match="unsupported"):
        osmnx_worker.parse_overpass_filter('["highway"](poly:"1 2")')
    with pytest.raises(ValueError, match="unsupported"):
        osmnx_worker.parse_overpass_filter('["highway"]trailing')


def test_pbf_to_drive_xml_writes_filtered_ways_with_all_their_nodes(tmp_path: Path) -> None:
    pbf = shared_path("osm", "amsterdam.osm.pbf")
    xml = tmp_path / "drive.osm"
    written = osmnx_worker.pbf_to_drive_xml(pbf, xml, osmnx_worker.drive_filter())
    root = ET.parse(xml).getroot()
    nodes = {n.get("id") for n in root.iter("node")}
    ways = list(root.iter("way"))
    assert written["ways"] == len(ways) > 0
    conditions = osmnx_worker.parse_overpass_filter(osmnx_worker.drive_filter())
    used: set[str] = set()
    for way in ways:
        tags = {t.get("k"): t.get("v") for t in way.iter("tag")}
        assert osmnx_worker.matches_filter(tags, conditions)
        used |= {nd.get("ref") for nd in way.iter("nd")}
    assert used == nodes  # every referenced node present, no others


def test_pbf_to_drive_xml_excludes_other_ways(tiny_osm: Path, tmp_path: Path) -> None:
    xml = tmp_path / "out.osm"
    osmnx_worker.pbf_to_drive_xml(tiny_osm, xml, osmnx_worker.drive_filter())
    root = ET.parse(xml).getroot()
    assert sorted(w.get("id") for w in root.iter("way")) == ["10", "11"]
    assert sorted(int(n.get("id")) for n in root.iter("node")) == [1, 2, 3, 4, 5]


# --- timing loops ---------------------------------------------------------------------------


def test_time_routes_records_every_pair_and_its_error() -> None:
    calls: list[tuple[float, ...]] = []

    def route(olat: float, olon: float, dlat: float, dlon: float):
        calls.append((olat, olon, dlat, dlon))
        if olat < 0:
            raise LookupError("no route\nsecond line")
        return 1000.0 * olat, 60.0, [(olon + 0.001, olat), (dlon, dlat)]

    pairs = [[1.0, 5.0, 1.01, 5.0], [-1.0, 5.0, 1.0, 5.0], [2.0, 5.0, 2.01, 5.0]]
    out = _common.time_routes(route, pairs, warmup=2)
    assert len(calls) == 5  # 2 warm-up + 3 timed
    assert out["distance_m"] == [1000.0, None, 2000.0]
    assert out["duration_s"] == [60.0, None, 60.0]
    assert out["n_points"] == [2, None, 2]
    assert out["error"][0] is None and out["error"][2] is None
    assert out["error"][1] == "LookupError: no route second line"
    assert len(out["latency_s"]) == 3 and all(v >= 0 for v in out["latency_s"])
    assert out["snap_origin_m"][0] == pytest.approx(_common.haversine_m(1, 5, 1, 5.001))
    assert out["snap_dest_m"][0] == pytest.approx(0.0)
    assert out["first_query_s"] is not None


def test_time_matrix_runs_repeat_times_and_counts_missing() -> None:
    runs = []

    def matrix(sources, targets):
        runs.append(1)
        durations = [[1.0 if i != j else None for j in range(len(targets))] for i in range(2)]
        return durations, durations

    out = _common.time_matrix(matrix, [[0, 0], [1, 1]], [[2, 2], [3, 3], [4, 4]], repeat=3)
    assert len(runs) == 3 and len(out["latency_s"]) == 3
    assert out["size"] == [2, 3]
    assert out["missing"] == 2
    assert out["error"] is None

    def broken(sources, targets):
        raise RuntimeError("too big")

    failed = _common.time_matrix(broken, [[0, 0]], [[1, 1]], repeat=3)
    assert failed["error"] == "RuntimeError: too big"
    assert failed["latency_s"] == [] and failed["durations_s"] is None


# --- the ours worker ------------------------------------------------------------------------

FAKE_ROUTER = """
import numpy as np
import pandas as pd
from shapely.geometry import LineString


class _Route:
    def __init__(self, o, d):
        self.distance_m = 1000.0 * abs(d[0] - o[0]) + 1.0
        self.duration_s = 60.0
        self.geometry = LineString([(o[1], o[0]), (d[1], d[0])])
        self.coordinates = np.array(self.geometry.coords)


class Router:
    @classmethod
    def from_file(cls, path):
        return cls()

    def route(self, origin, destination):
        if origin[0] < 0:
            raise ValueError("NoRoute")
        return _Route(origin, destination)

    def matrix(self, origins, destinations):
        rows = [
            {"origin": i, "destination": j, "duration_s": 10.0 * i + j, "distance_m": 100.0 * j}
            for i in range(len(origins))
            for j in range(len(destinations))
        ]
        return pd.DataFrame(rows)
"""


def _run_ours(tmp_path: Path, package_files: dict[str, str]) -> dict:
    root = tmp_path / "fake"
    (root / "routing").mkdir(parents=True)
    for name, text in package_files.items():
        (root / "routing" / name).write_text(text)
    request = {
        "pbf": "unused.osm.pbf",
        "pairs": [[1.0, 5.0, 2.0, 5.0], [-1.0, 5.0, 2.0, 5.0]],
        "warmup": 1,
        "matrix": {"sources": [[0, 0], [1, 1]], "targets": [[2, 2], [3, 3], [4, 4]], "repeat": 2},
    }
    req, resp = tmp_path / "req.json", tmp_path / "resp.json"
    req.write_text(json.dumps(request))
    # An editable install of the project puts a finder for `routing` on sys.meta_path that would
    # win over PYTHONPATH: drop it, so that the fake package is the one imported.
    launcher = (
        "import runpy, sys;"
        "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()];"
        f"sys.argv = [{str(WORKERS / 'ours_worker.py')!r}, {str(req)!r}, {str(resp)!r}];"
        f"sys.path.insert(0, {str(WORKERS)!r});"
        f"runpy.run_path({str(WORKERS / 'ours_worker.py')!r}, run_name='__main__')"
    )
    subprocess.run(
        [sys.executable, "-c", launcher],
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,  # not the project root, whose packages `python -c` would find first
        check=False,
    )
    return json.loads(resp.read_text())


def test_ours_worker_says_not_available_without_router(tmp_path: Path) -> None:
    answer = _run_ours(tmp_path, {"__init__.py": ""})
    assert answer["ok"] is True
    assert answer["available"] is False
    assert re.search(r"routing\.router is not importable", answer["reason"])


def test_ours_worker_drives_the_router_api(tmp_path: Path) -> None:
    answer = _run_ours(tmp_path, {"__init__.py": "", "router.py": FAKE_ROUTER})
    assert answer["available"] is True, answer
    routes = answer["routes"]
    assert routes["distance_m"] == [1001.0, None]
    assert routes["error"][1] == "ValueError: NoRoute"
    assert routes["n_points"] == [2, None]
    matrix = answer["matrix"]
    assert matrix["durations_s"] == [[0.0, 1.0, 2.0], [10.0, 11.0, 12.0]]
    assert matrix["distances_m"][1] == [0.0, 100.0, 200.0]
    assert len(matrix["latency_s"]) == 2
    assert answer["build"]["build_s"] >= 0


def test_ours_synthetic_grid_is_built_and_routed(tmp_path: Path) -> None:
    answer = ours_worker.handle(
        {
            "synthetic_nodes": 2_500,
            "synthetic_pairs": 20,
            "synthetic_dir": str(tmp_path),
            "warmup": 2,
        }
    )
    assert answer["available"] is True, answer
    assert (tmp_path / "grid-2500.osm.pbf").is_file()
    assert answer["network"]["states"] > 2_500
    routes = answer["routes"]
    assert len(routes["distance_m"]) == 20
    assert all(d is not None and d > 0 for d in routes["distance_m"]), routes["error"]
    assert len(answer["matrix"]["durations_s"]) == 100
