"""Offline address table: a CSV of addresses with coordinates that the user supplies.

A typical source is an extract of the BAG (Basisregistratie Adressen en Gebouwen, the Dutch
register of addresses and buildings), for example the verblijfsobjecten of one region with their
postcode, house number and point. Nothing is sent anywhere: lookups happen in memory.

Accepted columns (names are case-insensitive; the first name of each list that is present wins):

==================  =====================================================================
what                column names
==================  =====================================================================
postcode            ``postcode``, ``pc6``, ``pc``
house number        ``huisnummer``, ``house_number``, ``housenumber``, ``nummer``, ``number``
house letter        ``huisletter``, ``house_letter``, ``letter``
addition            ``huisnummertoevoeging``, ``toevoeging``, ``addition``,
                    ``house_number_addition``
street              ``straat``, ``straatnaam``, ``openbare_ruimte``, ``openbareruimte``,
                    ``openbareruimtenaam``, ``street``
town                ``woonplaats``, ``woonplaatsnaam``, ``plaats``, ``town``, ``city``
full address text   ``address``, ``adres`` (parsed like a query: ``Geerdinksweg 141,
                    7555 DL Hengelo``)
WGS84 point         ``lat``/``latitude``/``breedtegraad`` and
                    ``lon``/``lng``/``long``/``longitude``/``lengtegraad``
RD New point        ``x``/``rd_x``/``x_rd``/``rdx`` and ``y``/``rd_y``/``y_rd``/``rdy``
                    (EPSG:28992 metres, converted with pyproj), used when there is no
                    lat/lon pair
==================  =====================================================================

A table needs a point (lat/lon or x/y) and either ``postcode`` + ``huisnummer``, or ``address``,
or ``straat`` + ``huisnummer`` + ``woonplaats``. The delimiter (``,``, ``;``, tab, ``|``) is
detected from the header; a decimal comma in a coordinate (``52,2638``) is accepted. Rows with an
unreadable point or without any usable key are skipped and counted (:attr:`AddressTable.skipped`
holds their line numbers, never their content); a table without a single usable row is an error.

Matching (see :mod:`routing.geocode.address` for how query text is read):

1. postcode + house number + addition, exactly -> precision ADDRESS;
2. otherwise street + house number + addition (+ town, when given; without a town the street
   must be unique in the table, else :class:`~routing.geocode.base.GeocodeAmbiguous`)
   -> precision ADDRESS;
3. otherwise, when the query holds a postcode the table knows, the centroid (mean of the points)
   of all rows with that postcode -> precision POSTCODE6.

House-number additions are matched exactly (``141`` does not match ``141A``): in the BAG they are
different addresses, sometimes different buildings. Rows that share one address are averaged.
The whole table is held in memory: loading 500,000 addresses took 4.5 s and 1.0 GB at peak on the
development machine (lookups about 25 microseconds), so use a regional extract rather than all
nine million Dutch addresses on a small machine. :meth:`AddressTable.suggest` builds its sorted
index on first use (5 s for 500,000 addresses).
"""

from __future__ import annotations

import bisect
import os
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from routing.errors import GeocodeError
from routing.geocode._io import as_path, coordinates, line_numbers, pick_column, read_csv
from routing.geocode.address import (
    canonical_addition,
    display_number,
    fold,
    fold_town,
    format_postcode,
    normalise_query,
    parse_address,
)
from routing.geocode.base import GeocodeAmbiguous, GeocodeDataError, Geocoder, not_found
from routing.results import Location, Precision

POSTCODE_COLUMNS = ("postcode", "pc6", "pc")
NUMBER_COLUMNS = ("huisnummer", "house_number", "housenumber", "nummer", "number")
LETTER_COLUMNS = ("huisletter", "house_letter", "letter")
ADDITION_COLUMNS = ("huisnummertoevoeging", "toevoeging", "addition", "house_number_addition")
STREET_COLUMNS = (
    "straat",
    "straatnaam",
    "openbare_ruimte",
    "openbareruimte",
    "openbareruimtenaam",
    "street",
)
TOWN_COLUMNS = ("woonplaats", "woonplaatsnaam", "plaats", "town", "city")
ADDRESS_COLUMNS = ("address", "adres")

_FIELD = "address_table"
_ROLE = "address table"


