"""Reference engines for the benchmark: fetch OSRM and Valhalla wheels, make helper venvs, build.

Everything lives under ``bench/.engines/`` (git-ignored)::

    wheels/                       osrm-bindings 26.10.0, pyvalhalla 3.9.1 and 3.2.0 (pip download)
    osrm-bindings-26.10.0/        the OSRM wheel unpacked: osrm/bin/osrm-*, osrm/share/profiles
    pyvalhalla-3.9.1/             the Valhalla wheel unpacked: valhalla/bin/valhalla_build_tiles
    venv-osrm-py312/              Python 3.12 + osrm-bindings, for in-process OSRM queries
    venv-valhalla-py311/          Python 3.11 + pyvalhalla 3.2.0, for the Valhalla Actor
    data/<extract>/osrm/          <extract>.osrm.* (osrm-extract car.lua + osrm-contract)
    data/<extract>/valhalla/      tiles/, build.json (3.9.1 config), query.json (3.2.0 config)
    logs/                         output of every build and worker

The wheels are the only downloads, through pip (``pip download --no-deps --only-binary=:all:``).
The wheel executables carry their libraries (RPATH into the unpacked wheel), so they run from the
unpacked folders without installation.

Command line::

    python bench/engines.py prepare [--extracts hengelo,spijkenisse] [--skip-valhalla]
    python bench/engines.py sizes
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import (
    MeasuredProcessError,
    atomic_write_json,
    directory_size,
    run_measured,
)

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
ENGINES_DIR = BENCH_DIR / ".engines"
SHARED_OSM = PROJECT_ROOT.parent / "shared" / "data" / "osm"
EXTRACTS: tuple[str, ...] = ("hengelo", "spijkenisse", "liechtenstein")

OSRM_VERSION = "26.10.0"
VALHALLA_BUILD_VERSION = "3.9.1"
VALHALLA_QUERY_VERSION = "3.2.0"
VALHALLA_MATRIX_PAIRS = 10_000
"""Matrix limit of the query config (``service_limits.auto``; the default 2,500 < 100x100)."""

BUILD_TIMEOUT_S = 3600.0

Logger = Callable[[str], None]


class EngineSetupError(RuntimeError):
    """A wheel, helper Python or engine build could not be set up."""


@dataclass(frozen=True)
class WheelSpec:
    """A binary wheel to fetch with ``pip download``.

    Attributes
    ----------
    project : str
        Name on the package index.
    version : str
        Exact version.
    python_version : str
        ``--python-version`` given to pip (the wheel's tag decides which Python can load it).
    """

    project: str
    version: str
    python_version: str

    @property
    def file_prefix(self) -> str:
        """Start of the wheel's file name (``osrm_bindings-26.10.0-``)."""
        return f"{self.project.replace('-', '_')}-{self.version}-"


OSRM_WHEEL = WheelSpec("osrm-bindings", OSRM_VERSION, "3.12")
VALHALLA_BUILD_WHEEL = WheelSpec("pyvalhalla", VALHALLA_BUILD_VERSION, "3.12")  # cp312-abi3
VALHALLA_QUERY_WHEEL = WheelSpec("pyvalhalla", VALHALLA_QUERY_VERSION, "3.11")  # cp311


def platform_tag() -> str:
    """Return the manylinux platform tag of the engine wheels for this machine.

    Raises
    ------
    EngineSetupError
        On anything but Linux x86_64/aarch64 (the wheels used here exist only for those).
    """
    machine = platform.machine().lower()
    if sys.platform != "linux" or machine not in {"x86_64", "aarch64"}:
        raise EngineSetupError(
            f"the engine wheels are used on Linux x86_64/aarch64 only, not {sys.platform} {machine}"
        )
    return f"manylinux_2_28_{machine}"


@dataclass(frozen=True)
class EngineHome:
    """Paths under ``bench/.engines`` (see the module docstring).

    Parameters
    ----------
    root : pathlib.Path
        The folder (default ``bench/.engines``).
    """

    root: Path = ENGINES_DIR

    @property
    def wheels(self) -> Path:
        """Downloaded wheels."""
        return self.root / "wheels"

    @property
    def logs(self) -> Path:
        """Logs of builds and workers."""
        return self.root / "logs"

    @property
    def osrm_dir(self) -> Path:
        """The unpacked OSRM wheel."""
        return self.root / f"osrm-bindings-{OSRM_VERSION}"

    @property
    def valhalla_build_dir(self) -> Path:
        """The unpacked pyvalhalla wheel whose executables build the tiles."""
        return self.root / f"pyvalhalla-{VALHALLA_BUILD_VERSION}"

    @property
    def osrm_venv(self) -> Path:
        """Python 3.12 venv with osrm-bindings."""
        return self.root / "venv-osrm-py312"

    @property
    def valhalla_venv(self) -> Path:
        """Python 3.11 venv with pyvalhalla 3.2.0."""
        return self.root / "venv-valhalla-py311"

    def osrm_bin(self, name: str) -> Path:
        """Path of an OSRM executable (``osrm-extract``, ``osrm-routed``, ...)."""
        return self.osrm_dir / "osrm" / "bin" / name

    @property
    def osrm_profile(self) -> Path:
        """OSRM's car profile."""
        return self.osrm_dir / "osrm" / "share" / "profiles" / "car.lua"

    def valhalla_bin(self, name: str) -> Path:
        """Path of a Valhalla executable (``valhalla_build_tiles``, ...)."""
        return self.valhalla_build_dir / "valhalla" / "bin" / name

    def osrm_data(self, extract: str) -> Path:
        """The ``<extract>.osrm`` base path of an extract's OSRM data."""
        return self.root / "data" / extract / "osrm" / f"{extract}.osrm"

    def valhalla_data(self, extract: str) -> Path:
        """Folder with an extract's Valhalla tiles and configs."""
        return self.root / "data" / extract / "valhalla"

    def log(self, name: str) -> Path:
        """Path of a log file."""
        return self.logs / f"{name}.log"


def venv_python(venv: Path) -> Path:
    """Return the interpreter of a venv."""
    return venv / "bin" / "python"


def extract_path(extract: str) -> Path:
    """Return ``../shared/data/osm/<extract>.osm.pbf``.

    Raises
    ------
    EngineSetupError
        If the file is absent.
    """
    path = SHARED_OSM / f"{extract}.osm.pbf"
    if not path.is_file():
        raise EngineSetupError(
            f"extract not found: {path} (check out ../shared beside the project)"
        )
    return path


def sha256_file(path: Path) -> str:
    """Return the SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _quiet(_message: str) -> None:
    return None


# --- wheels and helper Pythons -----------------------------------------------------------------


def fetch_wheel(spec: WheelSpec, wheels_dir: Path, *, log: Logger = _quiet) -> Path:
    """Return the cached wheel for ``spec``, downloading it with pip first if needed.

    Parameters
    ----------
    spec : WheelSpec
        Which wheel.
    wheels_dir : pathlib.Path
        Cache folder.
    log : callable
        Progress messages.

    Returns
    -------
    pathlib.Path
        The ``.whl`` file.

    Raises
    ------
    EngineSetupError
        If pip cannot download it.
    """
    tag = platform_tag()
    wheels_dir.mkdir(parents=True, exist_ok=True)

    def cached() -> Path | None:
        # pip may pick an older manylinux tag than the one asked for: match the architecture only
        for path in sorted(wheels_dir.glob(f"{spec.file_prefix}*linux*.whl")):
            if tag.split("_", 3)[-1] in path.name:
                return path
        return None

    found = cached()
    if found is not None:
        return found
    log(f"downloading {spec.project}=={spec.version} ({tag}, Python {spec.python_version})")
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--python-version",
        spec.python_version,
        "--platform",
        tag,
        "--disable-pip-version-check",
        "-d",
        str(wheels_dir),
        f"{spec.project}=={spec.version}",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    found = cached()
    if done.returncode != 0 or found is None:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise EngineSetupError(f"pip download {spec.project}=={spec.version} failed: {tail}")
    return found


def unpack_wheel(wheel: Path, dest: Path) -> Path:
    """Unpack a wheel into ``dest`` (once), keeping the executables' permission bits.

    The files go to a temporary sibling folder that is renamed at the end, so an interrupted
    unpack never leaves a half-filled ``dest``.

    Parameters
    ----------
    wheel : pathlib.Path
        The ``.whl`` (a zip file).
    dest : pathlib.Path
        Target folder; left alone if it exists.

    Returns
    -------
    pathlib.Path
        ``dest``.
    """
    if dest.is_dir():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        with zipfile.ZipFile(wheel) as archive:
            for info in archive.infolist():
                target = Path(archive.extract(info, tmp))
                mode = (info.external_attr >> 16) & 0o777
                if mode and not info.is_dir():
                    target.chmod(mode)
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def python_version_of(python: Path) -> str | None:
    """Return ``"3.12.1"`` for a working interpreter, or None if it does not run."""
    try:
        done = subprocess.run(
            [str(python), "-c", "import platform; print(platform.python_version())"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def find_python(minor: str) -> Path | None:
    """Find an interpreter of Python ``minor`` (``"3.12"``) on this machine.

    Looks at ``$ZV_BENCH_PYTHON312`` (for 3.12; likewise for other versions), the running
    interpreter, ``python3.12`` on ``PATH`` and pyenv's versions (``$PYENV_ROOT`` or
    ``~/.pyenv``), newest first. Each candidate is run once to check its version.

    Parameters
    ----------
    minor : str
        ``"major.minor"``.

    Returns
    -------
    pathlib.Path or None
        A working interpreter, or None.
    """
    candidates: list[str | None] = [os.environ.get(f"ZV_BENCH_PYTHON{minor.replace('.', '')}")]
    if f"{sys.version_info.major}.{sys.version_info.minor}" == minor:
        candidates.append(sys.executable)
    candidates.append(shutil.which(f"python{minor}"))
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    found = pyenv_root.glob(f"versions/{minor}.*/bin/python{minor}")
    candidates.extend(
        str(p)
        for p in sorted(found, key=lambda p: _version_key(p.parent.parent.name), reverse=True)
    )
    for candidate in candidates:
        if not candidate:
            continue
        version = python_version_of(Path(candidate))
        if version is not None and (version == minor or version.startswith(minor + ".")):
            return Path(candidate)
    return None


def _version_key(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def ensure_venv(python: Path, venv: Path, wheel: Path, *, log: Logger = _quiet) -> Path:
    """Create ``venv`` with ``python`` and install ``wheel`` into it (offline, no dependencies).

    Reused when it already holds this wheel (recorded in ``venv/.zv-wheel``).

    Parameters
    ----------
    python : pathlib.Path
        Base interpreter.
    venv : pathlib.Path
        Folder of the venv.
    wheel : pathlib.Path
        The wheel to install.
    log : callable
        Progress messages.

    Returns
    -------
    pathlib.Path
        The venv's interpreter.

    Raises
    ------
    EngineSetupError
        If the venv or the installation fails.
    """
    marker = venv / ".zv-wheel"
    interpreter = venv_python(venv)
    if (
        marker.is_file()
        and marker.read_text().strip() == wheel.name
        and python_version_of(interpreter) is not None
    ):
        return interpreter
    log(f"creating {venv.name} ({python}) with {wheel.name}")
    steps = [
        [str(python), "-m", "venv", "--clear", str(venv)],
        [
            str(interpreter),
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            "--quiet",
            str(wheel),
        ],
    ]
    for cmd in steps:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise EngineSetupError(f"{' '.join(cmd[:4])} ... failed: {tail}")
    marker.write_text(wheel.name + "\n")
    return interpreter


@dataclass
class Toolchain:
    """What :func:`ensure_toolchain` found or made; a None path comes with its reason.

    Attributes
    ----------
    home : EngineHome
        Paths.
    osrm_ready : bool
        OSRM executables unpacked.
    osrm_python : pathlib.Path or None
        Interpreter of the 3.12 venv with osrm-bindings (None: use osrm-routed over HTTP).
    osrm_python_reason : str or None
        Why there is no in-process OSRM.
    valhalla_build_ready : bool
        ``valhalla_build_tiles`` unpacked.
    valhalla_python : pathlib.Path or None
        Interpreter of the 3.11 venv with pyvalhalla 3.2.0.
    valhalla_reason : str or None
        Why Valhalla is not available.
    wheels : dict
        ``{name: {"file", "sha256", "bytes"}}`` of the wheels used.
    versions : dict
        Versions reported by the tools (``osrm-extract --version``, ...).
    """

    home: EngineHome
    osrm_ready: bool = False
    osrm_python: Path | None = None
    osrm_python_reason: str | None = None
    valhalla_build_ready: bool = False
    valhalla_python: Path | None = None
    valhalla_reason: str | None = None
    wheels: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (paths as strings)."""
        out = asdict(self)
        out["home"] = str(self.home.root)
        for key in ("osrm_python", "valhalla_python"):
            out[key] = str(out[key]) if out[key] else None
        return out


