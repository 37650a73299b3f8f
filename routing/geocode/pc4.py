"""Four-digit postcode (PC4) centres: the coarse fallback when nothing more precise is known.

The user supplies the file. Accepted formats:

- GeoJSON, GeoPackage, shapefile or anything else geopandas reads, with one feature per PC4 and
  a property ``postcode4`` (or ``pc4``, ``postcode``, ``postcode_4``; case-insensitive). Point
  features are used as they are; for areas (polygons) the centroid (computed in metres, in the
  file's projected CRS or else RD New) is used, or a point inside the area when the centroid falls
  outside it. Any CRS is converted to WGS84.
- CSV with a PC4 column (same names) and ``lat``/``lon`` or RD New ``x``/``y`` columns.

A query falls back to its PC4 when it holds a postcode this provider can read: a bare four-digit
postcode (``7555``), four digits and a town (``7555 Hengelo``), a six-character postcode
(``7555 DL``, anywhere in the query), or a PC4 written after the house number
(``Geerdinksweg 141, 7555 Hengelo``). The result has precision POSTCODE4 and the PC4 as label.
A four-digit postcode covers a whole neighbourhood or village (often a few square kilometres), so
a route from it can be off by a kilometre or more.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from routing.geocode._io import as_path, coordinates, pick_column, read_csv
from routing.geocode.address import parse_address
from routing.geocode.base import GeocodeDataError, Geocoder, not_found
from routing.results import Location, Precision

PC4_COLUMNS = ("postcode4", "pc4", "postcode_4", "postcode")

_FIELD = "pc4"
_ROLE = "PC4"


def _normalise_pc4(value: object) -> str | None:
    text = str(value).strip()
    if re.fullmatch(r"[1-9][0-9]{3}(?:\.0+)?", text):
        return text[:4]
    return None


def _read_geodata(path: Path) -> tuple[list[object], np.ndarray, np.ndarray]:
    import geopandas as gpd

    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several unrelated types for unreadable files
        raise GeocodeDataError(
            f"The PC4 file {path.name!r} cannot be read ({type(exc).__name__}).", field=_FIELD
        ) from None
    column = pick_column([str(c).lower() for c in frame.columns], PC4_COLUMNS)
    if column is None:
        raise GeocodeDataError(
            f"The PC4 file {path.name!r} needs a property 'postcode4' (or 'pc4', 'postcode').",
            field=_FIELD,
        )
    original = next(c for c in frame.columns if str(c).lower() == column)
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    points = frame.geometry.to_crs("EPSG:4326")
    areal = frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    if areal.any():
        # centres of areas are computed in metres (RD New, the Dutch grid) unless already so
        areas = frame.geometry[areal]
        if not frame.crs.is_projected:
            areas = areas.to_crs("EPSG:28992")
        centroids = areas.centroid
        inside = centroids.within(areas)
        points[areal] = centroids.where(inside, areas.representative_point()).to_crs("EPSG:4326")
    is_point = points.geom_type.eq("Point").to_numpy() & ~points.is_empty.to_numpy()
    lon = np.where(is_point, points.x.where(is_point), np.nan).astype(float)
    lat = np.where(is_point, points.y.where(is_point), np.nan).astype(float)
    return list(frame[original]), lat, lon


class PC4Geocoder(Geocoder):
    """Centres of four-digit postcodes from a user-supplied file.

    Parameters
    ----------
    source : str or os.PathLike
        The PC4 file (see the module docstring for the formats).

    Raises
    ------
    GeocodeDataError
        The file is missing, unreadable, lacks a PC4 property, or holds no usable feature.
    """

    source = "pc4"
    best_precision = Precision.POSTCODE4

    def __init__(self, source: str | os.PathLike[str]) -> None:
        path = as_path(source, _FIELD, _ROLE)
        self.name = path.name
        if path.suffix.lower() in {".csv", ".txt", ".tsv"}:
            frame = read_csv(path, _FIELD, _ROLE)
            column = pick_column(frame.columns, PC4_COLUMNS)
            if column is None:
                raise GeocodeDataError(
                    f"The PC4 file {path.name!r} needs a column 'postcode4' (or 'pc4').",
                    field=_FIELD,
                )
            codes: list[object] = list(frame[column])
            lat, lon = coordinates(frame, _FIELD, _ROLE)
        else:
            codes, lat, lon = _read_geodata(path)
        table = pd.DataFrame(
            {"pc4": [_normalise_pc4(c) for c in codes], "lat": lat, "lon": lon}
        ).dropna()
        if table.empty:
            raise GeocodeDataError(
                f"The PC4 file {path.name!r} holds no feature with a four-digit postcode and a "
                "point or area.",
                field=_FIELD,
            )
        # a postcode given twice (split areas) is placed at the mean of its points
        centres = table.groupby("pc4")[["lat", "lon"]].mean()
        self._centres: dict[str, tuple[float, float]] = {
            str(code): (float(row.lat), float(row.lon)) for code, row in centres.iterrows()
        }

    def __len__(self) -> int:
        return len(self._centres)

    def __contains__(self, pc4: object) -> bool:
        return isinstance(pc4, str) and pc4 in self._centres

    def __repr__(self) -> str:
        return f"PC4Geocoder({self.name!r}, postcodes={len(self)})"

    def _geocode(self, text: str, field: str) -> Location:
        pc4 = parse_address(text).pc4
        if pc4 is None:
            raise not_found(field, "the input", "It holds no postcode.")
        centre = self._centres.get(pc4)
        if centre is None:
            # a bare four-digit postcode is not personal data and may be named
            raise not_found(field, f"postcode {pc4}", "The PC4 file does not hold it.")
        return Location(
            lat=centre[0],
            lon=centre[1],
            precision=Precision.POSTCODE4,
            source=self.source,
            label=pc4,
        )
