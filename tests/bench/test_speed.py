from __future__ import annotations

import pandas as pd
import pytest

from bench.engines import BuildResult
from bench.runners import EngineRun, unavailable
from bench.speed import (
    SYNTHETIC_SCALES,
    Settings,
    distance_agreement,
    extract_table,
    make_workload,
    parse_args,
    ratio,
    reference_run,
    repeated_build,
    results_markdown,
    target_ratios,
)


def _run(engine: str, latencies_ms: list[float], distances: list[float | None], **kw) -> EngineRun:
    n = len(latencies_ms)
    routes = {
        "distance_m": distances,
        "duration_s": [60.0] * n,
        "latency_s": [v / 1000 for v in latencies_ms],
        "n_points": [2] * n,
        "snap_origin_m": [0.0] * n,
        "snap_dest_m": [0.0] * n,
        "error": [None if d is not None else "NoRoute" for d in distances],
    }
    return EngineRun(engine=engine, extract="x", routes=routes, **kw)


def _matrix(latencies_ms: list[float]) -> dict:
    return {
        "size": [2, 2],
        "latency_s": [v / 1000 for v in latencies_ms],
        "durations_s": [[1.0, 2.0], [3.0, None]],
        "distances_m": [[1.0, 2.0], [3.0, None]],
        "missing": 1,
        "error": None,
    }


def test_ratio() -> None:
    assert ratio(1.0, 4.0, 0.5) == {"value": 0.25, "target": 0.5, "met": True}
    assert ratio(3.0, 4.0, 0.5)["met"] is False
    assert ratio(None, 4.0, 0.5) == {"value": None, "target": 0.5, "met": None}
    assert ratio(1.0, 0.0, 1.0)["value"] is None


def test_target_ratios_against_osrm_in_process() -> None:
    runs = {
        "ours": _run("ours", [0.1, 0.1, 0.1], [1.0, 2.0, 3.0], matrix=_matrix([10.0, 12.0])),
        "osrm": _run("osrm", [0.3, 0.3, 0.3], [1.0, 2.0, 3.0], matrix=_matrix([20.0, 22.0])),
        "osrm-http": _run("osrm-http", [1.0, 1.0, 1.0], [1.0, 2.0, 3.0]),
    }
    builds = {"ours": {"wall_s": 3.0}, "osrm": {"wall_s": 2.0}}
    ratios = target_ratios(runs, builds)
    assert ratios["against"] == "osrm"
    assert ratios["single_route"]["value"] == pytest.approx(1 / 3)
    assert ratios["single_route"]["met"] is True
    assert ratios["matrix"]["value"] == pytest.approx(11 / 21)
    assert ratios["build"] == {"value": 1.5, "target": 1.0, "met": False}
    assert "note" not in ratios


def test_target_ratios_fall_back_to_http_and_report_missing_ours() -> None:
    runs = {
        "ours": unavailable("ours", "x", "routing.router is not importable"),
        "osrm": unavailable("osrm", "x", "no Python 3.12"),
        "osrm-http": _run("osrm-http", [1.0], [1.0]),
    }
    assert reference_run(runs) is runs["osrm-http"]
    ratios = target_ratios(runs, {"osrm": {"wall_s": 2.0}})
    assert ratios["against"] == "osrm-http"
    assert ratios["single_route"]["value"] is None
    assert "routing.router is not importable" in ratios["note"]


def test_distance_agreement_uses_pairs_both_answered() -> None:
    runs = {
        "osrm": _run("osrm", [1, 1, 1, 1], [1000.0, 2000.0, None, 4000.0]),
        "valhalla": _run("valhalla", [1, 1, 1, 1], [1005.0, 2100.0, 3000.0, None]),
    }
    agreement = distance_agreement(runs)
    assert agreement["against"] == "osrm"
    assert agreement["valhalla"]["pairs"] == 2
    assert agreement["valhalla"]["median_rel_diff"] == pytest.approx((0.005 + 0.05) / 2)
    assert agreement["valhalla"]["within_1pct"] == pytest.approx(0.5)


