"""Engine setup and runners. The engine tests use wheels fetched by ``bench/engines.py prepare``
and skip, saying so, when they are absent: tests never download anything."""

from __future__ import annotations

import json
import stat
import sys
import zipfile
from pathlib import Path

import pytest

from bench.engines import (
    EngineHome,
    Toolchain,
    WheelSpec,
    _silence_logging,
    build_is_current,
    build_osrm,
    build_valhalla,
    find_python,
    sha256_file,
    unpack_wheel,
)
from bench.pairs import car_network_nodes, sample_pairs
from bench.runners import (
    Workload,
    osrm_routed,
    run_osmnx,
    run_osrm_http,
    run_osrm_inprocess,
    run_valhalla,
    unavailable,
)
from bench.sanity import compare_distances
from tests.conftest import shared_path

REAL_HOME = EngineHome()


def test_wheel_prefix() -> None:
    assert WheelSpec("osrm-bindings", "26.10.0", "3.12").file_prefix == "osrm_bindings-26.10.0-"


def test_unpack_wheel_keeps_executable_bits(tmp_path: Path) -> None:
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        info = zipfile.ZipInfo("demo/bin/tool")
        info.external_attr = (stat.S_IFREG | 0o755) << 16
        archive.writestr(info, "#!/bin/sh\necho hi\n")
        archive.writestr("demo/data.txt", "plain")
    dest = unpack_wheel(wheel, tmp_path / "demo")
    tool = dest / "demo" / "bin" / "tool"
    assert tool.stat().st_mode & 0o111
    assert (dest / "demo" / "data.txt").read_text() == "plain"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    (dest / "marker").write_text("kept")
    unpack_wheel(wheel, dest)  # an existing folder is reused, not unpacked again
    assert (dest / "marker").read_text() == "kept"


def test_find_python_finds_the_running_minor_version() -> None:
    minor = f"{sys.version_info.major}.{sys.version_info.minor}"
    found = find_python(minor)
    assert found is not None
    assert find_python("2.1") is None


def test_build_stamp_ties_data_to_the_extract(tmp_path: Path) -> None:
    pbf = tmp_path / "x.osm.pbf"
    pbf.write_bytes(b"first")
    stamp = tmp_path / "data" / "build-stamp.json"
    stamp.parent.mkdir()
    assert not build_is_current(stamp.parent, pbf)
    stamp.write_text(json.dumps({"ok": True, "pbf_sha256": sha256_file(pbf)}))
    assert build_is_current(stamp.parent, pbf)
    pbf.write_bytes(b"changed map")
    assert not build_is_current(stamp.parent, pbf)
    stamp.write_text(json.dumps({"ok": False, "pbf_sha256": sha256_file(pbf)}))
    assert not build_is_current(stamp.parent, pbf)
    stamp.write_text("{broken")
    assert not build_is_current(stamp.parent, pbf)


def test_silence_logging_reaches_every_section() -> None:
    config = {
        "mjolnir": {"logging": {"type": "std_out"}, "tile_dir": "x"},
        "loki": {"logging": {"type": "std_out", "long_request": 100}},
        "thor": {"service": {"logging": {"type": "file"}}},
    }
    _silence_logging(config)
    assert config["mjolnir"]["logging"]["type"] == ""
    assert config["loki"]["logging"] == {"type": "", "long_request": 100}
    assert config["thor"]["service"]["logging"]["type"] == ""
    assert config["mjolnir"]["tile_dir"] == "x"


def test_compare_distances_counts_tolerances() -> None:
    agreement = compare_distances([1000.0, 1000.0, 1000.0, 2000.0], [1000.9, 1005.0, None, 2030.0])
    assert agreement.trips == 4
    assert agreement.failed == 1
    assert agreement.within_1m == 1
    assert agreement.within_1pct == 2
    assert agreement.max_abs_diff_m == pytest.approx(30.0)
    assert agreement.median_abs_diff_m == pytest.approx(5.0)
    with pytest.raises(ValueError, match="measured"):
        compare_distances([1.0], [])


def test_unavailable_run_summary() -> None:
    run = unavailable("ours", "hengelo", "routing.router missing")
    summary = run.summary()
    assert summary["available"] is False
    assert summary["reason"] == "routing.router missing"
    assert summary["route_latency"] is None and summary["matrix"] is None


# --- with the prepared engines ---------------------------------------------------------------


def _engine_home(tmp_path: Path) -> Toolchain:
    """A toolchain in a temporary folder that reuses the prepared wheels and venvs."""
    needed = [REAL_HOME.osrm_dir, REAL_HOME.osrm_venv]
    if not all(p.exists() for p in needed):
        pytest.skip("OSRM not prepared: run `python bench/engines.py prepare` first")
    home = EngineHome(tmp_path / "engines")
    home.root.mkdir()
    for source in (
        REAL_HOME.osrm_dir,
        REAL_HOME.osrm_venv,
        REAL_HOME.valhalla_build_dir,
        REAL_HOME.valhalla_venv,
    ):
        if source.exists():
            (home.root / source.name).symlink_to(source)
    return Toolchain(
        home=home,
        osrm_ready=True,
        osrm_python=REAL_HOME.osrm_venv / "bin" / "python",
        valhalla_build_ready=REAL_HOME.valhalla_build_dir.exists(),
        valhalla_python=(
            REAL_HOME.valhalla_venv / "bin" / "python" if REAL_HOME.valhalla_venv.exists() else None
        ),
        valhalla_reason=None if REAL_HOME.valhalla_venv.exists() else "Valhalla not prepared",
    )


