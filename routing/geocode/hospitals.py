"""Hospital locations by name: treatment addresses are often "the hospital in Hengelo".

The user supplies a locations file. Accepted formats:

- GeoJSON FeatureCollection of Point features (WGS84) with properties (case-insensitive):
  organisation ``organisatie``/``organisation``/``organization``/``org``; location name
  ``locatie``/``location``/``name``/``naam``; town ``plaats``/``town``/``city``/``woonplaats``;
  optionally street address ``adres``/``address`` and postcode ``pc``/``postcode``. This is the
  format of the public hospital list used in the tests (89 locations with an emergency department
  or acute obstetrics, 2019).
- CSV with the same columns plus ``lat``/``lon`` (or RD ``x``/``y``).

Matching is on words, after folding (case, accents, punctuation: ``Máxima`` = ``maxima``,
``Röpcke-Zweers`` = ``ropcke zweers``), dropping filler words (``de``, ``het``, ``van``,
``locatie``, ...), expanding common abbreviations (``ZGT`` = Ziekenhuisgroep Twente, ``MST`` =
Medisch Spectrum Twente, ``UMC`` = Universitair Medisch Centrum, ``MC`` = Medisch Centrum,
``St.`` = Sint, ...) and mapping town names (``Den Haag`` = ``'s-Gravenhage``). A location
matches when every word of the query occurs in its organisation name, location name or town, and
at least one of them is not just the town (``Hengelo`` alone is a town, not a hospital;
``Ziekenhuis Hengelo`` and ``ZGT Hengelo`` are hospitals). When several locations match, one whose
own name reads exactly as the query wins (``Dijklander Ziekenhuis``); otherwise the query is
ambiguous and :class:`~routing.geocode.base.GeocodeAmbiguous` lists the candidates (hospital names
are not personal data). ``ZGT Hengelo`` never falls back to ZGT's Almelo location: the town is a
word of the query and must match.

A query that is the street address of a listed hospital (``Geerdinksweg 141, 7555 DL Hengelo``)
also finds it. Results have precision ADDRESS, source ``"hospitals"`` and the location's display
name as label.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from routing.errors import GeocodeError
from routing.geocode._io import as_path, coordinates, read_csv
from routing.geocode.address import ParsedAddress, fold, parse_address
from routing.geocode.base import GeocodeAmbiguous, GeocodeDataError, Geocoder, not_found
from routing.results import Location, Precision

ORGANISATION_KEYS = ("organisatie", "organisation", "organization", "org")
LOCATION_KEYS = ("locatie", "location", "name", "naam")
TOWN_KEYS = ("plaats", "town", "city", "woonplaats")
ADDRESS_KEYS = ("adres", "address")
POSTCODE_KEYS = ("pc", "postcode")

#: Abbreviations expanded in names and queries alike (folded forms).
ABBREVIATIONS: dict[str, str] = {
    "zgt": "ziekenhuisgroep twente",
    "mst": "medisch spectrum twente",
    "smc": "spijkenisse medisch centrum",
    "umc": "universitair medisch centrum",
    "umcg": "universitair medisch centrum groningen",
    "umcu": "universitair medisch centrum utrecht",
    "lumc": "leids universitair medisch centrum",
    "mumc": "maastricht universitair medisch centrum",
    "amc": "academisch medisch centrum",
    "azm": "academisch ziekenhuis maastricht",
    "vumc": "vu medisch centrum",
    "radboudumc": "radboud universitair medisch centrum",
    "etz": "elisabeth tweesteden ziekenhuis",
    "hmc": "haaglanden medisch centrum",
    "jbz": "jeroen bosch ziekenhuis",
    "mmc": "maxima medisch centrum",
    "rdgg": "reinier de graaf gasthuis",
    "olvg": "olvg",
    "mc": "medisch centrum",
    "zh": "ziekenhuis",
    "st": "sint",
    "loc": "locatie",
}

#: Words that carry no meaning for matching.
STOPWORDS = frozenset(
    {"de", "het", "van", "der", "den", "en", "s", "t", "te", "aan", "op", "in", "locatie", "the"}
)

#: Every listed location is a hospital, so these words match any of them.
GENERIC_WORDS = ("ziekenhuis", "hospital")

#: Town names written differently in the file and by users (folded, applied to whole phrases).
PHRASE_ALIASES: dict[str, str] = {
    "den haag": "s gravenhage",
    "the hague": "s gravenhage",
    "den bosch": "s hertogenbosch",
}

_FIELD = "hospitals"
_ROLE = "hospital locations"


def _words(text: str) -> list[str]:
    """Fold, map phrase aliases, expand abbreviations and drop stopwords, keeping word order."""
    folded = f" {fold(text)} "
    for phrase, replacement in PHRASE_ALIASES.items():
        folded = folded.replace(f" {phrase} ", f" {replacement} ")
    out: list[str] = []
    for word in folded.split():
        for part in ABBREVIATIONS.get(word, word).split():
            if part not in STOPWORDS:
                out.append(part)
    return out


@dataclass(frozen=True)
class Hospital:
    """One hospital location from the locations file."""

    organisation: str
    location: str
    town: str
    address: str
    postcode: str
    lat: float
    lon: float

    @property
    def label(self) -> str:
        """Display name: the location name, prefixed by the organisation when it is bare."""
        if not self.location:
            return " ".join(p for p in (self.organisation, self.town) if p)
        if fold(self.location).startswith("locatie") and self.organisation:
            return f"{self.organisation} {self.location}"
        return self.location


@dataclass(frozen=True)
class _Entry:
    hospital: Hospital
    words: frozenset[str]
    name_words: frozenset[str]
    label_sequence: tuple[str, ...]
    prefix_words: frozenset[str]
    address: ParsedAddress | None


def _prop(props: dict[str, Any], keys: tuple[str, ...]) -> str:
    lowered = {str(k).lower(): v for k, v in props.items()}
    for key in keys:
        value = lowered.get(key)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def _from_geojson(path: Path) -> list[Hospital]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GeocodeDataError(
            f"The hospital file {path.name!r} is not readable JSON ({type(exc).__name__}).",
            field=_FIELD,
        ) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise GeocodeDataError(
            f"The hospital file {path.name!r} is not a GeoJSON FeatureCollection.", field=_FIELD
        )
    hospitals: list[Hospital] = []
    for feature in features:
        if not isinstance(feature, dict):
            continue
        geometry = feature.get("geometry") or {}
        props = feature.get("properties") or {}
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if geometry.get("type") != "Point" or not isinstance(coords, list) or len(coords) < 2:
            continue
        try:
            lon, lat = float(coords[0]), float(coords[1])
        except (TypeError, ValueError):
            continue
        hospital = _make(props, lat, lon)
        if hospital is not None:
            hospitals.append(hospital)
    return hospitals


def _from_csv(path: Path) -> list[Hospital]:
    frame = read_csv(path, _FIELD, _ROLE)
    lat, lon = coordinates(frame, _FIELD, _ROLE)
    hospitals: list[Hospital] = []
    for i, row in enumerate(frame.to_dict(orient="records")):
        hospital = _make(row, float(lat[i]), float(lon[i]))
        if hospital is not None:
            hospitals.append(hospital)
    return hospitals


def _make(props: dict[str, Any], lat: float, lon: float) -> Hospital | None:
    if not (np.isfinite(lat) and np.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    organisation = _prop(props, ORGANISATION_KEYS)
    location = _prop(props, LOCATION_KEYS)
    if not organisation and not location:
        return None
    return Hospital(
        organisation=organisation,
        location=location,
        town=_prop(props, TOWN_KEYS),
        address=_prop(props, ADDRESS_KEYS),
        postcode=_prop(props, POSTCODE_KEYS),
        lat=lat,
        lon=lon,
    )


def _entry(hospital: Hospital) -> _Entry:
    town_words = set(_words(hospital.town))
    name_words = set(_words(hospital.organisation)) | set(_words(hospital.location))
    name_words |= set(GENERIC_WORDS)
    words = name_words | town_words
    # abbreviations whose expansion the entry contains, so that "zg" can complete to "zgt"
    abbreviations = {
        short
        for short, long in ABBREVIATIONS.items()
        if set(long.split()) - STOPWORDS <= words and short not in STOPWORDS
    }
    raw_words = set(fold(f"{hospital.organisation} {hospital.location} {hospital.town}").split())
    address = None
    if hospital.address:
        parsed = parse_address(f"{hospital.address}, {hospital.postcode} {hospital.town}")
        address = parsed if parsed.is_address else None
    return _Entry(
        hospital=hospital,
        words=frozenset(words),
        name_words=frozenset(name_words - town_words),
        label_sequence=tuple(_words(hospital.label)),
        prefix_words=frozenset(words | abbreviations | raw_words),
        address=address,
    )


def _same_address(query: ParsedAddress, known: ParsedAddress) -> bool:
    if query.number != known.number or query.addition != known.addition:
        return False
    if query.postcode and known.postcode:
        return query.postcode == known.postcode
    if query.street and query.street == known.street:
        return query.town is None or query.town == known.town
    return False


class HospitalGeocoder(Geocoder):
    """Hospital locations by name (or street address) from a user-supplied locations file.

    Parameters
    ----------
    source : str or os.PathLike
        GeoJSON (``.json``/``.geojson``) or CSV file; see the module docstring.

    Raises
    ------
    GeocodeDataError
        The file is missing, unreadable or holds no usable location.
    """

    source = "hospitals"
    best_precision = Precision.ADDRESS

    def __init__(self, source: str | os.PathLike[str]) -> None:
        path = as_path(source, _FIELD, _ROLE)
        self.name = path.name
        if path.suffix.lower() in {".csv", ".txt", ".tsv"}:
            hospitals = _from_csv(path)
        else:
            hospitals = _from_geojson(path)
        if not hospitals:
            raise GeocodeDataError(
                f"The hospital file {path.name!r} holds no location with a name and a point.",
                field=_FIELD,
            )
        self.hospitals: tuple[Hospital, ...] = tuple(hospitals)
        self._entries = [_entry(h) for h in hospitals]

    def __len__(self) -> int:
        return len(self.hospitals)

    def __repr__(self) -> str:
        return f"HospitalGeocoder({self.name!r}, locations={len(self)})"

    def _location(self, hospital: Hospital) -> Location:
        return Location(
            lat=hospital.lat,
            lon=hospital.lon,
            precision=Precision.ADDRESS,
            source=self.source,
            label=hospital.label,
        )

    def match(self, text: str) -> list[Hospital]:
        """Return the hospitals a name query matches, before ambiguity is resolved.

        Parameters
        ----------
        text : str
            A hospital name query.

        Returns
        -------
        list of Hospital
            All locations whose words contain every query word (see the module docstring).
        """
        query = set(_words(text))
        if not query:
            return []
        return [e.hospital for e in self._entries if query <= e.words and query & e.name_words]

    def _geocode(self, text: str, field: str) -> Location:
        sequence = tuple(_words(text))
        query = set(sequence)
        candidates = [
            e for e in self._entries if query and query <= e.words and query & e.name_words
        ]
        if len(candidates) > 1:
            exact = [e for e in candidates if e.label_sequence == sequence]
            if len(exact) == 1:
                candidates = exact
        if len(candidates) == 1:
            return self._location(candidates[0].hospital)
        if len(candidates) > 1:
            names = tuple(
                f"{e.hospital.label} ({e.hospital.town})" if e.hospital.town else e.hospital.label
                for e in candidates
            )
            shown = "; ".join(names[:10]) + ("; ..." if len(names) > 10 else "")
            raise GeocodeAmbiguous(
                f"{len(names)} hospital locations match {field!r}: {shown}. "
                "Add the town or the location name.",
                field=field,
                candidates=names,
            )
        parsed = parse_address(text)
        if parsed.is_address:
            found = [e for e in self._entries if e.address and _same_address(parsed, e.address)]
            if len(found) == 1:
                return self._location(found[0].hospital)
        raise not_found(field, "the input", "No hospital location in the list matches it.")

    def suggest(self, prefix: str, limit: int = 10) -> list[Location]:
        """Return up to ``limit`` hospital locations whose words complete ``prefix``.

        Every complete word of ``prefix`` must match a word of the location (as in
        :meth:`geocode`); the last, possibly unfinished word must start one of its words
        (``"zgt hen"`` -> ZGT Hengelo). Locations whose label starts with the prefix come first,
        then the others alphabetically. Each result's ``label`` geocodes back to that location.
        """
        if not isinstance(prefix, str) or limit <= 0:
            return []
        folded = fold(prefix)
        if not folded:
            return []
        complete_text, _, last = folded.rpartition(" ")
        if prefix.rstrip() != prefix or re.search(r"[^\w]$", prefix):
            complete_text, last = folded, ""
        complete = set(_words(complete_text))
        matches: list[tuple[int, str, _Entry]] = []
        for entry in self._entries:
            if not complete <= entry.words:
                continue
            if last and not any(word.startswith(last) for word in entry.prefix_words):
                continue
            label = entry.hospital.label
            rank = 0 if fold(label).startswith(folded) else 1
            matches.append((rank, fold(label), entry))
        matches.sort(key=lambda item: (item[0], item[1]))
        out: list[Location] = []
        for _, _, entry in matches:
            try:
                found = self._geocode(entry.hospital.label, "suggest")
            except GeocodeError:  # a label that does not round-trip is left out
                continue
            if (found.lat, found.lon) == (entry.hospital.lat, entry.hospital.lon):
                out.append(found)
            if len(out) >= limit:
                break
        return out