def test_make_workload_takes_matrix_from_the_first_pairs() -> None:
    pairs = pd.DataFrame(
        {
            "origin_lat": [1.0, 2.0, 3.0],
            "origin_lon": [10.0, 20.0, 30.0],
            "dest_lat": [4.0, 5.0, 6.0],
            "dest_lon": [40.0, 50.0, 60.0],
            "crow_m": [1.0, 1.0, 1.0],
        }
    )
    workload = make_workload(pairs, Settings(pairs=1, matrix_size=2, warmup=0))
    assert workload.pairs == [[1.0, 10.0, 4.0, 40.0]]
    assert workload.matrix_sources == [[1.0, 10.0], [2.0, 20.0]]
    assert workload.matrix_targets == [[4.0, 40.0], [5.0, 50.0]]
    request = workload.request(extra="x")
    assert request["matrix"]["sources"] == workload.matrix_sources
    assert request["extra"] == "x"
    no_matrix = make_workload(pairs, Settings(pairs=3, matrix_size=0))
    assert no_matrix.request()["matrix"] is None


def test_repeated_build_reports_median_wall_and_max_memory() -> None:
    walls = iter([3.0, 1.0, 2.0])
    peaks = iter([50.0, 70.0, 60.0])

    def build() -> BuildResult:
        result = BuildResult("osrm", "x", ok=True)
        result.wall_s = next(walls)
        result.peak_rss_mb = next(peaks)
        return result

    out = repeated_build(build, 3)
    assert out["wall_s"] == 2.0
    assert out["peak_rss_mb"] == 70.0
    assert out["runs_wall_s"] == [3.0, 1.0, 2.0]


def _fake_results() -> dict:
    runs = {
        "ours": unavailable("ours", "x", "not yet").summary(),
        "osrm": _run(
            "osrm", [0.2, 0.4], [1.0, 2.0], matrix=_matrix([15.0]), load_s=0.001, peak_rss_mb=28
        ).summary(),
    }
    return {
        "machine": {
            "date": "2026-11-25T08:00:00+00:00",
            "cpu_model": "AMD EPYC",
            "cores": 2,
            "ram_gb": 23.5,
            "os": "Linux",
            "python": "3.11.7",
        },
        "extracts": {
            "hengelo": {
                "pairs": {"n": 2, "matrix": [2, 2], "crow_m_median": 2500.0},
                "builds": {"osrm": {"wall_s": 1.25, "peak_rss_mb": 54.0}},
                "runs": runs,
                "ratios": target_ratios({}, {}),
            }
        },
    }


def test_extract_table_and_markdown() -> None:
    results = _fake_results()
    header, rows = extract_table(results["extracts"]["hengelo"])
    assert header == ["", "ours", "OSRM in-process"]
    table = {row[0]: row[1:] for row in rows}
    assert table["build s"] == ["n/a", "1.25"]
    assert table["route median ms"] == ["n/a", "0.300"]
    assert table["matrix ms (median)"] == ["n/a", "15.0"]
    assert table["query peak MiB"] == ["n/a", "28"]
    markdown = results_markdown(results)
    assert "AMD EPYC, 2 cores" in markdown
    assert "| route median ms | n/a | 0.300 |" in markdown
    assert "target <= 0.5" in markdown


def test_parse_args_quick_and_skips() -> None:
    settings, output = parse_args(["--quick", "--skip-valhalla", "--extracts", "hengelo"])
    assert settings.quick and settings.pairs == 100 and settings.matrix_repeat == 1
    assert settings.extracts == ("hengelo",)
    assert "valhalla" not in settings.engines and "osrm-http" in settings.engines
    assert settings.synthetic == SYNTHETIC_SCALES
    assert output.name == "speed.json"
    settings, _ = parse_args(["--pairs", "250", "--skip-osrm-http", "--synthetic", ""])
    assert settings.pairs == 250 and "osrm-http" not in settings.engines
    assert settings.synthetic == ()
    with pytest.raises(SystemExit):
        parse_args(["--pairs", "0"])
