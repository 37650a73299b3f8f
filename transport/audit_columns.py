"""Input columns of a transport-declaration audit: names, aliases, a mapping file, personal data.

One declaration (one ride: home -> treatment -> home) per row. Column names are matched after
normalisation (case-folded, every run of non-letters/digits one ``_``), first as given in a
mapping, then by canonical name, then by alias. Unknown columns pass through to the output
unchanged, except personal data (see below).

Input columns
-------------
=========================  ========  ==========================================================
canonical name             required  meaning (accepted aliases)
=========================  ========  ==========================================================
``declaration_id``         no        the declaration's id; passed through (``declaratie_id``,
                                     ``declaratienummer``, ``claim_id``, ``id``)
``bsn``                    yes       BSN of the insured; 11-proof (``burgerservicenummer``,
                                     ``insured_bsn``). Personal: never in the output.
``birth_date``             no        birth date of the insured (``geboortedatum``,
                                     ``date_of_birth``). Personal: recognised only to keep it
                                     out of the output; no check uses it yet.
``carrier_agb``            taxi      carrier's AGB code, 8 digits (``agb_code``, ``agb``,
                                     ``agb_vervoerder``, ``agb_code_vervoerder``)
``carrier``                no        carrier name, to find its tariff (``carrier_name``,
                                     ``vervoerder``); else the AGB code is looked up
``carrier_contracted``     taxi      yes/no, ja/nee, true/false, 1/0 (``contracted``,
                                     ``gecontracteerd``)
``authorisation_number``   yes       machtigingsnummer (``machtigingsnummer``,
                                     ``authorization_number``, ``machtiging``)
``ride_date``              yes       date of the ride, ``YYYY-MM-DD`` or ``DD-MM-YYYY``
                                     (``ritdatum``, ``datum_rit``)
``declaration_date``       yes       date of the declaration/invoice (``declaratiedatum``,
                                     ``factuurdatum``, ``invoice_date``)
``home_lat``, ``home_lon`` one of    home coordinates, WGS84 degrees (``home_latitude``,
                                     ``home_longitude``). Personal: never in the output.
``home_address``           one of    home as text, resolved by the router's geocoder
                                     (``woonadres``, ``adres_thuis``). Personal.
``treatment_lat``,         one of    treatment coordinates (``treatment_latitude``,
``treatment_lon``                    ``treatment_longitude``)
``treatment_address``      one of    treatment place as text: address, postcode or hospital name
                                     (``behandeladres``, ``behandellocatie``)
``declared_km``            yes       declared loaded km of the ride, both legs (``loaded_km``,
                                     ``beladen_km``, ``gedeclareerde_km``, ``km``); may be empty
                                     for public transport
``declared_amount``        yes       declared amount in euro, ``12.50`` or ``12,50``, an optional
                                     ``€``/``EUR`` (``amount``, ``bedrag``,
                                     ``gedeclareerd_bedrag``)
``mode``                   yes       ``taxi``, ``own_car`` (``eigen auto``, ``eigen vervoer``)
                                     or ``public_transport`` (``ov``, ``openbaar vervoer``)
                                     (``vervoerswijze``, ``transport_mode``)
``policy_type``            see note  ``natura`` or ``restitutie`` (``polisvorm``, ``polis``);
                                     needed for an uncontracted taxi
``indication``             no        indication category (``dialysis``, ``oncology``, ...;
                                     ``indicatie``), compared with the authorisation's
``over_cap_permitted``     no        the insurer permitted a trip over 200 km (yes/no)
``row_error``              no        set by :func:`ziekenvervoer.io.read_table` on a malformed
                                     CSV line (too many or too few fields): a non-empty value
                                     rejects the row with ``PARSE_ROW`` (its values may sit in
                                     the wrong columns, so no other check runs on it)
=========================  ========  ==========================================================

"one of": each end of the ride needs its coordinates or its text; a row may use either, and
coordinates win when both are filled in.

Mapping
-------
``mapping={"bsn": "Burgerservicenummer verzekerde", ...}`` (canonical name -> your column), or
a YAML/JSON mapping file with the same pairs, either at the top level or under ``columns:``;
under ``personal:`` a list of more of your columns to keep out of the output::

    columns:
      bsn: BSN verzekerde
      declared_km: Km beladen
    personal: [Naam, Telefoon]

Personal data
-------------
The output never holds a BSN, a name, an address, a birth date or home coordinates. Dropped
are: the columns mapped to ``bsn``, ``birth_date``, ``home_address``, ``home_lat``,
``home_lon``; every column whose normalised name is one of those fields' names or aliases or is
in :data:`PERSONAL_NAMES` (``naam``, ``adres``, ``postcode``, ``telefoon``, ...), even when not
used; and the columns listed under ``personal``. Rows are
matched back by ``row_number`` (1 = first data row) and ``declaration_id``; with a salt the
output adds ``insured_key``, an HMAC-SHA-256 of the normalised BSN keyed with the salt, so that
an auditor can group an insured's rows without seeing the BSN.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from transport.checks import normalise_bsn_key
from transport.errors import InvalidInput
from transport.indications import Indication
from transport.inputs import to_decimal
from transport.tariffs import Mode, PolicyType


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical input column."""

    name: str
    description: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    personal: bool = False


