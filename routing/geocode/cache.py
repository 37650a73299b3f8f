"""Caches for online geocoders: in memory (LRU) by default, optionally on disk.

Why: an online service should not be asked the same address twice (Nominatim's usage policy
requires caching, and every request sends personal data out), and batch files repeat addresses.

The in-memory cache holds the full :class:`~routing.results.Location` for the life of the process.

The on-disk cache (opt-in) is a SQLite file. Its keys are not the address text but an HMAC-SHA-256
of the normalised query (``"7555 DL 141"`` and ``"7555dl  141"`` share one key) under a random
32-byte secret kept beside the database (``<name>.key``, readable by the owner only). So the file
holds no address text, and its keys cannot be checked against a list of addresses without the
secret. What it does hold in clear: latitude, longitude, precision, source and the date stored. A
point can still locate a home, so treat the cache folder as personal data: keep it on the machine
that does the work, and delete it (:meth:`DiskCache.clear` or remove the files) when done. Labels
are never written to disk (they repeat the address); a result read back from disk has
``label=None``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import os
import secrets
import sqlite3
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from routing.geocode.base import GeocodeDataError
from routing.results import Location, Precision

_SECRET_BYTES = 32


class MemoryCache:
    """A thread-safe least-recently-used cache of locations.

    Parameters
    ----------
    maxsize : int
        Number of entries kept; the least recently used entry goes first.
    """

    def __init__(self, maxsize: int = 1024) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._data: OrderedDict[str, Location] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Location | None:
        """Return the cached location for ``key``, or ``None``."""
        with self._lock:
            location = self._data.get(key)
            if location is not None:
                self._data.move_to_end(key)
            return location

    def put(self, key: str, location: Location) -> None:
        """Store ``location`` under ``key``."""
        with self._lock:
            self._data[key] = location
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


def _default_path() -> Path:
    from routing import settings

    return Path(settings.cache_dir) / "geocode" / "geocode-cache.sqlite"


def _read_or_create_secret(path: Path) -> bytes:
    """Return the secret stored at ``path``, creating it atomically (mode 0600) when absent."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
        try:
            os.chmod(temp, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(_SECRET_BYTES))
            try:
                os.link(temp, path)  # fails if another process created it meanwhile
            except FileExistsError:
                pass
            except OSError:  # no hard links on this file system
                if not path.exists():
                    os.replace(temp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
    secret = path.read_bytes()
    if len(secret) != _SECRET_BYTES:
        raise GeocodeDataError(
            f"The geocode cache key file {path.name!r} is damaged; delete the cache folder.",
            field="cache",
        )
    return secret


class DiskCache:
    """A SQLite cache of locations keyed by an HMAC-SHA-256 of the normalised query.

    Parameters
    ----------
    path : str or os.PathLike, optional
        The database file. Default: ``<settings.cache_dir>/geocode/geocode-cache.sqlite``.
    secret : bytes, optional
        The HMAC key. Default: read from (or created in) ``<path>.key``.
    max_age_days : float, optional
        Entries older than this are ignored (addresses and their points change slowly; ``None``
        keeps entries until cleared).
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        secret: bytes | None = None,
        max_age_days: float | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else _default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(self.path.parent, 0o700)
        self._secret = (
            secret if secret is not None else _read_or_create_secret(self.path.with_suffix(".key"))
        )
        self.max_age_days = max_age_days
        if not self.path.exists():
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            with self._db:
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS geocode (key TEXT PRIMARY KEY, lat REAL NOT NULL, "
                    "lon REAL NOT NULL, precision TEXT NOT NULL, source TEXT NOT NULL, "
                    "stored TEXT NOT NULL)"
                )
        except sqlite3.DatabaseError as exc:
            raise GeocodeDataError(
                f"The geocode cache {self.path.name!r} cannot be opened ({type(exc).__name__}); "
                "delete it.",
                field="cache",
            ) from None

    def digest(self, key: str) -> str:
        """Return the hex HMAC-SHA-256 under which ``key`` is stored."""
        return hmac.new(self._secret, key.encode("utf-8"), hashlib.sha256).hexdigest()

    def get(self, key: str) -> Location | None:
        """Return the stored location for ``key`` (with ``label=None``), or ``None``."""
        with self._lock:
            row = self._db.execute(
                "SELECT lat, lon, precision, source, stored FROM geocode WHERE key = ?",
                (self.digest(key),),
            ).fetchone()
        if row is None:
            return None
        lat, lon, precision, source, stored = row
        if self.max_age_days is not None:
            age = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(stored)
            if age > dt.timedelta(days=self.max_age_days):
                return None
        try:
            return Location(lat=lat, lon=lon, precision=Precision(precision), source=source)
        except ValueError:
            return None

    def put(self, key: str, location: Location) -> None:
        """Store ``location`` (without its label) under the digest of ``key``."""
        stored = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO geocode VALUES (?, ?, ?, ?, ?, ?)",
                (
                    self.digest(key),
                    location.lat,
                    location.lon,
                    str(location.precision),
                    location.source,
                    stored,
                ),
            )

    def clear(self) -> None:
        """Delete every entry."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM geocode")

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM geocode").fetchone()[0])


class GeocodeCache:
    """The cache an online geocoder uses: memory first, then (optionally) disk.

    Parameters
    ----------
    maxsize : int
        Entries kept in memory.
    disk : DiskCache, str, os.PathLike or bool, optional
        ``True`` for a :class:`DiskCache` in the default place, a path for one there, or a
        ready :class:`DiskCache`. ``None``/``False``: memory only (the default).
    """

    def __init__(
        self, maxsize: int = 1024, disk: DiskCache | str | os.PathLike[str] | bool | None = None
    ) -> None:
        self.memory = MemoryCache(maxsize)
        if disk is True:
            self.disk: DiskCache | None = DiskCache()
        elif disk is None or disk is False:
            self.disk = None
        elif isinstance(disk, DiskCache):
            self.disk = disk
        else:
            self.disk = DiskCache(disk)

    def get(self, key: str) -> Location | None:
        """Return the location for ``key`` from memory, else from disk, else ``None``."""
        location = self.memory.get(key)
        if location is None and self.disk is not None:
            location = self.disk.get(key)
            if location is not None:
                self.memory.put(key, location)
        return location

    def put(self, key: str, location: Location) -> None:
        """Store ``location`` in memory and, when configured, on disk."""
        self.memory.put(key, location)
        if self.disk is not None:
            self.disk.put(key, location)
