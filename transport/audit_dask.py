"""The transport-declaration audit on Dask: partitions in parallel, one router per worker.

::

    import dask.dataframe as dd
    from distributed import Client, LocalCluster
    from transport.audit_dask import RouterPlugin, audit_dask

    client = Client(LocalCluster(n_workers=2, processes=True))
    client.register_plugin(RouterPlugin("hengelo.osm.pbf"))          # optional: load up front
    result = audit_dask(dd.read_parquet("declarations/"), "hengelo.osm.pbf", today="2026-01-15")
    result.rows        # a Dask DataFrame (persisted), equal to audit(...).rows
    result.summary     # the same summary as audit(...)

How it splits the work
----------------------
1. Row numbers: the partitions' lengths give each partition its first row number.
2. The global pass (duplicates across partitions, trip ids, ride numbers under authorisations)
   runs on the key columns only (:func:`transport.audit.key_frame`, computed per partition in
   parallel and gathered), exactly as in the single-process run. The key table (a few short
   strings per row) must fit in the client's memory: about 100 bytes a row.
3. Each partition is audited by :func:`transport.audit.audit_chunk` on a worker, with that
   partition's slice of the facts. The router is not shipped with the tasks: each worker
   process loads the map once (:func:`cached_router`, keyed by the map file's path, size and
   modification time, and the geocoder's settings) from its compiled copy, and keeps one trip
   cache across the partitions it audits. :class:`RouterPlugin` loads it when the worker starts.
   The engine serialises its queries, so threads of one worker share the router; routing holds
   the GIL anyway: prefer more worker processes to more threads.
4. The summary is merged from per-partition counts with exact (integer, decimal) sums.

Trip results depend only on the trip's key, so the rows equal the single-process rows exactly.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from transport.audit import (
    AUDIT_COLUMNS,
    KEY_COLUMNS,
    AuditContext,
    AuditOptions,
    AuditResult,
    audit_chunk,
    finish_summary,
    global_facts,
    key_frame,
    make_options,
    merge_summaries,
    partial_summary,
)
from transport.audit_trips import TripCache, trip_geometry_frame

# One router and one trip cache per process (per Dask worker), whatever its number of threads:
# the engine serialises its queries with a lock.
_LOCK = threading.RLock()
_ROUTERS: dict[tuple[Any, ...], Any] = {}
_TRIPS: dict[tuple[Any, ...], TripCache] = {}
_LOADS: list[str] = []


def _router_key(map_path: str | Path, geocoder: Mapping[str, Any] | None) -> tuple[Any, ...]:
    path = Path(map_path).resolve()
    st = path.stat()
    spec = json.dumps(dict(geocoder or {}), sort_keys=True, default=str)
    return (str(path), st.st_size, st.st_mtime_ns, spec)


def cached_router(map_path: str | Path, geocoder: Mapping[str, Any] | None = None) -> Any:
    """Return this process's router for a map, loading it on first use.

    Parameters
    ----------
    map_path : path
        The map file (its compiled copy is reused, see :mod:`routing.store`).
    geocoder : mapping, optional
        Keyword arguments of :func:`routing.geocode.build_geocoder` (paths of the address
        table, PC4 file, hospitals file); ``None`` for coordinates only.
    """
    from routing.router import Router

    key = _router_key(map_path, geocoder)
    with _LOCK:
        router = _ROUTERS.get(key)
        if router is None:
            geo = None
            if geocoder:
                from routing.geocode import build_geocoder

                geo = build_geocoder(**geocoder)
            router = _ROUTERS[key] = Router.from_file(key[0], geocoder=geo)
            _LOADS.append(Path(key[0]).name)
        return router


def cached_trips(
    map_path: str | Path, geocoder: Mapping[str, Any] | None, keep_geometry: bool = False
) -> TripCache:
    """Return this process's trip cache for a map (shared by the partitions it audits)."""
    router = cached_router(map_path, geocoder)
    key = (*_router_key(map_path, geocoder), keep_geometry)
    with _LOCK:
        cache = _TRIPS.get(key)
        if cache is None:
            cache = _TRIPS[key] = TripCache(router, keep_geometry=keep_geometry)
        return cache


def loaded_routers() -> int:
    """Return how many routers this process has loaded so far (one per map and process)."""
    with _LOCK:
        return len(_LOADS)


try:  # the plugin base class exists only with distributed installed
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPlugin
except ImportError:  # pragma: no cover - distributed is a dependency
    _WorkerPlugin = object  # type: ignore[assignment,misc]


class RouterPlugin(_WorkerPlugin):  # type: ignore[misc,valid-type]
    """A Dask worker plugin that loads the router when a worker starts.

    Parameters
    ----------
    map_path : path
        The map file (the same path must exist on every worker).
    geocoder : mapping, optional
        Keyword arguments of :func:`routing.geocode.build_geocoder`.
    """

    def __init__(self, map_path: str | Path, geocoder: Mapping[str, Any] | None = None) -> None:
        self.map_path = str(Path(map_path).resolve())
        self.geocoder = dict(geocoder) if geocoder else None

    async def setup(self, worker: Any) -> None:
        """Load the router in a worker thread, without blocking the worker's event loop."""
        import asyncio

        executor = getattr(worker, "executors", {}).get("default")
        if executor is None:  # pragma: no cover - every worker has a default executor
            return
        future = executor.submit(cached_router, self.map_path, self.geocoder)
        await asyncio.wrap_future(future)