COLUMN_SPECS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "declaration_id",
        "declaration id (passed through)",
        ("declaratie_id", "declaratienummer", "declaration", "claim_id", "id"),
    ),
    ColumnSpec("bsn", "BSN of the insured", ("burgerservicenummer", "insured_bsn"), True, True),
    ColumnSpec(
        "birth_date", "birth date of the insured", ("geboortedatum", "date_of_birth"), False, True
    ),
    ColumnSpec(
        "carrier_agb",
        "AGB code of the carrier (8 digits)",
        ("agb_code", "agb", "agb_vervoerder", "agb_code_vervoerder", "carrier_agb_code"),
    ),
    ColumnSpec("carrier", "carrier name", ("carrier_name", "vervoerder", "naam_vervoerder")),
    ColumnSpec(
        "carrier_contracted",
        "carrier contracted (yes/no)",
        ("contracted", "gecontracteerd", "vervoerder_gecontracteerd"),
    ),
    ColumnSpec(
        "authorisation_number",
        "authorisation (machtiging) number",
        ("machtigingsnummer", "authorization_number", "machtiging", "authorisation"),
        True,
    ),
    ColumnSpec("ride_date", "date of the ride", ("ritdatum", "datum_rit"), True),
    ColumnSpec(
        "declaration_date",
        "date of the declaration",
        ("declaratiedatum", "datum_declaratie", "factuurdatum", "invoice_date"),
        True,
    ),
    ColumnSpec("home_lat", "home latitude", ("home_latitude",), False, True),
    ColumnSpec("home_lon", "home longitude", ("home_longitude",), False, True),
    ColumnSpec(
        "home_address", "home address text", ("woonadres", "adres_thuis", "home"), False, True
    ),
    ColumnSpec("treatment_lat", "treatment latitude", ("treatment_latitude",)),
    ColumnSpec("treatment_lon", "treatment longitude", ("treatment_longitude",)),
    ColumnSpec(
        "treatment_address",
        "treatment address, postcode or hospital name",
        ("behandeladres", "behandellocatie", "treatment"),
    ),
    ColumnSpec(
        "declared_km",
        "declared loaded km (both legs)",
        ("loaded_km", "beladen_km", "gedeclareerde_km", "km"),
        True,
    ),
    ColumnSpec(
        "declared_amount",
        "declared amount in euro",
        ("amount", "bedrag", "gedeclareerd_bedrag", "declared_amount_eur", "bedrag_eur"),
        True,
    ),
    ColumnSpec("mode", "transport mode", ("vervoerswijze", "transport_mode"), True),
    ColumnSpec("policy_type", "natura or restitutie", ("polisvorm", "polis")),
    ColumnSpec("indication", "indication category", ("indicatie",)),
    ColumnSpec("over_cap_permitted", "insurer permitted a trip over the cap", ()),
    ColumnSpec("row_error", "malformed input line (set by the reader)", ()),
)

SPECS: dict[str, ColumnSpec] = {s.name: s for s in COLUMN_SPECS}

