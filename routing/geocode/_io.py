"""Reading the files users supply to the offline geocoders (CSV tables, coordinates, RD New).

Messages name the file's role (``"address table"``) and line numbers, never the content of a row.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from routing.geocode.base import GeocodeDataError

#: Column names accepted for WGS84 latitude and longitude (case-insensitive).
LAT_COLUMNS = ("lat", "latitude", "breedtegraad")
LON_COLUMNS = ("lon", "lng", "long", "longitude", "lengtegraad")
#: Column names accepted for RD New (EPSG:28992) easting and northing.
RD_X_COLUMNS = ("x", "rd_x", "x_rd", "rdx")
RD_Y_COLUMNS = ("y", "rd_y", "y_rd", "rdy")

# Area of use of RD New (EPSG:28992) in metres, with a margin: beyond it x/y are not RD.
_RD_X_RANGE = (-7_000.0, 300_000.0)
_RD_Y_RANGE = (289_000.0, 629_000.0)

_DELIMITERS = (",", ";", "\t", "|")


def as_path(source: str | os.PathLike[str], field: str, role: str) -> Path:
    """Return ``source`` as an existing file path, or raise :class:`GeocodeDataError`."""
    path = Path(source)
    if not path.is_file():
        raise GeocodeDataError(f"The {role} file {str(path)!r} does not exist.", field=field)
    return path


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(path: Path, field: str, role: str) -> pd.DataFrame:
    """Read a CSV file as text columns with lower-case, stripped names.

    The delimiter (``,``, ``;``, tab or ``|``) is taken from the header line. UTF-8 (with or
    without BOM) is tried first, then Windows-1252 (Dutch spreadsheet exports).
    """
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with path.open(encoding=encoding) as handle:
                first = handle.readline()
            frame = pd.read_csv(
                path,
                sep=_sniff_delimiter(first),
                dtype=str,
                keep_default_na=False,
                encoding=encoding,
                skipinitialspace=True,
            )
            break
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
            raise GeocodeDataError(
                f"The {role} file {path.name!r} cannot be read as CSV ({type(exc).__name__}).",
                field=field,
            ) from None
    else:  # pragma: no cover - cp1252 decodes any byte sequence except a handful
        raise GeocodeDataError(
            f"The {role} file {path.name!r} is neither UTF-8 nor Windows-1252 text.", field=field
        )
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame


def pick_column(columns: Iterable[str], names: Iterable[str]) -> str | None:
    """Return the first of ``names`` that is a column (names are lower case)."""
    present = set(columns)
    for name in names:
        if name in present:
            return name
    return None


def to_float(values: pd.Series) -> np.ndarray:
    """Convert text to floats; a single decimal comma (``"52,2638"``) counts as a point.

    Unreadable values become NaN.
    """
    text = values.astype(str).str.strip()
    decimal_comma = text.str.fullmatch(r"[+-]?\d+,\d+")
    text = text.where(~decimal_comma, text.str.replace(",", ".", regex=False))
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, copy=True)


@lru_cache(maxsize=1)
def _rd_transformer() -> Any:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)


def rd_to_wgs84(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert RD New (EPSG:28992) metres to WGS84 ``(lat, lon)`` with pyproj.

    pyproj applies the EPSG transformation without the RDNAPTRANS correction grid; the result is
    within about a metre of RDNAPTRANS, ample for snapping to a road.
    Points outside the RD area of use come back as NaN.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    inside = (
        (x >= _RD_X_RANGE[0])
        & (x <= _RD_X_RANGE[1])
        & (y >= _RD_Y_RANGE[0])
        & (y <= _RD_Y_RANGE[1])
    )
    lon, lat = _rd_transformer().transform(np.where(inside, x, np.nan), np.where(inside, y, np.nan))
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    lat[~inside] = np.nan
    lon[~inside] = np.nan
    return lat, lon


def coordinates(frame: pd.DataFrame, field: str, role: str) -> tuple[np.ndarray, np.ndarray]:
    """Return WGS84 ``(lat, lon)`` arrays from ``lat``/``lon`` or RD ``x``/``y`` columns.

    Invalid or out-of-range values become NaN (the caller skips those rows and counts them).

    Raises
    ------
    GeocodeDataError
        The frame has neither a lat/lon pair nor an x/y pair of columns.
    """
    lat_col = pick_column(frame.columns, LAT_COLUMNS)
    lon_col = pick_column(frame.columns, LON_COLUMNS)
    if lat_col and lon_col:
        lat = to_float(frame[lat_col])
        lon = to_float(frame[lon_col])
        bad = ~((lat >= -90) & (lat <= 90) & (lon >= -180) & (lon <= 180))
        lat[bad] = np.nan
        lon[bad] = np.nan
        return lat, lon
    x_col = pick_column(frame.columns, RD_X_COLUMNS)
    y_col = pick_column(frame.columns, RD_Y_COLUMNS)
    if x_col and y_col:
        return rd_to_wgs84(to_float(frame[x_col]), to_float(frame[y_col]))
    raise GeocodeDataError(
        f"The {role} needs coordinate columns: 'lat' and 'lon' (WGS84), or 'x' and 'y' "
        "(RD New, EPSG:28992).",
        field=field,
    )


def line_numbers(mask: np.ndarray) -> tuple[int, ...]:
    """File line numbers (header = line 1) of the data rows where ``mask`` is true."""
    return tuple(int(i) + 2 for i in np.flatnonzero(mask))
