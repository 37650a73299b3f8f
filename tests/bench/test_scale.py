"""The Netherlands estimate of bench/scale.py, on made-up measurements."""

from __future__ import annotations

import pytest

from bench.scale import netherlands_estimate


def row(name: str, states: int, build_s: float, peak: float, pbf_mb: float = 1.0) -> dict:
    return {"map": name, "states": states, "build_s": build_s, "peak_rss_mb": peak,
            "pbf_mb": pbf_mb, "compiled_mb": states / 2000}  # fmt: skip


def test_estimate_uses_all_three_views():
    rows = [
        row("liechtenstein", 7_700, 0.1, 200, pbf_mb=1.3),  # 5,923 states per MB -> 7.7 M
        row("hengelo", 11_000, 0.1, 200),
        row("grid 10,000", 10_000, 1.0, 100),
        row("grid 100,000", 100_000, 10.0, 1000),
        row("mosaic 100 tiles", 1_000_000, 30.0, 800, pbf_mb=16),
        row("mosaic 780 tiles", 7_600_000, 200.0, 4000, pbf_mb=128),
        row("mosaic 780 tiles + non-road data", 7_600_000, 300.0, 5000, pbf_mb=1300),
    ]
    est = netherlands_estimate(rows)
    assert est["nl_states"] == pytest.approx(7_700 / 1.3 * 1300)
    # grids: time and memory linear in states here, extrapolated
    assert est["time_exponent"] == pytest.approx(1.0)
    assert est["nl_build_s_grid"] == pytest.approx(est["nl_states"] / 10_000, rel=1e-6)
    # the padded mosaic of the right size wins over the unpadded one, scaled to the size
    assert est["mosaic_map"] == "mosaic 780 tiles + non-road data"
    k = est["nl_states"] / 7_600_000
    assert est["nl_build_s_mosaic"] == pytest.approx(300.0 * k)
    assert est["nl_peak_rss_mb_mosaic"] == pytest.approx(5000 * k)
    # the small extracts' rate: a lower bound
    assert est["nl_build_s_real_rate"] < est["nl_build_s_mosaic"] < est["nl_build_s_grid"]
    assert "Targets: < 10 min, < 6 GB" in est["summary"]


def test_estimate_without_large_maps_says_what_it_has():
    est = netherlands_estimate([row("hengelo", 11_000, 0.7, 200)])
    assert "mosaic_map" not in est and "nl_build_s_grid" not in est
    assert "small extracts' rate" in est["summary"]