#: Normalised column names that are always treated as personal data and left out of the output.
PERSONAL_NAMES: frozenset[str] = frozenset(
    {
        "name", "naam", "insured_name", "naam_verzekerde", "voornaam", "achternaam",
        "voorletters", "initials", "first_name", "last_name", "surname", "tussenvoegsel",
        "address", "adres", "street", "straat", "straatnaam", "huisnummer", "house_number",
        "postcode", "postal_code", "zip", "zipcode", "woonplaats", "city", "plaats",
        "phone", "telefoon", "telefoonnummer", "email", "e_mail", "iban", "rekeningnummer",
        "bsn_verzekerde",
    }
)  # fmt: skip

_NON_WORD = re.compile(r"[\W_]+")


def normalise_name(name: Any) -> str:
    """Return a column name in matching form: case-folded, non-word runs as one ``_``."""
    return _NON_WORD.sub("_", str(name).strip().casefold()).strip("_")


# Columns named like a personal field (or one of its aliases) are personal even when the mapping
# points that field elsewhere.
_PERSONAL_BY_NAME: frozenset[str] = PERSONAL_NAMES | {
    normalise_name(n) for s in COLUMN_SPECS if s.personal for n in (s.name, *s.aliases)
}


@dataclass(frozen=True)
class ColumnMapping:
    """A user's column mapping: canonical name -> input column, plus extra personal columns."""

    columns: Mapping[str, str] = field(default_factory=dict)
    personal: tuple[str, ...] = ()

    @classmethod
    def from_file(cls, path: str | Path) -> ColumnMapping:
        """Read a YAML or JSON mapping file (see the module docstring).

        Raises
        ------
        InvalidInput
            When the file is missing, unreadable or not a mapping of names.
        """
        path = Path(path)
        if not path.is_file():
            raise InvalidInput(f"mapping file {path.name} not found", field="mapping")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise InvalidInput(
                f"mapping file {path.name} is not YAML/JSON: {exc}", field="mapping"
            ) from None
        return cls.from_obj(raw, where=path.name)

    @classmethod
    def from_obj(cls, raw: Any, where: str = "mapping") -> ColumnMapping:
        """Build a mapping from a dict (``{"columns": {...}, "personal": [...]}`` or flat)."""
        if raw is None:
            return cls()
        if isinstance(raw, ColumnMapping):
            return raw
        if not isinstance(raw, Mapping):
            raise InvalidInput(
                f"{where}: expected a mapping of canonical names to your columns", field="mapping"
            )
        columns = raw.get("columns", raw if "personal" not in raw else {})
        personal = raw.get("personal", ()) if "columns" in raw or "personal" in raw else ()
        if not isinstance(columns, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
        ):
            raise InvalidInput(f"{where}: columns must map names to names", field="mapping")
        if isinstance(personal, str) or not all(isinstance(p, str) for p in personal):
            raise InvalidInput(f"{where}: personal must be a list of column names", field="mapping")
        unknown = sorted(set(columns) - set(SPECS))
        if unknown:
            raise InvalidInput(
                f"{where}: unknown canonical column(s) {', '.join(unknown)}; known: "
                f"{', '.join(SPECS)}",
                field="mapping",
            )
        return cls(dict(columns), tuple(personal))


@dataclass(frozen=True)
class ResolvedColumns:
    """Which input column serves each canonical field, and which input columns are personal.

    Attributes
    ----------
    fields : dict
        Canonical name -> input column name, for the fields found.
    personal : tuple of str
        Input columns left out of the output.
    passthrough : tuple of str
        Input columns copied to the output, in input order.
    """

    fields: dict[str, str]
    personal: tuple[str, ...]
    passthrough: tuple[str, ...]

    def has(self, name: str) -> bool:
        """Whether the canonical field ``name`` has a column."""
        return name in self.fields