def _amsterdam_workload() -> Workload:
    pbf = shared_path("osm", "amsterdam.osm.pbf")
    pairs = sample_pairs(car_network_nodes(pbf), 8, min_distance_m=150, salt="test")
    rows = pairs[["origin_lat", "origin_lon", "dest_lat", "dest_lon"]].to_numpy().tolist()
    return Workload(
        pairs=rows,
        matrix_sources=[r[:2] for r in rows[:3]],
        matrix_targets=[r[2:] for r in rows[:4]],
        warmup=2,
        matrix_repeat=2,
    )


def test_osrm_build_and_both_query_modes_agree(tmp_path: Path) -> None:
    tools = _engine_home(tmp_path)
    workload = _amsterdam_workload()
    build = build_osrm("amsterdam", tools, shared_path("osm", "amsterdam.osm.pbf"))
    assert build.ok, build.error
    assert [s["step"] for s in build.steps] == ["osrm-extract", "osrm-contract"]
    assert all(s["peak_rss_mb"] > 1 for s in build.steps)
    pbf = shared_path("osm", "amsterdam.osm.pbf")
    assert build_is_current(tools.home.osrm_data("amsterdam").parent, pbf)

    inproc = run_osrm_inprocess("amsterdam", workload, tools)
    http = run_osrm_http("amsterdam", workload, tools)
    assert inproc.available, inproc.reason
    assert http.available, http.reason
    assert "in-process" in (inproc.mode or "") and "HTTP" in (http.mode or "")
    assert inproc.routes is not None and http.routes is not None
    assert inproc.route_errors == 0
    assert inproc.routes["distance_m"] == http.routes["distance_m"]
    assert all(d > 0 for d in inproc.routes["distance_m"])
    assert inproc.matrix is not None and http.matrix is not None
    assert inproc.matrix["durations_s"] == http.matrix["durations_s"]
    assert len(inproc.matrix["durations_s"]) == 3 and len(inproc.matrix["durations_s"][0]) == 4
    assert http.peak_rss_mb is not None  # measured when the server was stopped
    assert inproc.peak_rss_mb is not None and inproc.peak_rss_self_mb is not None


def test_osrm_server_is_stopped_on_error(tmp_path: Path) -> None:
    tools = _engine_home(tmp_path)
    build = build_osrm("amsterdam", tools, shared_path("osm", "amsterdam.osm.pbf"))
    assert build.ok, build.error
    log = tmp_path / "routed.log"
    data, binary = tools.home.osrm_data("amsterdam"), tools.home.osrm_bin("osrm-routed")
    with pytest.raises(RuntimeError, match="boom"), osrm_routed(data, binary, log=log) as server:
        assert server.process.running()
        raise RuntimeError("boom")
    assert not server.process.running()
    assert server.measured is not None


def test_runners_report_missing_builds(tmp_path: Path) -> None:
    tools = _engine_home(tmp_path)
    run = run_osrm_inprocess("amsterdam", _amsterdam_workload(), tools)
    assert not run.available
    assert "prepare" in (run.reason or "")


def test_valhalla_build_and_actor(tmp_path: Path) -> None:
    tools = _engine_home(tmp_path)
    if tools.valhalla_python is None or not tools.valhalla_build_ready:
        pytest.skip("Valhalla not prepared: run `python bench/engines.py prepare` first")
    build = build_valhalla("amsterdam", tools, shared_path("osm", "amsterdam.osm.pbf"))
    assert build.ok, build.error
    query = json.loads((tools.home.valhalla_data("amsterdam") / "query.json").read_text())
    assert query["service_limits"]["auto"]["max_matrix_location_pairs"] >= 10_000
    run = run_valhalla("amsterdam", _amsterdam_workload(), tools)
    assert run.available, run.reason
    assert run.routes is not None and run.route_errors == 0
    assert all(d > 0 for d in run.routes["distance_m"])
    assert all(n >= 2 for n in run.routes["n_points"])
    assert run.matrix is not None and run.matrix["missing"] == 0
    assert "valhalla" in (run.version or "")


def test_osmnx_baseline_runs(tmp_path: Path) -> None:
    shared_path("osm", "amsterdam.osm.pbf")
    run = run_osmnx("amsterdam", _amsterdam_workload(), EngineHome(tmp_path / "engines"))
    assert run.available, run.reason
    assert run.build is not None and run.build["nodes"] > 0
    assert run.build["conversion_s"] >= 0 and run.build["graph_build_s"] > 0
    assert run.routes is not None and run.route_errors == 0
    assert run.matrix is None
    assert not list((tmp_path / "engines" / "scratch").glob("*.osm"))  # temp XML removed
