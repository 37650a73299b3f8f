from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from bench.measure import (
    MeasuredProcess,
    MeasuredProcessError,
    atomic_write_json,
    atomic_write_text,
    directory_size,
    machine_info,
    median_or_none,
    run_measured,
    summarize_latencies,
)
from bench.workers._common import rss_mb

PY = sys.executable


def test_peak_memory_is_the_childs_own_not_the_harness() -> None:
    ballast = np.ones(40 * 2**20, dtype=np.uint8)  # make this process clearly bigger than a child
    harness = rss_mb()
    assert harness is not None and harness > 60
    small = run_measured(["/bin/true"])
    assert small.ok
    assert small.peak_rss_mb is not None
    assert small.peak_rss_mb < 30 < harness
    del ballast


def test_peak_memory_sees_a_big_allocation() -> None:
    code = "b = bytearray(150 * 2**20); b[::4096] = b'x' * len(b[::4096])"
    measured = run_measured([PY, "-c", code])
    assert measured.ok
    assert measured.peak_rss_mb is not None
    assert 150 <= measured.peak_rss_mb < 260
    assert measured.floor_mb is not None and measured.floor_mb < 30


def test_failure_and_exit_codes(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "child.log"
    with pytest.raises(MeasuredProcessError, match="exited with 3"):
        run_measured([PY, "-c", "import sys; print('hello'); sys.exit(3)"], log=log)
    assert "hello" in log.read_text()
    measured = run_measured([PY, "-c", "import sys; sys.exit(3)"], check=False)
    assert measured.returncode == 3 and not measured.ok


def test_timeout_kills_the_child(tmp_path: Path) -> None:
    marker = tmp_path / "still-running"
    code = f"import time, pathlib; time.sleep(20); pathlib.Path({str(marker)!r}).touch()"
    measured = run_measured([PY, "-c", code], timeout=0.5, check=False)
    assert measured.timed_out
    assert not measured.ok
    with pytest.raises(MeasuredProcessError, match="timed out"):
        run_measured([PY, "-c", code], timeout=0.5)
    assert not marker.exists()


def test_stop_forwards_sigterm_to_the_command(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    stopped = tmp_path / "stopped"
    code = (
        "import pathlib, signal, sys, time\n"
        f"def bye(*_):\n    pathlib.Path({str(stopped)!r}).touch(); sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, bye)\n"
        f"pathlib.Path({str(ready)!r}).touch()\n"
        "time.sleep(30)\n"
    )
    process = MeasuredProcess([PY, "-c", code])
    for _ in range(200):
        if ready.exists():
            break
        time.sleep(0.05)
    assert process.running()
    measured = process.stop(grace=10)
    assert stopped.exists()
    assert measured.returncode == 0
    assert measured.peak_rss_mb is not None and measured.peak_rss_mb > 0
    assert not process.running()


def test_cwd_and_env_reach_the_child(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    code = f"import os; open({str(out)!r}, 'w').write(os.getcwd() + '|' + os.environ['ZV_X'])"
    run_measured([PY, "-c", code], cwd=tmp_path, env={**os.environ, "ZV_X": "42"})
    assert out.read_text() == f"{tmp_path}|42"


def test_summarize_latencies() -> None:
    values = [0.001 * i for i in range(1, 101)]  # 1..100 ms
    summary = summarize_latencies(values)
    assert summary is not None
    assert summary.n == 100
    assert summary.median_ms == pytest.approx(50.5)
    assert summary.p95_ms == pytest.approx(np.percentile(np.arange(1, 101), 95))
    assert summary.min_ms == pytest.approx(1) and summary.max_ms == pytest.approx(100)
    assert summarize_latencies([]) is None
    assert median_or_none([None, 3.0, 1.0]) == 2.0
    assert median_or_none([None]) is None


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "speed.json"
    atomic_write_json(target, {"a": [1, 2], "b": "é"})
    assert json.loads(target.read_text(encoding="utf-8")) == {"a": [1, 2], "b": "é"}
    atomic_write_text(target, "replaced\n")
    assert target.read_text() == "replaced\n"
    assert [p.name for p in target.parent.iterdir()] == ["speed.json"]


def test_atomic_write_keeps_the_old_file_when_serialisation_fails(tmp_path: Path) -> None:
    target = tmp_path / "speed.json"
    atomic_write_json(target, {"ok": True})
    with pytest.raises(TypeError):
        atomic_write_json(target, {"bad": object()})
    assert json.loads(target.read_text()) == {"ok": True}
    assert len(list(tmp_path.iterdir())) == 1


def test_directory_size_counts_regular_files_once(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"x" * 1000)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_bytes(b"y" * 24)
    os.link(tmp_path / "a", tmp_path / "sub" / "hardlink")
    (tmp_path / "link").symlink_to(tmp_path / "a")
    assert directory_size(tmp_path) == 1024
    assert directory_size(tmp_path / "a") == 1000
    assert directory_size(tmp_path / "missing") == 0


def test_machine_info_fields() -> None:
    info = machine_info()
    assert info["cores"] == os.cpu_count()
    assert info["python"] == sys.version.split()[0]
    assert info["date"].endswith("+00:00")
    assert set(info) >= {"cpu_model", "ram_gb", "os"}