def _text_column(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.Series | None:
    column = pick_column(frame.columns, names)
    if column is None:
        return None
    return frame[column].astype(str).str.strip()


def _map_unique(values: pd.Series, function: Callable[[str], Any]) -> pd.Series:
    """Apply ``function`` once per distinct value (street and town names repeat a lot)."""
    mapping = {value: function(value) for value in values.unique()}
    return values.map(mapping)


def _add(index: dict[Any, int | list[int]], key: tuple[Any, ...], row: int) -> None:
    present = index.get(key)
    if present is None:
        index[key] = row
    elif isinstance(present, list):
        present.append(row)
    else:
        index[key] = [present, row]


def _suggest_keys(texts: pd.Series) -> pd.Series:
    """Vectorised :meth:`AddressTable._suggest_key` (same folding as ``address.fold``)."""
    folded = (
        texts.astype(str)
        .str.normalize("NFKD")
        .str.replace(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff]", "", regex=True)
        .str.casefold()
        .str.replace(r"['’`´]", "", regex=True)
        .str.replace(r"[^0-9a-z]+", " ", regex=True)
        .str.strip()
        .str.replace(r"(?<![0-9a-z])([1-9][0-9]{3}) ([a-z]{2})(?![0-9a-z])", r"\1\2", regex=True)
        .str.replace(r"^([1-9][0-9]{3}) ([a-z]{1,2})(?![0-9a-z])", r"\1\2", regex=True)
    )
    return folded


def _rows(value: int | list[int] | None) -> list[int] | None:
    if value is None:
        return None
    return value if isinstance(value, list) else [value]


class AddressTable(Geocoder):
    """Geocode Dutch addresses from a user-supplied CSV table (for example a BAG extract).

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        The CSV file, or a frame with the same columns (see the module docstring).

    Attributes
    ----------
    skipped : tuple of int
        File line numbers (header = line 1) of rows that were skipped as unusable.

    Raises
    ------
    GeocodeDataError
        The file is missing or unreadable, lacks the needed columns, or has no usable row.
    """

    source = "address-table"
    best_precision = Precision.ADDRESS

    def __init__(self, source: str | os.PathLike[str] | pd.DataFrame) -> None:
        if isinstance(source, pd.DataFrame):
            frame = source.astype(object).where(source.notna(), "").astype(str)
            frame.columns = [str(c).strip().lower() for c in frame.columns]
            self.name = "DataFrame"
        else:
            path = as_path(source, _FIELD, _ROLE)
            frame = read_csv(path, _FIELD, _ROLE)
            self.name = path.name
        self._load(frame)
        self._suggest_keys: list[str] | None = None
        self._suggest_rows: list[int] = []

    # --- loading ------------------------------------------------------------------------------

    def _load(self, frame: pd.DataFrame) -> None:
        lat, lon = coordinates(frame, _FIELD, _ROLE)
        n = len(frame)
        empty = pd.Series([""] * n, index=frame.index, dtype=object)

        postcode = _text_column(frame, POSTCODE_COLUMNS)
        number_text = _text_column(frame, NUMBER_COLUMNS)
        letter = _text_column(frame, LETTER_COLUMNS)
        toevoeging = _text_column(frame, ADDITION_COLUMNS)
        street = _text_column(frame, STREET_COLUMNS)
        town = _text_column(frame, TOWN_COLUMNS)
        address = _text_column(frame, ADDRESS_COLUMNS)

        has_structured = number_text is not None and (
            postcode is not None or (street is not None and town is not None)
        )
        if not has_structured and address is None:
            raise GeocodeDataError(
                "The address table needs 'postcode' and 'huisnummer' columns, or an 'address' "
                "column, or 'straat', 'huisnummer' and 'woonplaats' columns.",
                field=_FIELD,
            )

        # vectorised normalisation, then plain lists (per-cell pandas access is slow)
        pc_series = (
            postcode.str.replace(r"\s+", "", regex=True).str.upper()
            if postcode is not None
            else empty
        )
        pcs: list[str] = pc_series.where(
            pc_series.str.fullmatch(r"[1-9][0-9]{3}[A-Z]{2}"), ""
        ).tolist()
        number_values = (
            pd.to_numeric(number_text, errors="coerce")
            if number_text is not None
            else pd.Series(np.nan, index=frame.index)
        )
        valid_number = (number_values >= 1) & (number_values <= 99_999) & (number_values % 1 == 0)
        numbers: list[int | None] = [
            int(v) if ok else None
            for v, ok in zip(number_values.tolist(), valid_number.tolist(), strict=True)
        ]
        letters = (letter if letter is not None else empty).tolist()
        toevoegingen = (toevoeging if toevoeging is not None else empty).tolist()
        additions: list[str] = _map_unique(
            (letter if letter is not None else empty)
            + "-"
            + (toevoeging if toevoeging is not None else empty),
            canonical_addition,
        ).tolist()
        street_display = (street if street is not None else empty).tolist()
        town_display = (town if town is not None else empty).tolist()
        street_keys: list[str] = _map_unique(street if street is not None else empty, fold).tolist()
        town_keys: list[str] = _map_unique(town if town is not None else empty, fold_town).tolist()
        labels: list[str] = [""] * n
        houses: list[str] = [
            display_number(number, let, toe) if number else ""
            for number, let, toe in zip(numbers, letters, toevoegingen, strict=True)
        ]

        if address is not None:
            parsed_rows = _map_unique(address, parse_address).tolist()
            for i, (text, p) in enumerate(zip(address.tolist(), parsed_rows, strict=True)):
                if not pcs[i] and p.postcode:
                    pcs[i] = p.postcode
                if numbers[i] is None and p.number is not None:
                    numbers[i] = p.number
                    additions[i] = p.addition
                    houses[i] = f"{p.number}{p.addition}"
                if not street_keys[i] and p.street:
                    street_keys[i] = p.street
                if not town_keys[i] and p.town:
                    town_keys[i] = p.town
                labels[i] = text

        for i in range(n):
            if labels[i]:
                continue
            code = format_postcode(pcs[i]) if pcs[i] else ""
            house = houses[i]
            place = f"{code} {town_display[i]}".strip()
            if street_display[i] and house:
                labels[i] = (
                    f"{street_display[i]} {house}, {place}"
                    if place
                    else (f"{street_display[i]} {house}")
                )
            elif code and house:
                labels[i] = f"{code} {house}"
            else:
                labels[i] = place

        has_point = np.isfinite(lat) & np.isfinite(lon)
        has_key = np.array(
            [
                bool(pcs[i]) or (bool(street_keys[i] and town_keys[i]) and numbers[i] is not None)
                for i in range(n)
            ],
            dtype=bool,
        )
        usable = has_point & has_key
        self.skipped: tuple[int, ...] = line_numbers(~usable)
        if not usable.any():
            raise GeocodeDataError(
                f"The address table has no usable row: none of its {n} rows has both a readable "
                "point and a postcode, or a street, house number and town.",
                field=_FIELD,
            )

        keep = np.flatnonzero(usable).tolist()
        self._lat = lat[keep]
        self._lon = lon[keep]
        self._labels = [labels[i] for i in keep]
        self._houses = [houses[i] for i in keep]
        # key -> row, or -> list of rows when several rows share one address (they are averaged)
        self._by_postcode: dict[tuple[str, int, str], int | list[int]] = {}
        self._by_street: dict[tuple[str, str, int, str], int | list[int]] = {}
        self._towns_of_street: dict[tuple[str, int, str], set[str]] = defaultdict(set)
        self._keys: list[tuple[str, int | None]] = []
        for row, i in enumerate(keep):
            code, num = pcs[i], numbers[i]
            add = additions[i] if num is not None else ""
            self._keys.append((code, num))  # for the suggest index
            if num is None:
                continue
            if code:
                _add(self._by_postcode, (code, num, add), row)
            if street_keys[i] and town_keys[i]:
                _add(self._by_street, (street_keys[i], town_keys[i], num, add), row)
                self._towns_of_street[(street_keys[i], num, add)].add(town_keys[i])
        kept_codes = pd.Series([pcs[i] for i in keep])
        by_code = pd.DataFrame({"pc": kept_codes, "lat": self._lat, "lon": self._lon})
        means = by_code[by_code.pc != ""].groupby("pc")[["lat", "lon"]].mean()
        self._postcode_centroids: dict[str, tuple[float, float]] = dict(
            zip(
                means.index.tolist(),
                zip(means.lat.tolist(), means.lon.tolist(), strict=True),
                strict=True,
            )
        )

    def __len__(self) -> int:
        return len(self._labels)

    def __repr__(self) -> str:
        return f"AddressTable({self.name!r}, rows={len(self)}, skipped={len(self.skipped)})"

    # --- lookups ------------------------------------------------------------------------------

    def _location(self, rows: list[int], precision: Precision, label: str) -> Location:
        return Location(
            lat=float(self._lat[rows].mean()),
            lon=float(self._lon[rows].mean()),
            precision=precision,
            source=self.source,
            label=label,
        )

    def _geocode(self, text: str, field: str) -> Location:
        parsed = parse_address(text)
        rows: list[int] | None = None
        if parsed.number is not None:
            if parsed.postcode:
                rows = _rows(
                    self._by_postcode.get((parsed.postcode, parsed.number, parsed.addition))
                )
            if not rows and parsed.street:
                if parsed.town:
                    rows = _rows(
                        self._by_street.get(
                            (parsed.street, parsed.town, parsed.number, parsed.addition)
                        )
                    )
                else:
                    towns = self._towns_of_street.get(
                        (parsed.street, parsed.number, parsed.addition), set()
                    )
                    if len(towns) > 1:
                        raise GeocodeAmbiguous(
                            f"The address in {field!r} exists in {len(towns)} towns in the "
                            "address table; add the town or the postcode.",
                            field=field,
                        )
                    if towns:
                        rows = _rows(
                            self._by_street[
                                (parsed.street, next(iter(towns)), parsed.number, parsed.addition)
                            ]
                        )
        if rows:
            return self._location(rows, Precision.ADDRESS, self._labels[rows[0]])
        if parsed.postcode and parsed.postcode in self._postcode_centroids:
            lat, lon = self._postcode_centroids[parsed.postcode]
            return Location(
                lat=lat,
                lon=lon,
                precision=Precision.POSTCODE6,
                source=self.source,
                label=format_postcode(parsed.postcode),
            )
        raise not_found(field, hint="The address table does not hold it.")

    # --- autocomplete -------------------------------------------------------------------------

    @staticmethod
    def _suggest_key(text: str) -> str:
        key = normalise_query(text)
        # a postcode being typed: "7555 d" -> "7555d", to match keys written "7555dl 141"
        return re.sub(r"^([1-9][0-9]{3}) ([a-z]{1,2})(?![0-9a-z])", r"\1\2", key)

    def _build_suggest_index(self) -> None:
        labels = pd.Series(self._labels, dtype=object)
        codes = pd.Series([code for code, _ in self._keys], dtype=object)
        houses = pd.Series(self._houses, dtype=object)
        by_postcode = (codes != "") & (houses != "")
        keys = pd.concat(
            [
                _suggest_keys(labels),
                _suggest_keys((codes + " " + houses)[by_postcode]),
            ]
        )
        order = np.argsort(keys.to_numpy(dtype=str), kind="stable")
        self._suggest_keys = keys.iloc[order].tolist()
        self._suggest_rows = keys.index.to_numpy()[order].tolist()

    def suggest(self, prefix: str, limit: int = 10) -> list[Location]:
        """Return up to ``limit`` addresses whose label starts with ``prefix``.

        ``prefix`` is compared folded (case, accents, punctuation and the space in a postcode do
        not matter). It may start with the street (``"Geerdinksweg 14"``) or the postcode
        (``"7555 DL 1"``). Each result is what :meth:`geocode` returns for its ``label``.
        """
        key = self._suggest_key(prefix) if isinstance(prefix, str) else ""
        if not key or limit <= 0:
            return []
        if self._suggest_keys is None:
            self._build_suggest_index()
        assert self._suggest_keys is not None
        start = bisect.bisect_left(self._suggest_keys, key)
        out: list[Location] = []
        seen: set[str] = set()
        for position in range(start, len(self._suggest_keys)):
            if not self._suggest_keys[position].startswith(key):
                break
            label = self._labels[self._suggest_rows[position]]
            if label in seen:
                continue
            seen.add(label)
            try:
                # exactly what geocoding the label gives, so that a picked suggestion round-trips
                out.append(self._geocode(label, "suggest"))
            except GeocodeError:
                continue
            if len(out) >= limit:
                break
        return out