def _keys_partition(
    pdf: pd.DataFrame,
    options: AuditOptions,
    offsets: list[int],
    partition_info: dict[str, Any] | None = None,
) -> pd.DataFrame:
    number = partition_info["number"] if partition_info else 0
    return key_frame(pdf, options.columns, first_row=offsets[number] + 1)


def _audit_partition(
    pdf: pd.DataFrame,
    facts: pd.DataFrame,
    offsets: list[int],
    map_path: str,
    geocoder: Mapping[str, Any] | None,
    options: AuditOptions,
    partition_info: dict[str, Any] | None = None,
) -> pd.DataFrame:
    from transport.audit_rules import RateBook

    number = partition_info["number"] if partition_info else 0
    start = offsets[number]
    trips = cached_trips(map_path, geocoder)
    ctx = AuditContext(
        options, trips, RateBook(options.tariffs, options.parameters), trips.router.map
    )
    return audit_chunk(pdf, facts.iloc[start : start + len(pdf)], ctx)


def output_meta(meta: pd.DataFrame, options: AuditOptions) -> pd.DataFrame:
    """Return the empty output frame (names and dtypes) for an input frame ``meta``."""
    names = options.passthrough_names()
    parts: dict[str, Any] = {"row_number": pd.Series([], dtype="int64")}
    for col, out in names.items():
        parts[out] = meta[col].iloc[:0]
    for col in options.output_columns():
        parts[col] = pd.Series([], dtype=AUDIT_COLUMNS[col])
    return pd.DataFrame({k: v.reset_index(drop=True) for k, v in parts.items()}).set_axis(
        meta.index[:0]
    )


@dataclass
class DaskAuditResult:
    """The audit of a Dask DataFrame.

    Attributes
    ----------
    rows : dask.dataframe.DataFrame
        Audited rows, persisted (computed once, kept on the workers).
    summary : dict
        As :attr:`transport.audit.AuditResult.summary`.
    geometry : geopandas.GeoDataFrame, optional
        Route lines, when asked for (routed on the client).
    """

    rows: Any
    summary: dict[str, Any]
    geometry: Any = None

    def compute(self) -> AuditResult:
        """Gather the rows into a single-process :class:`~transport.audit.AuditResult`."""
        return AuditResult(self.rows.compute(), self.summary, self.geometry)


def audit_dask(
    declarations: Any,
    map_path: str | Path,
    *,
    geocoder: Mapping[str, Any] | None = None,
    geometry: bool = False,
    **kwargs: Any,
) -> DaskAuditResult:
    """Audit a Dask DataFrame of declarations; the rows equal :func:`transport.audit.audit`'s.

    Parameters
    ----------
    declarations : dask.dataframe.DataFrame
        One declaration per row (columns as in :mod:`transport.audit_columns`).
    map_path : path
        The map file; every worker loads it once (:func:`cached_router`).
    geocoder : mapping, optional
        Keyword arguments of :func:`routing.geocode.build_geocoder` for address text.
    geometry : bool
        Also return the route lines (routed again on the client).
    **kwargs
        The options of :func:`transport.audit.make_options`: ``today``, ``tolerance``,
        ``parameters``, ``tariffs``, ``authorisations``, ``mapping``, ``salt``.

    Returns
    -------
    DaskAuditResult
    """
    import dask

    map_path = str(Path(map_path).resolve())
    if not os.path.isfile(map_path):
        from routing.errors import MapError

        raise MapError(f"map file {Path(map_path).name} not found", field="map")
    options = make_options(declarations.columns, **kwargs)
    lengths = [int(x) for x in declarations.map_partitions(len).compute()]
    offsets = [0, *np.cumsum(lengths).tolist()]
    key_meta = pd.DataFrame(
        {c: pd.Series([], dtype="int64" if c == "row_number" else object) for c in KEY_COLUMNS}
    )
    keys = declarations.map_partitions(
        _keys_partition, options, offsets, meta=key_meta, align_dataframes=False
    ).compute()
    keys = keys.reset_index(drop=True)
    facts = global_facts(keys, options.authorisations)
    rows = declarations.map_partitions(
        _audit_partition,
        dask.delayed(facts),
        offsets,
        map_path,
        dict(geocoder) if geocoder else None,
        options,
        meta=output_meta(declarations._meta, options),
        align_dataframes=False,
    ).persist()
    parts = dask.compute(*[dask.delayed(partial_summary)(p) for p in rows.to_delayed()])
    router = cached_router(map_path, geocoder)
    summary = finish_summary(merge_summaries(list(parts)), options, router.map)
    geo = None
    if geometry:
        cache = TripCache(router, keep_geometry=True)
        firsts = facts.loc[facts["trip_id"].notna(), ["trip_id", "home_key", "treatment_key"]]
        trips = {
            int(t): cache.get(h, k)
            for t, h, k in firsts.drop_duplicates("trip_id").itertuples(index=False)
        }
        geo = trip_geometry_frame(trips, router.map)
    return DaskAuditResult(rows, summary, geo)


__all__ = [
    "DaskAuditResult",
    "RouterPlugin",
    "audit_dask",
    "cached_router",
    "cached_trips",
    "loaded_routers",
    "output_meta",
]
