"""Measure child processes (wall time, peak memory), summarise latencies, write results atomically.

Peak memory is the peak resident set size (``ru_maxrss``) that the kernel reports for a child when
it is reaped with :func:`os.wait4`. Children are started through a small launcher
(``workers/launch.py``) so that the figure is the child's own and not the harness's (see there).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import signal
import stat
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

LAUNCHER = Path(__file__).resolve().parent / "workers" / "launch.py"


class MeasuredProcessError(RuntimeError):
    """A measured child process exited with an error or was killed after its timeout."""


@dataclass(frozen=True)
class Measured:
    """Wall time and peak memory of one finished child process.

    Attributes
    ----------
    wall_s : float
        Seconds from start to exit.
    peak_rss_mb : float or None
        Peak resident set size in MiB (``ru_maxrss``), None if it could not be read.
    returncode : int
        Exit code; negative for a signal (as :mod:`subprocess` reports it).
    timed_out : bool
        Whether the process was killed because it ran past its timeout.
    floor_mb : float or None
        Peak RSS of the launcher: a child's figure is never below it (see ``launch.py``).
    """

    wall_s: float
    peak_rss_mb: float | None
    returncode: int
    timed_out: bool = False
    floor_mb: float | None = None

    @property
    def ok(self) -> bool:
        """Whether the process exited with code 0 in time."""
        return self.returncode == 0 and not self.timed_out

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)


class MeasuredProcess:
    """A command started through ``bench/workers/launch.py``, which measures it.

    The launcher is a small Python process, so the command's peak RSS is its own and not
    inflated by the harness's memory (see ``launch.py``). The launcher runs in its own session:
    on a timeout the whole process group is killed.

    Parameters
    ----------
    cmd : sequence of str or path
        The program and its arguments (no shell).
    cwd : path, optional
        Working directory.
    env : mapping, optional
        Environment (default: inherit).
    log : path, optional
        File for stdout and stderr (appended); default discarded.
    """

    def __init__(
        self,
        cmd: Sequence[str | os.PathLike[str]],
        *,
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        log: str | os.PathLike[str] | None = None,
    ) -> None:
        self.args = [os.fspath(c) for c in cmd]
        self._tmp = tempfile.mkdtemp(prefix="zv-measure-")
        self._result = Path(self._tmp) / "result.json"
        self._started = time.perf_counter()
        with _log_file(log) as out:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-S", str(LAUNCHER), str(self._result), "--", *self.args],
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )

    def running(self) -> bool:
        """Whether the command has not exited yet."""
        return self.process.poll() is None

    def wait(self, timeout: float | None = None) -> Measured:
        """Wait for the command (killing it after ``timeout`` s) and return its measurement."""
        timed_out = False
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            self.kill()
        except BaseException:
            self.kill()
            raise
        return self._measured(timed_out)

    def stop(self, grace: float = 10.0) -> Measured:
        """Ask the command to stop (SIGTERM), kill it after ``grace`` s; return the measurement."""
        if self.running():
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
        return self.wait(grace)

    def kill(self) -> None:
        """Kill the launcher and the command (the launcher's whole process group)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def _measured(self, timed_out: bool) -> Measured:
        try:
            found = json.loads(self._result.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            found = None
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)
        if found is None:  # the launcher itself was killed
            wall = time.perf_counter() - self._started
            code = self.process.returncode if self.process.returncode is not None else -9
            return Measured(wall, None, code, timed_out)
        return Measured(
            wall_s=found["wall_s"],
            peak_rss_mb=found["peak_rss_mb"],
            returncode=found["returncode"],
            timed_out=timed_out,
            floor_mb=found.get("launcher_rss_mb"),
        )


def run_measured(
    cmd: Sequence[str | os.PathLike[str]],
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    log: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
    check: bool = True,
) -> Measured:
    """Run a command to completion and measure its wall time and peak memory.

    Parameters
    ----------
    cmd : sequence of str or path
        The program and its arguments (no shell).
    cwd : path, optional
        Working directory of the child.
    env : mapping, optional
        Environment of the child (default: inherit).
    log : path, optional
        File that receives the child's stdout and stderr (appended). Default: discarded.
    timeout : float, optional
        Kill the child after this many seconds.
    check : bool
        Raise :class:`MeasuredProcessError` when the child fails or times out (default).

    Returns
    -------
    Measured
        Wall time, peak RSS and exit code.

    Raises
    ------
    MeasuredProcessError
        If ``check`` and the child exits non-zero or times out.
    """
    measured = MeasuredProcess(cmd, cwd=cwd, env=env, log=log).wait(timeout)
    if check and not measured.ok:
        where = f"; see {log}" if log else ""
        what = (
            f"timed out after {timeout} s"
            if measured.timed_out
            else f"exited with {measured.returncode}"
        )
        raise MeasuredProcessError(f"{Path(os.fspath(cmd[0])).name} {what}{where}")
    return measured


@contextlib.contextmanager
def _log_file(log: str | os.PathLike[str] | None) -> Iterator[IO[bytes] | int]:
    if log is None:
        yield subprocess.DEVNULL
        return
    Path(log).parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as handle:
        yield handle


@dataclass(frozen=True)
class LatencySummary:
    """Summary of per-query latencies in milliseconds.

    Attributes
    ----------
    n : int
        Number of timed queries (failed queries included: they cost time too).
    median_ms, p95_ms, mean_ms, min_ms, max_ms : float
        Statistics of the latencies. ``p95`` uses linear interpolation (numpy's default).
    """

    n: int
    median_ms: float
    p95_ms: float
    mean_ms: float
    min_ms: float
    max_ms: float

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)