def _wheel_record(path: Path) -> dict[str, Any]:
    return {"file": path.name, "sha256": sha256_file(path), "bytes": path.stat().st_size}


def _tool_version(cmd: Sequence[str]) -> str | None:
    try:
        done = subprocess.run(list(cmd), capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[-1].strip() if lines else None


def ensure_toolchain(
    home: EngineHome | None = None,
    *,
    osrm: bool = True,
    valhalla: bool = True,
    log: Logger = _quiet,
) -> Toolchain:
    """Fetch the wheels (cached), unpack the executables and create the helper venvs.

    Missing pieces do not raise: the toolchain records why (for example no Python 3.12 on this
    machine, so OSRM is queried over HTTP), and the benchmark reports it.

    Parameters
    ----------
    home : EngineHome, optional
        Paths (default ``bench/.engines``).
    osrm, valhalla : bool
        Which engines to set up.
    log : callable
        Progress messages.

    Returns
    -------
    Toolchain
        Paths, versions and reasons.
    """
    home = home or EngineHome()
    tools = Toolchain(home=home)
    if osrm:
        try:
            wheel = fetch_wheel(OSRM_WHEEL, home.wheels, log=log)
            tools.wheels["osrm-bindings"] = _wheel_record(wheel)
            unpack_wheel(wheel, home.osrm_dir)
            tools.osrm_ready = True
            version = _tool_version([str(home.osrm_bin("osrm-extract")), "--version"])
            tools.versions["osrm"] = version or "unknown"
            python = find_python("3.12")
            if python is None:
                tools.osrm_python_reason = (
                    "no Python 3.12 found (set ZV_BENCH_PYTHON312): OSRM runs as osrm-routed "
                    "over HTTP on 127.0.0.1"
                )
            else:
                tools.osrm_python = ensure_venv(python, home.osrm_venv, wheel, log=log)
                tools.versions["osrm_python"] = python_version_of(tools.osrm_python) or "?"
        except EngineSetupError as exc:
            tools.osrm_python_reason = str(exc)
    if valhalla:
        try:
            wheel = fetch_wheel(VALHALLA_BUILD_WHEEL, home.wheels, log=log)
            tools.wheels["pyvalhalla-build"] = _wheel_record(wheel)
            unpack_wheel(wheel, home.valhalla_build_dir)
            tools.valhalla_build_ready = True
            version = _tool_version([str(home.valhalla_bin("valhalla_build_tiles")), "--version"])
            tools.versions["valhalla_build_tiles"] = version or "unknown"
            query_wheel = fetch_wheel(VALHALLA_QUERY_WHEEL, home.wheels, log=log)
            tools.wheels["pyvalhalla-query"] = _wheel_record(query_wheel)
            python = find_python("3.11")
            if python is None:
                tools.valhalla_reason = "no Python 3.11 found (set ZV_BENCH_PYTHON311)"
            else:
                venv_py = ensure_venv(python, home.valhalla_venv, query_wheel, log=log)
                tools.valhalla_python = venv_py
                tools.versions["valhalla_python"] = python_version_of(venv_py) or "?"
        except EngineSetupError as exc:
            tools.valhalla_reason = str(exc)
    return tools


# --- builds -----------------------------------------------------------------------------------


@dataclass
class BuildResult:
    """Wall time and peak memory of an engine's build of one extract.

    Attributes
    ----------
    engine : str
        ``"osrm"`` or ``"valhalla"``.
    extract : str
        Extract name.
    ok : bool
        Whether every step succeeded.
    steps : list of dict
        ``{"step", "wall_s", "peak_rss_mb"}`` per program run.
    wall_s : float or None
        Sum of the steps' wall times.
    peak_rss_mb : float or None
        Largest peak RSS of the steps (they run one after the other).
    output_mb : float or None
        Size of the built data.
    error : str or None
        What failed.
    pbf_sha256 : str
        Checksum of the extract the data was built from.
    """

    engine: str
    extract: str
    ok: bool = False
    steps: list[dict[str, Any]] = field(default_factory=list)
    wall_s: float | None = None
    peak_rss_mb: float | None = None
    output_mb: float | None = None
    error: str | None = None
    pbf_sha256: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)

    def _finish(self, output: Path) -> BuildResult:
        self.ok = self.error is None
        if self.steps:
            self.wall_s = sum(s["wall_s"] for s in self.steps)
            self.peak_rss_mb = max(s["peak_rss_mb"] for s in self.steps)
        self.output_mb = directory_size(output) / 2**20
        return self


