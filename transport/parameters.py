"""Dated parameters (amounts, thresholds) read from YAML files, in the style of OpenFisca.

Each parameter is one file ``data/parameters/<name>.yaml``::

    description: Eigen bijdrage zittend ziekenvervoer per kalenderjaar
    unit: EUR
    reference:
      - title: Besluit zorgverzekering, art. 2.16e
        url: https://wetten.overheid.nl/BWBR0018492
    values:
      2024-01-01: {value: 118, until: 2024-12-31}
      2025-01-01: {value: 126, until: 2025-12-31, reference: VGZ vergoedingen 2025}

A value holds from its start date until its ``until`` date, or (without ``until``) until the next
start date, or open-ended for the last one. A date on which no value holds raises
:class:`~transport.errors.ParameterNotInForce` naming the parameter: a value is never borrowed from
another year. Users override a parameter for a case by passing the value (``overrides``), or a
whole file by putting their own copy in a folder given as ``directory`` (searched first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from transport.decisions import UsedParameter
from transport.errors import ParameterNotFound, ParameterNotInForce


@dataclass(frozen=True)
class DatedValue:
    """One value of a parameter with the period it holds."""

    since: dt.date
    until: dt.date | None
    value: Any
    reference: str | None = None

    def holds_on(self, on: dt.date) -> bool:
        """Whether this value is in force on ``on``."""
        return self.since <= on and (self.until is None or on <= self.until)


@dataclass(frozen=True)
class Parameter:
    """A named parameter with description, unit, references and dated values."""

    name: str
    description: str
    unit: str
    references: tuple[str, ...]
    values: tuple[DatedValue, ...]

    def at(self, on: dt.date) -> DatedValue:
        """Return the value in force on ``on``.

        Raises
        ------
        ParameterNotInForce
            When no value holds on that date.
        """
        for v in reversed(self.values):
            if v.holds_on(on):
                return v
        known = ", ".join(
            f"{v.since.isoformat()}..{v.until.isoformat() if v.until else ''}" for v in self.values
        )
        raise ParameterNotInForce(
            f"parameter '{self.name}' ({self.description}) has no value in force on "
            f"{on.isoformat()}; known periods: {known}. Pass the value explicitly to use one.",
            field=self.name,
        )

    @property
    def source(self) -> str:
        """The references joined into one line."""
        return "; ".join(self.references)


def _as_date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ParameterNotFound(
            f"parameter file '{name}' has a date that is not YYYY-MM-DD: {value!r}", field=name
        ) from None


def _reference_text(ref: Any) -> str:
    if isinstance(ref, dict):
        return " ".join(str(ref[k]) for k in ("title", "url") if ref.get(k))
    return str(ref)


def read_parameter(path: Path) -> Parameter:
    """Read one parameter file.

    Parameters
    ----------
    path : pathlib.Path
        A YAML file in the format described in the module docstring.

    Returns
    -------
    Parameter
    """
    name = path.stem
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    refs = raw.get("reference") or []
    if not isinstance(refs, list):
        refs = [refs]
    starts = sorted(raw.get("values") or {}, key=lambda d: _as_date(d, name))
    values = []
    for i, start in enumerate(starts):
        entry = raw["values"][start]
        if not isinstance(entry, dict):
            entry = {"value": entry}
        since = _as_date(start, name)
        if "until" in entry:
            until = _as_date(entry["until"], name) if entry["until"] is not None else None
        elif i + 1 < len(starts):
            until = _as_date(starts[i + 1], name) - dt.timedelta(days=1)
        else:
            until = None
        ref = entry.get("reference")
        values.append(
            DatedValue(since, until, entry.get("value"), _reference_text(ref) if ref else None)
        )
    return Parameter(
        name=name,
        description=str(raw.get("description", name)),
        unit=str(raw.get("unit", "")),
        references=tuple(_reference_text(r) for r in refs),
        values=tuple(values),
    )


def default_directory() -> Path:
    """Return the package's ``data/parameters`` folder (see :mod:`routing.settings`)."""
    from routing import settings

    return Path(settings.data_dir) / "parameters"


class ParameterSet:
    """All parameters, with optional user folders and per-case overrides.

    Parameters
    ----------
    directory : path or list of paths, optional
        Folders searched first for ``<name>.yaml`` (user copies); the package's folder is
        searched last.
    overrides : dict, optional
        ``{name: value}`` used on every date instead of the files, e.g.
        ``{"eigen_bijdrage": 130}``; or ``{name: {year: value}}`` used only in those calendar
        years (other years still come from the files), e.g. ``{"own_car_km_rate": {2023: 0.37}}``.
    """

    def __init__(
        self,
        directory: str | Path | list[str | Path] | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> None:
        dirs = [] if directory is None else directory
        if not isinstance(dirs, list):
            dirs = [dirs]
        self.directories: tuple[Path, ...] = (*(Path(d) for d in dirs), default_directory())
        self.overrides: dict[str, Any] = dict(overrides or {})

    def with_overrides(self, **values: Any) -> ParameterSet:
        """Return a copy with more overrides (``None`` values are ignored)."""
        merged = {**self.overrides, **{k: v for k, v in values.items() if v is not None}}
        new = ParameterSet(overrides=merged)
        new.directories = self.directories
        return new

    def get(self, name: str) -> Parameter:
        """Return the parameter ``name`` from the first folder that has it."""
        for d in self.directories:
            path = d / f"{name}.yaml"
            if path.is_file():
                return _read_cached(path, path.stat().st_mtime_ns)
        raise ParameterNotFound(
            f"no parameter file '{name}.yaml' in {', '.join(map(str, self.directories))}",
            field=name,
        )

    def names(self) -> list[str]:
        """Names of all parameters available."""
        found = {p.stem for d in self.directories if d.is_dir() for p in d.glob("*.yaml")}
        return sorted(found)

    def used(self, name: str, on: dt.date) -> UsedParameter:
        """Return the value of ``name`` on ``on`` with its provenance.

        Raises
        ------
        ParameterNotInForce
            When the files hold no value for that date and no override was given.
        """
        if name in self.overrides:
            override = self.overrides[name]
            if not isinstance(override, Mapping):
                return UsedParameter(name, override, on.isoformat(), None, "user override")
            if on.year in override:  # {year: value}: only that calendar year
                value = override[on.year]
                return UsedParameter(name, value, on.isoformat(), None, f"user override {on.year}")
        param = self.get(name)
        v = param.at(on)
        return UsedParameter(
            name, v.value, on.isoformat(), v.since.isoformat(), v.reference or param.source
        )

    def value(self, name: str, on: dt.date) -> Any:
        """Return just the value of ``name`` on ``on`` (see :meth:`used`)."""
        return self.used(name, on).value


@cache
def _read_cached(path: Path, mtime_ns: int) -> Parameter:
    return read_parameter(path)
