"""Reading and writing tables (CSV, Excel, Parquet) for the batch commands.

CSV is read as text, so that every value passes through unchanged (postcodes, ids with leading
zeros); the commands convert the columns they use themselves and report values they cannot use.
Outputs are written atomically: to a temporary file in the same folder, then renamed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from routing.errors import InvalidQuery

_CSV = {".csv", ".txt", ".tsv"}
_EXCEL = {".xlsx", ".xlsm", ".xls"}
_PARQUET = {".parquet", ".pq"}


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (``,`` or ``;`` separated, detected), Excel or Parquet file.

    Raises
    ------
    InvalidQuery
        When the file is missing, of an unknown type, or unreadable.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidQuery(f"input file not found: {path}", field="input")
    suffix = path.suffix.lower()
    try:
        if suffix in _CSV:
            return pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                sep=None,
                engine="python",
                encoding="utf-8-sig",
            )
        if suffix in _EXCEL:
            return pd.read_excel(path, dtype=object)
        if suffix in _PARQUET:
            return pd.read_parquet(path)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise InvalidQuery(f"cannot read {path.name}: {exc}", field="input") from exc
    raise InvalidQuery(
        f"unknown input type {suffix or '(none)'}: use .csv, .xlsx or .parquet", field="input"
    )


def write_table_atomic(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` to ``path`` (format by suffix) via a temporary file and an atomic rename."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _CSV | _EXCEL | _PARQUET:
        raise InvalidQuery(
            f"unknown output type {suffix or '(none)'}: use .csv, .xlsx or .parquet", field="output"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        if suffix in _CSV:
            df.to_csv(tmp, index=False)
        elif suffix in _EXCEL:
            df.to_excel(tmp, index=False)
        else:
            df.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
