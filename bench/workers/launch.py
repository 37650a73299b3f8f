"""Small launcher that runs one command and records its wall time and true peak memory.

Usage: ``python -I -S launch.py RESULT.json -- PROGRAM [ARGS...]``

Why a launcher: on Linux a child's ``ru_maxrss`` is the larger of its own peak and the peak of
the process image it replaced at ``exec``. Python's :mod:`subprocess` starts children with
``vfork``, so a child of the harness (which holds numpy, pandas, pyosmium: ~140 MiB) inherits
that figure and every engine would seem to need at least that much. Started from this small
process (a few MiB, standard library only), the measured peak is the engine's own.

SIGTERM and SIGINT are forwarded to the child (used to stop servers); the launcher then still
reaps it and writes ``{"returncode", "peak_rss_mb", "wall_s", "launcher_rss_mb"}`` to RESULT.json.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time


def _own_peak_mb() -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return float(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def main(argv: list[str]) -> int:
    """Run ``argv[3:]`` (after ``RESULT.json --``), write the measurement, return its exit code."""
    if len(argv) < 4 or argv[2] != "--":
        sys.stderr.write("usage: launch.py RESULT.json -- PROGRAM [ARGS...]\n")
        return 2
    result_path, cmd = argv[1], argv[3:]
    launcher_mb = _own_peak_mb()
    start = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ)

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    result = {
        "returncode": code,
        "peak_rss_mb": usage.ru_maxrss / 1024.0,
        "wall_s": wall,
        "launcher_rss_mb": launcher_mb,
    }
    tmp = result_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    os.replace(tmp, result_path)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