def summarize_latencies(latencies_s: Sequence[float]) -> LatencySummary | None:
    """Summarise latencies given in seconds; ``None`` when there are none.

    Parameters
    ----------
    latencies_s : sequence of float
        One latency per query, in seconds.

    Returns
    -------
    LatencySummary or None
        Median, p95, mean, min and max in milliseconds.
    """
    values = np.asarray([v for v in latencies_s if v is not None], dtype=float)
    if values.size == 0:
        return None
    ms = values * 1000.0
    return LatencySummary(
        n=int(ms.size),
        median_ms=float(np.median(ms)),
        p95_ms=float(np.percentile(ms, 95)),
        mean_ms=float(ms.mean()),
        min_ms=float(ms.min()),
        max_ms=float(ms.max()),
    )


def median_or_none(values: Sequence[float | None]) -> float | None:
    """Return the median of the non-missing values, or ``None`` if there are none."""
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` atomically (temp file in the same folder + :func:`os.replace`).

    Parameters
    ----------
    path : path
        Destination; its folder is created if needed.
    text : str
        Content, written as UTF-8.

    Returns
    -------
    pathlib.Path
        The destination path.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return target


def atomic_write_json(path: str | os.PathLike[str], data: Any) -> Path:
    """Write ``data`` as indented JSON to ``path`` atomically; see :func:`atomic_write_text`."""
    return atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def directory_size(path: str | os.PathLike[str]) -> int:
    """Return the total size in bytes of the regular files under ``path`` (symlinks not followed).

    Parameters
    ----------
    path : path
        A folder (or file). A missing path has size 0.

    Returns
    -------
    int
        Bytes on disk as ``st_size`` sums (hard links counted once).
    """
    root = Path(path)
    if not root.exists():
        return 0
    if root.is_file():
        return root.stat().st_size
    seen: set[tuple[int, int]] = set()
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            st = os.lstat(os.path.join(dirpath, name))
            key = (st.st_dev, st.st_ino)
            if not stat.S_ISREG(st.st_mode) or key in seen:
                continue
            seen.add(key)
            total += st.st_size
    return total


def machine_info() -> dict[str, Any]:
    """Describe this machine for the results file: CPU, cores, RAM, OS, Python, date.

    Returns
    -------
    dict
        ``cpu_model``, ``cores``, ``ram_gb``, ``os``, ``python``, ``date`` (UTC, ISO 8601).
    """
    cpu_model = platform.processor() or platform.machine()
    ram_gb: float | None = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    return {
        "cpu_model": cpu_model,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
