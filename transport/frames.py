"""The rules over a DataFrame: one decision per row, with the same answers as the scalar rules.

Analysts hold cases in tables. :func:`hardship_frame` decides the hardheidsclausule for every row
of a table by calling :func:`transport.hardship.check_hardship` -- the one implementation of the
rule -- once per *distinct* case (months, rides per week, single-trip km, date) and spreading the
answers over the rows. A row whose input the rule rejects keeps its place and gets the reason in
``hardship_error``; the batch never stops on one row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from routing.errors import ZiekenvervoerError
from transport.decisions import Decision
from transport.errors import InvalidInput
from transport.hardship import DEFAULT_CLOSE_KM, check_hardship
from transport.inputs import Number
from transport.parameters import ParameterSet
from transport.workdays import parse_date

#: Columns :func:`hardship_frame` adds (each prefixed with ``hardship_``).
HARDSHIP_COLUMNS = (
    "hardship_qualifies",
    "hardship_score",
    "hardship_margin",
    "hardship_km_needed",
    "hardship_m_needed",
    "hardship_km_margin",
    "hardship_close",
    "hardship_codes",
    "hardship_formula",
    "hardship_error",
)


def _column_or_value(df: pd.DataFrame, value: Any, field: str) -> np.ndarray:
    """Return a per-row array: the named column for a str, else ``value`` repeated."""
    if isinstance(value, str):
        if value not in df.columns:
            raise InvalidInput(
                f"{field}: no column {value!r} in the table (a text value names a column)",
                field=field,
            )
        return df[value].to_numpy(dtype=object)
    if isinstance(value, pd.Series | np.ndarray | list | tuple):
        arr = np.asarray(value, dtype=object)
        if arr.shape != (len(df),):
            raise InvalidInput(f"{field}: {len(arr)} values for {len(df)} rows", field=field)
        return arr
    return np.full(len(df), value, dtype=object)


def _key(value: Any) -> Hashable:
    """Hashable key of a cell; missing values share one key."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _clean(value: Any) -> Any:
    """Cell value for the rule: numpy scalars become Python scalars, missing becomes None."""
    return _key(value)


def _months(value: Any) -> Any:
    """Whole months: a whole float (a pandas int column with gaps turns float) counts as int."""
    value = _clean(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def hardship_frame(
    df: pd.DataFrame,
    months: int | str | Any,
    per_week: Number | str | Any,
    *,
    on: dt.date | str | Any,
    km: str = "single_trip_km",
    parameters: ParameterSet | None = None,
    close_km: Number = DEFAULT_CLOSE_KM,
) -> pd.DataFrame:
    """Decide the hardheidsclausule for every row of a table.

    Parameters
    ----------
    df : pandas.DataFrame
        One case per row, with the single-trip distance in column ``km`` (unrounded km, e.g. the
        ``single_trip_km`` of :func:`routing.frames.trips_frame`).
    months : int, str or array-like
        Consecutive months of treatment: one value for all rows, a column name, or one value
        per row.
    per_week : number, str or array-like
        Rides per week: one value, a column name, or one value per row.
    on : datetime.date, str or array-like
        Date the threshold is looked up on: one date, a column name, or one per row.
    km : str
        Column with the single-trip kilometres.
    parameters : ParameterSet, optional
        Parameter source (default: the package's files).
    close_km : number
        As in :func:`~transport.hardship.check_hardship`.

    Returns
    -------
    pandas.DataFrame
        The input (all columns, same index and order) with :data:`HARDSHIP_COLUMNS`:
        ``hardship_qualifies`` (boolean; ``<NA>`` when the rule could not decide),
        ``hardship_score, hardship_margin, hardship_km_needed, hardship_m_needed,
        hardship_km_margin, hardship_close`` from the decision's details, ``hardship_codes``
        (reason codes joined by ``";"``), ``hardship_formula`` and ``hardship_error``
        (``"CODE: message"``, empty when decided). A row without km (e.g. a trip that could not be
        routed) gets ``InvalidInput`` in ``hardship_error``.

    Raises
    ------
    InvalidInput
        When a named column is absent or a per-row array has the wrong length. Bad cell values
        never raise.
    """
    if km not in df.columns:
        raise InvalidInput(f"no column {km!r} with the single-trip km", field="km")
    params = parameters or ParameterSet()
    cols = {
        "months": _column_or_value(df, months, "months"),
        "per_week": _column_or_value(df, per_week, "per_week"),
        "single_trip_km": df[km].to_numpy(dtype=object),
        "on": _column_or_value(df, on, "on"),
    }
    n = len(df)
    keys = [tuple(_key(cols[c][i]) for c in cols) for i in range(n)]
    codes, uniques = pd.factorize(pd.Series(keys, dtype=object), sort=False)
    answers: list[Decision | ZiekenvervoerError] = []
    for m, w, k, d in uniques:
        try:
            if k is None:
                raise InvalidInput("no single-trip km (was the trip routed?)", field="km")
            answers.append(
                check_hardship(
                    _months(m),
                    _clean(w),
                    _clean(k),
                    parse_date(d, field="on"),
                    parameters=params,
                    close_km=close_km,
                )
            )
        except ZiekenvervoerError as exc:
            answers.append(exc)
        except (TypeError, ValueError) as exc:  # a value of an unexpected type
            answers.append(InvalidInput(f"cannot read the case: {type(exc).__name__}"))

    table = pd.DataFrame([_row(a) for a in answers], columns=list(HARDSHIP_COLUMNS))
    rows = table.iloc[codes].reset_index(drop=True)
    rows.index = df.index
    rows["hardship_qualifies"] = rows["hardship_qualifies"].astype("boolean")
    rows["hardship_close"] = rows["hardship_close"].astype("boolean")
    rows["hardship_m_needed"] = rows["hardship_m_needed"].astype("Int64")
    out = df.drop(columns=[c for c in HARDSHIP_COLUMNS if c in df.columns])
    return pd.concat([out, rows], axis=1)


def _row(answer: Decision | ZiekenvervoerError) -> dict[str, Any]:
    if isinstance(answer, ZiekenvervoerError):
        return {
            "hardship_qualifies": pd.NA,
            "hardship_score": np.nan,
            "hardship_margin": np.nan,
            "hardship_km_needed": np.nan,
            "hardship_m_needed": pd.NA,
            "hardship_km_margin": np.nan,
            "hardship_close": pd.NA,
            "hardship_codes": "",
            "hardship_formula": "",
            "hardship_error": f"{answer.code}: {answer.message}",
        }
    d = answer.details
    return {
        "hardship_qualifies": bool(answer.ok),
        "hardship_score": d["score"],
        "hardship_margin": d["margin"],
        "hardship_km_needed": d["km_needed"],
        "hardship_m_needed": d["m_needed"],
        "hardship_km_margin": d["km_margin"],
        "hardship_close": d["close"],
        "hardship_codes": ";".join(r.code for r in answer.reasons),
        "hardship_formula": d["formula"],
        "hardship_error": "",
    }