def _measured_step(
    result: BuildResult, step: str, cmd: Sequence[str | Path], **kwargs: Any
) -> bool:
    try:
        measured = run_measured(cmd, timeout=BUILD_TIMEOUT_S, **kwargs)
    except (MeasuredProcessError, OSError) as exc:
        result.error = f"{step}: {exc}"
        return False
    result.steps.append(
        {"step": step, "wall_s": measured.wall_s, "peak_rss_mb": measured.peak_rss_mb}
    )
    return True


def _stamp_path(folder: Path) -> Path:
    return folder / "build-stamp.json"


def build_is_current(folder: Path, pbf: Path) -> bool:
    """Whether ``folder`` holds a successful build of exactly this extract (by SHA-256)."""
    stamp = _stamp_path(folder)
    if not stamp.is_file():
        return False
    try:
        recorded = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return False
    return bool(recorded.get("ok")) and recorded.get("pbf_sha256") == sha256_file(pbf)


def build_osrm(extract: str, tools: Toolchain, pbf: Path | None = None) -> BuildResult:
    """Build OSRM CH data for an extract: ``osrm-extract -p car.lua`` then ``osrm-contract``.

    Old files of the extract are deleted first, so a failed build never leaves stale data. Each
    step is timed and its peak memory measured separately.

    Parameters
    ----------
    extract : str
        Extract name (``hengelo``).
    tools : Toolchain
        From :func:`ensure_toolchain` (OSRM unpacked).
    pbf : pathlib.Path, optional
        The extract file (default ``../shared/data/osm/<extract>.osm.pbf``).

    Returns
    -------
    BuildResult
        Times, memory, output size; ``ok`` False with ``error`` on failure.
    """
    home = tools.home
    pbf = pbf or extract_path(extract)
    result = BuildResult("osrm", extract, pbf_sha256=sha256_file(pbf))
    base = home.osrm_data(extract)
    folder = base.parent
    if not tools.osrm_ready:
        result.error = "OSRM executables are not available"
        return result
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    source = folder / f"{extract}.osm.pbf"
    source.symlink_to(pbf.resolve())
    log = home.log(f"build-osrm-{extract}")
    log.unlink(missing_ok=True)
    profile = home.osrm_profile
    if _measured_step(
        result, "osrm-extract", [home.osrm_bin("osrm-extract"), "-p", profile, source], log=log
    ):
        _measured_step(result, "osrm-contract", [home.osrm_bin("osrm-contract"), base], log=log)
    result._finish(folder)
    atomic_write_json(_stamp_path(folder), result.to_dict())
    return result