def resolve_columns(
    columns: Iterable[Any], mapping: ColumnMapping | Mapping[str, Any] | None = None
) -> ResolvedColumns:
    """Match input columns to the canonical fields (mapping, then name, then alias).

    Raises
    ------
    InvalidInput
        When a mapped column is absent, or a required field (or one end of the ride) has no
        column; the message names the field and how to map it.
    """
    cols = [str(c) for c in columns]
    m = ColumnMapping.from_obj(mapping)
    by_norm: dict[str, str] = {}
    for c in cols:
        by_norm.setdefault(normalise_name(c), c)
    fields: dict[str, str] = {}
    used: set[str] = set()
    for canon, col in m.columns.items():
        if col not in cols:
            raise InvalidInput(
                f"the mapping names column '{col}' for {canon}, but the input has no such column",
                field=canon,
            )
        fields[canon] = col
        used.add(col)
    for spec in COLUMN_SPECS:
        if spec.name in fields:
            continue
        for candidate in (spec.name, *spec.aliases):
            col = by_norm.get(normalise_name(candidate))
            if col is not None and col not in used:
                fields[spec.name] = col
                used.add(col)
                break
    missing = [s.name for s in COLUMN_SPECS if s.required and s.name not in fields]
    for end in ("home", "treatment"):
        coords = f"{end}_lat" in fields and f"{end}_lon" in fields
        if not coords and f"{end}_address" not in fields:
            missing.append(f"{end}_lat/{end}_lon or {end}_address")
    if missing:
        first = missing[0].split("/")[0].split(" ")[0]
        raise InvalidInput(
            f"the input lacks column(s) for {', '.join(missing)}; name them so, or map yours "
            "with a mapping file (canonical name: your column)",
            field=first,
        )
    personal = {fields[s.name] for s in COLUMN_SPECS if s.personal and s.name in fields}
    personal |= {c for c in cols if normalise_name(c) in _PERSONAL_BY_NAME}
    for p in m.personal:
        if p not in cols:
            raise InvalidInput(
                f"the mapping lists personal column '{p}', but the input has no such column",
                field="mapping",
            )
        personal.add(p)
    return ResolvedColumns(
        fields=fields,
        personal=tuple(c for c in cols if c in personal),
        passthrough=tuple(c for c in cols if c not in personal),
    )


# --- reading values -------------------------------------------------------------------------