def _valhalla_build_config(tools: Toolchain, folder: Path) -> Path:
    """Write Valhalla 3.9.1's default config (tile_dir set; no admin/timezone/landmark data)."""
    script = tools.home.valhalla_build_dir / "valhalla" / "valhalla_build_config.py"
    config = folder / "build.json"
    cmd = [
        sys.executable,
        str(script),
        "--mjolnir-tile-dir",
        str(folder / "tiles"),
        "--mjolnir-tile-extract",
        str(folder / "tiles.tar"),
        "--mjolnir-admin",
        "",
        "--mjolnir-timezone",
        "",
        "--mjolnir-landmarks",
        "",
        "-o",
        str(config),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise EngineSetupError(f"valhalla_build_config failed: {done.stderr.strip()[-300:]}")
    return config


def valhalla_query_config(tools: Toolchain, extract: str) -> Path:
    """Write the Actor's config: pyvalhalla 3.2.0's own defaults, pointed at the 3.9.1 tiles.

    Each Valhalla version gets a config made by its own ``valhalla_build_config``: the key sets of
    3.2.0 and 3.9.1 differ. Logging is switched off (it would cost query time), and the ``auto``
    matrix limit is raised to :data:`VALHALLA_MATRIX_PAIRS` so that 100x100 fits.

    Parameters
    ----------
    tools : Toolchain
        With ``valhalla_python`` set.
    extract : str
        Extract name.

    Returns
    -------
    pathlib.Path
        ``data/<extract>/valhalla/query.json``.

    Raises
    ------
    EngineSetupError
        If there is no Valhalla venv or the config cannot be made.
    """
    if tools.valhalla_python is None:
        raise EngineSetupError(tools.valhalla_reason or "no Valhalla venv")
    folder = tools.home.valhalla_data(extract)
    cmd = [
        str(tools.valhalla_python),
        "-m",
        "valhalla.valhalla_build_config",
        "--mjolnir-tile-dir",
        str(folder / "tiles"),
        "--mjolnir-tile-extract",
        str(folder / "tiles.tar"),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise EngineSetupError(f"valhalla_build_config (3.2.0) failed: {done.stderr[-300:]}")
    config = json.loads(done.stdout)
    _silence_logging(config)
    limits = config["service_limits"]["auto"]
    limits["max_matrix_location_pairs"] = max(
        VALHALLA_MATRIX_PAIRS, int(limits.get("max_matrix_location_pairs", 0))
    )
    return atomic_write_json(folder / "query.json", config)


def _silence_logging(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "logging" and isinstance(value, dict):
                value["type"] = ""
            else:
                _silence_logging(value)


def build_valhalla(extract: str, tools: Toolchain, pbf: Path | None = None) -> BuildResult:
    """Build Valhalla tiles for an extract with ``valhalla_build_tiles`` (3.9.1).

    The configuration is 3.9.1's default (``valhalla_build_config``) with the tile folder set and
    no admin, time-zone or landmark databases, as for ``../shared/data/reference/trips.csv``.
    The tile folder is emptied first. Only ``valhalla_build_tiles`` is timed.

    Parameters
    ----------
    extract : str
        Extract name.
    tools : Toolchain
        From :func:`ensure_toolchain`.
    pbf : pathlib.Path, optional
        The extract file.

    Returns
    -------
    BuildResult
        Times, memory, output size.
    """
    home = tools.home
    pbf = pbf or extract_path(extract)
    result = BuildResult("valhalla", extract, pbf_sha256=sha256_file(pbf))
    folder = home.valhalla_data(extract)
    if not tools.valhalla_build_ready:
        result.error = tools.valhalla_reason or "valhalla_build_tiles is not available"
        return result
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "tiles").mkdir(parents=True)
    log = home.log(f"build-valhalla-{extract}")
    log.unlink(missing_ok=True)
    try:
        config = _valhalla_build_config(tools, folder)
    except EngineSetupError as exc:
        result.error = str(exc)
        return result._finish(folder / "tiles")
    _measured_step(
        result,
        "valhalla_build_tiles",
        [home.valhalla_bin("valhalla_build_tiles"), "-c", config, pbf],
        cwd=folder,
        log=log,
    )
    if result.error is None and tools.valhalla_python is not None:
        try:
            valhalla_query_config(tools, extract)
        except EngineSetupError as exc:
            result.error = str(exc)
    result._finish(folder / "tiles")
    atomic_write_json(_stamp_path(folder), result.to_dict())
    return result


def disk_usage(home: EngineHome | None = None) -> dict[str, int]:
    """Return bytes used under ``bench/.engines``, per top-level entry and in total."""
    home = home or EngineHome()
    sizes: dict[str, int] = {}
    if home.root.is_dir():
        for entry in sorted(home.root.iterdir()):
            sizes[entry.name] = directory_size(entry)
    sizes["total"] = sum(sizes.values())
    return sizes


# --- command line -----------------------------------------------------------------------------


def _parse_extracts(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give at least one extract name")
    return names


def prepare(
    extracts: Iterable[str],
    *,
    osrm: bool = True,
    valhalla: bool = True,
    home: EngineHome | None = None,
    log: Logger = _quiet,
) -> dict[str, Any]:
    """Set up the toolchain and build every engine's data for the extracts.

    Parameters
    ----------
    extracts : iterable of str
        Extract names.
    osrm, valhalla : bool
        Which engines.
    home : EngineHome, optional
        Paths.
    log : callable
        Progress messages.

    Returns
    -------
    dict
        ``{"toolchain": ..., "builds": [...], "disk": ...}``.
    """
    tools = ensure_toolchain(home, osrm=osrm, valhalla=valhalla, log=log)
    builds: list[BuildResult] = []
    for extract in extracts:
        if osrm:
            log(f"building OSRM data for {extract}")
            builds.append(build_osrm(extract, tools))
        if valhalla:
            log(f"building Valhalla tiles for {extract}")
            builds.append(build_valhalla(extract, tools))
    return {
        "toolchain": tools.to_dict(),
        "builds": [b.to_dict() for b in builds],
        "disk": disk_usage(tools.home),
    }


def _print_prepare(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    tools = report["toolchain"]
    console.print(f"OSRM in-process Python: {tools['osrm_python'] or tools['osrm_python_reason']}")
    console.print(f"Valhalla Actor Python: {tools['valhalla_python'] or tools['valhalla_reason']}")
    console.print(f"versions: {tools['versions']}")
    table = Table(title="Engine builds")
    for column in ("engine", "extract", "ok", "steps", "wall s", "peak MiB", "data MiB"):
        table.add_column(column)
    for build in report["builds"]:
        steps = ", ".join(f"{s['step']} {s['wall_s']:.2f}s" for s in build["steps"])
        table.add_row(
            build["engine"],
            build["extract"],
            "yes" if build["ok"] else f"no: {build['error']}",
            steps,
            f"{build['wall_s']:.2f}" if build["wall_s"] is not None else "-",
            f"{build['peak_rss_mb']:.0f}" if build["peak_rss_mb"] is not None else "-",
            f"{build['output_mb']:.1f}" if build["output_mb"] is not None else "-",
        )
    console.print(table)
    _print_disk(report["disk"], console)


def _print_disk(sizes: dict[str, int], console: Any) -> None:
    from rich.table import Table

    table = Table(title=f"Disk use of {ENGINES_DIR.relative_to(PROJECT_ROOT)}")
    table.add_column("entry")
    table.add_column("MiB", justify="right")
    for name, size in sizes.items():
        table.add_row(name, f"{size / 2**20:.1f}")
    console.print(table)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``prepare`` (fetch, venvs, build) and ``sizes`` (disk use)."""
    parser = argparse.ArgumentParser(prog="bench/engines.py", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    prep = commands.add_parser("prepare", help="fetch wheels, make venvs, build engine data")
    prep.add_argument("--extracts", type=_parse_extracts, default=list(EXTRACTS))
    prep.add_argument("--skip-osrm", action="store_true")
    prep.add_argument("--skip-valhalla", action="store_true")
    commands.add_parser("sizes", help="disk use of bench/.engines")
    args = parser.parse_args(argv)
    if args.command == "sizes":
        from rich.console import Console

        _print_disk(disk_usage(), Console())
        return 0
    report = prepare(
        args.extracts,
        osrm=not args.skip_osrm,
        valhalla=not args.skip_valhalla,
        log=lambda message: print(message, file=sys.stderr),
    )
    _print_prepare(report)
    return 0 if all(b["ok"] for b in report["builds"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