def is_missing(value: Any) -> bool:
    """Whether a scalar is None, NaN, NaT, ``pd.NA`` or blank text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, np.floating) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def code_text(value: Any) -> str | None:
    """Return an identifier (authorisation number, AGB code, id) as trimmed text, or ``None``.

    Integral numbers lose their ``.0`` (spreadsheets turn ``12345`` into ``12345.0``).
    """
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return repr(float(value))
    text = str(value).strip()
    return text or None


def parse_km(value: Any) -> tuple[str, float | None]:
    """Read a km figure: ``("ok", km)`` for a finite number > 0, else missing/invalid."""
    if is_missing(value):
        return "missing", None
    if isinstance(value, bool):
        return "invalid", None
    try:
        km = float(value.strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return "invalid", None
    if math.isnan(km):
        return "missing", None
    if not math.isfinite(km) or km <= 0:
        return "invalid", None
    return "ok", km


def km_rounding(value: Any) -> float | None:
    """Return half a unit of the last digit a km figure is written with, or ``None``.

    ``"10.4"`` -> 0.05, ``"10"`` -> 0.5, ``"10,40"`` -> 0.005; a float is taken as its shortest
    repr (``10.4`` -> 0.05). A declared figure ``x`` is then a rounding of any km within
    ``x +- km_rounding(x)``. ``None`` for missing, non-numeric or exponent notation.
    """
    if is_missing(value) or isinstance(value, bool):
        return None
    if isinstance(value, int | np.integer):
        return 0.5
    if isinstance(value, float | np.floating):
        text = repr(float(value))
    else:
        text = str(value).strip().replace(",", ".")
    m = _PLAIN_NUMBER.fullmatch(text)
    if m is None:
        return None
    return 0.5 * 10.0 ** -len(m.group(1) or "")


_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.(\d*))?")

#: Amounts from this many euro up are read as invalid (no ride costs a million).
MAX_AMOUNT = Decimal(1_000_000)

_CURRENCY = re.compile(r"^\s*(?:€|eur\b|euro\b)?\s*(.*?)\s*(?:€|eur|euro)?\s*$", re.IGNORECASE)


def parse_amount(value: Any) -> tuple[str, Decimal | None]:
    """Read an amount in euro: ``("ok", Decimal)`` for a finite number >= 0, else missing/invalid.

    ``12.50``, ``12,50``, ``€ 12,50`` and ``12.50 EUR`` are read; thousands separators are not
    guessed (``1.234,56`` is invalid), nor are amounts of :data:`MAX_AMOUNT` and more.
    """
    if is_missing(value):
        return "missing", None
    if isinstance(value, bool):
        return "invalid", None
    if isinstance(value, str):
        m = _CURRENCY.match(value)
        text = m.group(1) if m else value
        if text.count(",") + text.count(".") > 1:
            return "invalid", None
        value = text
    if isinstance(value, np.floating | np.integer):
        value = value.item()
    try:
        amount = to_decimal(value, "declared_amount", minimum=0)
    except InvalidInput:
        return "invalid", None
    return ("ok", amount) if amount < MAX_AMOUNT else ("invalid", None)


def parse_coordinate(value: Any, limit: float) -> tuple[str, float | None]:
    """Read one coordinate in degrees, ``|value| <= limit``."""
    if is_missing(value):
        return "missing", None
    if isinstance(value, bool):
        return "invalid", None
    try:
        x = float(value.strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return "invalid", None
    if math.isnan(x):
        return "missing", None
    if not math.isfinite(x) or abs(x) > limit:
        return "invalid", None
    return "ok", x


_MODE_SYNONYMS = {
    "taxi": Mode.TAXI,
    "zorgtaxi": Mode.TAXI,
    "rolstoeltaxi": Mode.TAXI,
    "own_car": Mode.OWN_CAR,
    "eigen_auto": Mode.OWN_CAR,
    "eigen_vervoer": Mode.OWN_CAR,
    "auto": Mode.OWN_CAR,
    "car": Mode.OWN_CAR,
    "public_transport": Mode.PUBLIC_TRANSPORT,
    "ov": Mode.PUBLIC_TRANSPORT,
    "openbaar_vervoer": Mode.PUBLIC_TRANSPORT,
}


def parse_mode(value: Any) -> tuple[str, Mode | None]:
    """Read a transport mode (English or Dutch names, see the module docstring)."""
    if is_missing(value):
        return "missing", None
    mode = _MODE_SYNONYMS.get(normalise_name(value))
    return ("ok", mode) if mode is not None else ("invalid", None)


_YES = frozenset({"1", "true", "yes", "y", "ja", "j", "waar"})
_NO = frozenset({"0", "false", "no", "n", "nee", "onwaar"})


def parse_flag(value: Any) -> tuple[str, bool | None]:
    """Read yes/no (``ja``/``nee``, ``true``/``false``, ``1``/``0``)."""
    if is_missing(value):
        return "missing", None
    if isinstance(value, bool | np.bool_):
        return "ok", bool(value)
    text = code_text(value)
    key = (text or "").casefold()
    if key in _YES:
        return "ok", True
    if key in _NO:
        return "ok", False
    return "invalid", None


def parse_policy(value: Any) -> tuple[str, PolicyType | None]:
    """Read a policy type (``natura`` or ``restitutie``)."""
    if is_missing(value):
        return "missing", None
    try:
        return "ok", PolicyType(normalise_name(value))
    except ValueError:
        return "invalid", None


def parse_indication(value: Any) -> tuple[str, Indication | None]:
    """Read an indication category (see :class:`transport.indications.Indication`)."""
    if is_missing(value):
        return "missing", None
    try:
        return "ok", Indication(normalise_name(value))
    except ValueError:
        return "invalid", None


def place_key(lat: float, lon: float) -> str:
    """Return the key of a coordinate pair: ``"52.263800,6.770800"`` (6 decimals, ~0.1 m).

    The router reads this text as coordinates, so a trip is routed from its key alone: rows whose
    coordinates agree to 6 decimals share one route, whatever order they come in.
    """
    return f"{lat:.6f},{lon:.6f}"


def insured_key(bsn: Any, salt: bytes) -> str | None:
    """Return the pseudonymous key of an insured: HMAC-SHA-256 of the normalised BSN, 16 hex.

    Without the salt the key cannot be linked back to a BSN by trying all BSNs.
    """
    key = normalise_bsn_key(bsn)
    if key is None:
        return None
    return hmac.new(salt, key.encode("ascii", "replace"), hashlib.sha256).hexdigest()[:16]


__all__ = [
    "COLUMN_SPECS",
    "PERSONAL_NAMES",
    "SPECS",
    "ColumnMapping",
    "ColumnSpec",
    "ResolvedColumns",
    "code_text",
    "insured_key",
    "is_missing",
    "km_rounding",
    "normalise_name",
    "parse_amount",
    "parse_coordinate",
    "parse_flag",
    "parse_indication",
    "parse_km",
    "parse_mode",
    "parse_policy",
    "place_key",
    "resolve_columns",
]
