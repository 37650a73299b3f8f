"""Audit of transport declarations: a verdict per row, with reasons and evidence, and a summary.

::

    from routing.router import Router
    from transport.audit import Tolerance, audit

    router = Router.from_file("hengelo.osm.pbf")
    result = audit(declarations, router, today=dt.date(2026, 1, 15),
                   tolerance=Tolerance(km=1.0, pct=5.0), authorisations="machtigingen.csv")
    result.rows       # one row per input row, same order and index
    result.summary    # counts per verdict and reason, km declared vs computed, amounts, map ...

Input columns are documented in :mod:`transport.audit_columns` (canonical names, aliases, a
mapping file). One row is one ride: home -> treatment -> home, both legs loaded (one-way legs
declared on their own rows are not supported). Amounts are before the eigen bijdrage. The
reason codes and the verdict rule are in :mod:`transport.audit_reasons`; the km tolerance and
the amount due in :mod:`transport.audit_rules`; routing and evidence in
:mod:`transport.audit_trips`; the Dask run in :mod:`transport.audit_dask`.

Pipeline
--------
1. Resolve the columns (mapping, names, aliases); a missing required column is an
   :class:`~transport.errors.InvalidInput` naming it, before any row is read.
2. A *global pass* over key columns only (:func:`key_frame`, :func:`global_facts`): duplicate
   rows (same insured, ride date and route; :func:`transport.checks.check_frame`), a trip id per
   distinct (home, treatment) pair in order of first appearance, and each ride's number under
   its authorisation. These need every row, so they are computed before the rows are split.
3. Chunks of ``chunk_size`` rows (:func:`audit_chunk`): values read once per distinct value, the
   formal checks of :func:`transport.checks.check_frame` (BSN, AGB, dates), each distinct trip
   routed once (:class:`~transport.audit_trips.TripCache`, both legs, ``router.trip``), the
   200 km cap on the routed single trip, the authorisation, who may declare, the km tolerance
   and the amount due; then the verdict. Every row's work is wrapped: an unexpected error makes
   that row a ``reject`` with ``INTERNAL_ERROR``, and the batch goes on.

Output columns
--------------
``row_number`` (1 = first data row; line ``row_number + 1`` of a CSV with a header), then the
input columns except personal data (see :mod:`transport.audit_columns`; an input column whose
name equals an audit column is renamed ``input_<name>``), then:

=========================  =====================================================================
column                     meaning
=========================  =====================================================================
``insured_key``            only with a salt: HMAC-SHA-256 of the BSN keyed with the salt (16 hex)
``verdict``                ``accept``, ``adjust`` or ``reject``
``reason_codes``           the row's reason codes, ``;``-joined, in check order
``vektis_codes``           the Vektis return codes (COD954) of those reasons, each once
``reasons``                the reasons' texts, ``; ``-joined
``review``                 a check could not run for lack of reference data: a person should look
``duplicate_of_row``       for a duplicate: the ``row_number`` of the original
``trip_id``                number of the distinct (home, treatment) pair (links the geometry file)
``declared_km_value``      the declared loaded km as read
``computed_km``            loaded km recomputed: (outbound_m + inbound_m) / 1000, unrounded
``km_difference``          declared - computed km
``km_difference_pct``      that difference in % of the computed km
``accepted_km``            km the amount is computed on: the declared km; the computed km when
                           over-declared; ``max(declared, computed)`` when the declared km are
                           the computed km rounded (:mod:`transport.audit_rules`)
``corrected_km``           for ``KM_OVER_DECLARED``: the computed km
``declared_amount_value``  the declared amount as read (exact decimal text)
``due_eur``                the most the rules allow for the accepted km (2 decimals)
``payable_eur``            what to pay under the verdict: declared (accept), corrected or declared
                           when lower (adjust), ``0.00`` (reject); empty when not computable (an
                           ``adjust`` without an amount due, e.g. a taxi without a tariff table)
``corrected_amount_eur``   for ``AMOUNT_OVER_DUE``: the amount due
``outbound_m``,            metres of each leg (home -> treatment, treatment -> home)
``inbound_m``
``outbound_s``,            seconds of each leg under the speed profile
``inbound_s``
``home_snap_out_m`` ...    snap distances: ``home_snap_out_m``, ``treatment_snap_out_m``,
                           ``treatment_snap_in_m``, ``home_snap_in_m``
``home_precision``,        geocode precision of each end (``point`` for coordinates); a
``treatment_precision``    ``postcode4`` end stops the km comparison, a ``postcode6`` end is
                           flagged (see :mod:`transport.audit_reasons`)
``home_geocoder``,         the provider that located each end
``treatment_geocoder``
``route_error_at``         ``home``/``treatment`` when a routing error concerns one end
``map_source``,            the map's identity: file name, SHA-256, speed profile
``map_sha256``,
``map_profile``
``parameters``             parameter versions used: ``name=value@since`` joined by ``;``
``tariff_source``          the tariff rows used (taxi)
=========================  =====================================================================

Malformed input lines
---------------------
A row marked by :func:`ziekenvervoer.io.read_table` (column ``row_error``: the CSV line had more
or fewer fields than the header) is rejected with ``PARSE_ROW`` and nothing else: its values may
sit in the wrong columns, so it takes no part in the duplicate check, the trips or the ride
count, and its input values are left out of the output (a shifted name or address could land in
a column that is otherwise copied). ``row_number``, ``row_error`` and ``source_line`` say where
it is. Rows in = rows out.

Summary
-------
``rows_in``/``rows_out``; ``verdicts`` (accept + adjust + reject = rows) and, apart from them,
``review`` (rows a person should look at, whatever their verdict); ``reasons`` and ``vektis``
counts; ``km`` sums; ``amounts_eur``: ``declared`` (all rows with an amount), ``payable`` (the
sum of ``payable_eur``), ``rows_without_payable`` and ``declared_without_payable`` (rows with an
empty ``payable_eur``, left out of ``payable``) and ``difference`` (declared - payable over the
rows that have a payable amount); trips, map, parameters, reference files, tolerance, ``today``.

Reproducibility
---------------
The rows hold no run time, no random number and no dict-order effect: the same input, map,
parameters, tariffs, authorisations, tolerance, ``today`` and salt give byte-identical files
(floats are written by pandas with their shortest repr; amounts as exact decimal text). Trip
results depend only on the trip's key, not on which row asked first, so chunked, single and
Dask runs give equal rows. The summary holds no timings either.

Privacy
-------
No BSN, name, address, birth date or home coordinate reaches the output, a log line, a progress
message, an error text or the summary (see :mod:`transport.audit_columns`). The optional
geometry file holds the routes, which start at the insured's home: treat it as personal data.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from routing.results import Precision
from transport.audit_columns import (
    ColumnMapping,
    ResolvedColumns,
    code_text,
    insured_key,
    is_missing,
    km_rounding,
    parse_amount,
    parse_coordinate,
    parse_flag,
    parse_indication,
    parse_km,
    parse_mode,
    parse_policy,
    place_key,
    resolve_columns,
)
from transport.audit_reasons import REASONS, Verdict, vektis_of, verdict_of
from transport.audit_rules import (
    AuthorisationBook,
    RateBook,
    Tolerance,
    authorisation_codes,
    direct_declaration_codes,
    file_sha256,
    parameters_text,
    parse_ride_date,
    read_authorisations,
    ride_numbers,
)
from transport.audit_trips import TripCache, TripEvidence, trip_geometry_frame
from transport.checks import CAP_PARAMETER, check_frame, normalise_bsn_key, per_distinct
from transport.decisions import UsedParameter
from transport.errors import InvalidInput, ParameterNotInForce
from transport.money import eur_json
from transport.parameters import ParameterSet
from transport.tariffs import Mode, TariffTable
from transport.workdays import parse_date

DEFAULT_CHUNK_SIZE = 5_000
#: Passed through like any input column; kept on a malformed row (see ``ziekenvervoer.io``).
SOURCE_LINE = "source_line"

#: Audit columns, in output order, with their dtype.
AUDIT_COLUMNS: dict[str, str] = {
    "insured_key": "object",
    "verdict": "object",
    "reason_codes": "object",
    "vektis_codes": "object",
    "reasons": "object",
    "review": "bool",
    "duplicate_of_row": "Int64",
    "trip_id": "Int64",
    "declared_km_value": "float64",
    "computed_km": "float64",
    "km_difference": "float64",
    "km_difference_pct": "float64",
    "accepted_km": "float64",
    "corrected_km": "float64",
    "declared_amount_value": "object",
    "due_eur": "object",
    "payable_eur": "object",
    "corrected_amount_eur": "object",
    "outbound_m": "float64",
    "inbound_m": "float64",
    "outbound_s": "float64",
    "inbound_s": "float64",
    "home_snap_out_m": "float64",
    "treatment_snap_out_m": "float64",
    "treatment_snap_in_m": "float64",
    "home_snap_in_m": "float64",
    "home_precision": "object",
    "treatment_precision": "object",
    "home_geocoder": "object",
    "treatment_geocoder": "object",
    "route_error_at": "object",
    "map_source": "object",
    "map_sha256": "object",
    "map_profile": "object",
    "parameters": "object",
    "tariff_source": "object",
}

_EVIDENCE_FLOATS = (
    "outbound_m", "inbound_m", "outbound_s", "inbound_s", "home_snap_out_m",
    "treatment_snap_out_m", "treatment_snap_in_m", "home_snap_in_m",
)  # fmt: skip
_EVIDENCE_TEXTS = ("home_precision", "treatment_precision", "home_geocoder", "treatment_geocoder")


# --- options ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditOptions:
    """Everything an audit needs besides the rows and the router (picklable, for Dask).

    Attributes
    ----------
    columns : ResolvedColumns
        Which input column serves each field, which are personal.
    today : datetime.date
        Reference day of the date checks.
    tolerance : Tolerance
        Km and amount tolerance.
    parameters : ParameterSet
        Dated parameters (cap, km rate, shares).
    tariffs : TariffTable, optional
        Carriers and reference tariffs.
    authorisations : AuthorisationBook, optional
        The insurer's authorisations.
    salt : bytes, optional
        Key of ``insured_key``; without it no such column.
    keep_geometry : bool
        Keep route lines for a geometry file.
    """

    columns: ResolvedColumns
    today: dt.date
    tolerance: Tolerance = field(default_factory=Tolerance)
    parameters: ParameterSet = field(default_factory=ParameterSet)
    tariffs: TariffTable | None = None
    authorisations: AuthorisationBook | None = None
    salt: bytes | None = None
    keep_geometry: bool = False

    def output_columns(self) -> list[str]:
        """Audit columns of the output (``insured_key`` only with a salt)."""
        return [c for c in AUDIT_COLUMNS if c != "insured_key" or self.salt is not None]

    def passthrough_names(self) -> dict[str, str]:
        """Input column -> output name (``input_<name>`` when it clashes with an audit column)."""
        taken = {"row_number", *AUDIT_COLUMNS}
        return {c: (f"input_{c}" if c in taken else c) for c in self.columns.passthrough}


def make_options(
    columns: Any,
    *,
    today: dt.date | str | None = None,
    tolerance: Tolerance | None = None,
    parameters: ParameterSet | None = None,
    tariffs: TariffTable | str | Path | None = None,
    authorisations: AuthorisationBook | pd.DataFrame | str | Path | None = None,
    mapping: ColumnMapping | Mapping[str, Any] | str | Path | None = None,
    salt: str | bytes | None = None,
    keep_geometry: bool = False,
) -> AuditOptions:
    """Resolve columns and read reference files into :class:`AuditOptions`.

    ``columns`` are the input's column names. ``mapping`` may be a mapping file path.
    ``today`` defaults to the system date; pass it for a reproducible run.
    """
    if isinstance(mapping, str | Path):
        mapping = ColumnMapping.from_file(mapping)
    if isinstance(tariffs, str | Path):
        tariffs = TariffTable.from_csv(tariffs)
    if isinstance(salt, str):
        salt = salt.encode("utf-8")
    if salt is not None and len(salt) < 8:
        raise InvalidInput("the salt must be at least 8 characters", field="salt")
    return AuditOptions(
        columns=resolve_columns(columns, mapping),
        today=dt.date.today() if today is None else parse_date(today, field="today"),
        tolerance=tolerance or Tolerance(),
        parameters=parameters or ParameterSet(),
        tariffs=tariffs,
        authorisations=None if authorisations is None else read_authorisations(authorisations),
        salt=salt,
        keep_geometry=keep_geometry,
    )


# --- the global pass --------------------------------------------------------------------------

KEY_COLUMNS = (
    "row_number", "bsn_key", "ride_day", "home_status", "home_key", "treatment_status",
    "treatment_key", "authorisation",
)  # fmt: skip
FACT_COLUMNS = ("duplicate_code", "duplicate_of_row", "trip_id", "auth_ride_number")


def _column(df: pd.DataFrame, cols: ResolvedColumns, name: str) -> np.ndarray | None:
    col = cols.fields.get(name)
    return None if col is None else df[col].to_numpy(dtype=object)


def _statuses(results: np.ndarray) -> tuple[list[str], list[Any]]:
    return [r[0] for r in results], [r[1] for r in results]


def _places(df: pd.DataFrame, cols: ResolvedColumns, end: str) -> tuple[list[str], list[Any]]:
    """Status (ok/missing/invalid) and place key per row for one end of the ride."""
    n = len(df)
    status = ["missing"] * n
    keys: list[str | None] = [None] * n
    lat_col, lon_col = _column(df, cols, f"{end}_lat"), _column(df, cols, f"{end}_lon")
    if lat_col is not None and lon_col is not None:
        lat_s, lat_v = _statuses(per_distinct(lat_col, lambda v: parse_coordinate(v, 90.0)))
        lon_s, lon_v = _statuses(per_distinct(lon_col, lambda v: parse_coordinate(v, 180.0)))
        for i in range(n):
            if lat_s[i] == "ok" and lon_s[i] == "ok":
                status[i], keys[i] = "ok", place_key(lat_v[i], lon_v[i])
            elif lat_s[i] != "missing" or lon_s[i] != "missing":
                status[i] = "invalid"
    text_col = _column(df, cols, f"{end}_address")
    if text_col is not None:
        texts = per_distinct(text_col, lambda v: None if is_missing(v) else str(v).strip())
        for i in range(n):
            if status[i] == "missing" and texts[i] is not None:
                status[i], keys[i] = "ok", texts[i]
    return status, keys


def _malformed(df: pd.DataFrame, cols: ResolvedColumns) -> np.ndarray:
    """Whether each row is a malformed input line (a non-empty ``row_error``)."""
    values = _column(df, cols, "row_error")
    if values is None:
        return np.zeros(len(df), dtype=bool)
    return np.array(per_distinct(values, lambda v: not is_missing(v)), dtype=bool)


def key_frame(df: pd.DataFrame, cols: ResolvedColumns, first_row: int = 1) -> pd.DataFrame:
    """Return the key columns of the global pass for rows numbered from ``first_row``.

    Columns: ``row_number``, ``bsn_key`` (normalised BSN), ``ride_day`` (ISO date or None),
    ``home_status``/``home_key``, ``treatment_status``/``treatment_key``, ``authorisation``.
    Kept in memory only; never written.
    """
    n = len(df)
    bsn = per_distinct(df[cols.fields["bsn"]].to_numpy(dtype=object), normalise_bsn_key)
    days = per_distinct(
        df[cols.fields["ride_date"]].to_numpy(dtype=object),
        lambda v: None if (d := parse_ride_date(v)) is None else d.isoformat(),
    )
    home_s, home_k = _places(df, cols, "home")
    treat_s, treat_k = _places(df, cols, "treatment")
    auth = per_distinct(df[cols.fields["authorisation_number"]].to_numpy(dtype=object), code_text)
    for i in np.flatnonzero(_malformed(df, cols)):  # PARSE_ROW: takes part in nothing
        bsn[i] = days[i] = auth[i] = home_k[i] = treat_k[i] = None
        home_s[i] = treat_s[i] = "invalid"
    columns = {
        "row_number": np.arange(first_row, first_row + n, dtype=np.int64),
        "bsn_key": bsn,
        "ride_day": days,
        "home_status": home_s,
        "home_key": home_k,
        "treatment_status": treat_s,
        "treatment_key": treat_k,
        "authorisation": auth,
    }
    return pd.DataFrame(
        {
            k: v if k == "row_number" else pd.Series(list(v), dtype=object, index=range(n))
            for k, v in columns.items()
        },
        index=range(n),
    )


def global_facts(keys: pd.DataFrame, book: AuthorisationBook | None = None) -> pd.DataFrame:
    """Facts that need every row: duplicates, trip ids, ride numbers under authorisations.

    Parameters
    ----------
    keys : pandas.DataFrame
        :func:`key_frame` of all rows, in row order.
    book : AuthorisationBook, optional
        For the ride numbers.

    Returns
    -------
    pandas.DataFrame
        ``keys`` plus ``duplicate_code`` (``NOT_DUPLICATE``, ``DUPLICATE``,
        ``DUPLICATE_NOT_CHECKED``), ``duplicate_of_row``, ``trip_id`` (1, 2, ... in order of
        first appearance; NA without both places) and ``auth_ride_number``.
    """
    n = len(keys)
    frame = pd.DataFrame(
        {
            "bsn": keys["bsn_key"].to_numpy(dtype=object),
            "ride_date": keys["ride_day"].to_numpy(dtype=object),
            "origin": keys["home_key"].to_numpy(dtype=object),
            "destination": keys["treatment_key"].to_numpy(dtype=object),
        },
        index=keys["row_number"].to_numpy(),
    )
    dup = check_frame(frame, today=dt.date.max, checks=["duplicate"])
    out = keys.copy()
    out["duplicate_code"] = dup["duplicate_codes"].to_numpy(dtype=object)
    out["duplicate_of_row"] = pd.array(
        [None if pd.isna(v) else int(v) for v in dup["duplicate_of"]], dtype="Int64"
    )
    complete = (keys["home_status"] == "ok").to_numpy() & (
        keys["treatment_status"] == "ok"
    ).to_numpy()
    trip = np.zeros(n, dtype=np.int64)
    if complete.any():
        pairs = (keys["home_key"][complete] + "\x1f" + keys["treatment_key"][complete]).to_numpy()
        codes, _ = pd.factorize(pairs)
        trip[complete] = codes + 1
    out["trip_id"] = pd.array(np.where(complete, trip, 0), dtype="Int64")
    out.loc[~complete, "trip_id"] = pd.NA
    days = np.array(
        [dt.date.fromisoformat(d) if isinstance(d, str) else None for d in keys["ride_day"]],
        dtype=object,
    )
    counted = (out["duplicate_code"] != "DUPLICATE").to_numpy() & np.array(
        [d is not None and a is not None for d, a in zip(days, keys["authorisation"], strict=True)],
        dtype=bool,
    )
    out["auth_ride_number"] = ride_numbers(
        keys["authorisation"].to_numpy(dtype=object),
        days,
        keys["row_number"].to_numpy(),
        counted,
        book,
    )
    return out


# --- one chunk --------------------------------------------------------------------------------


@dataclass
class AuditContext:
    """What a run shares across chunks: options, router cache, rate cache, code caches."""

    options: AuditOptions
    trips: TripCache
    rates: RateBook
    map_identity: Any
    _codes: dict[tuple[str, ...], tuple[str, str, str, str, bool]] = field(default_factory=dict)
    _split: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _caps: dict[dt.date, UsedParameter | None] = field(default_factory=dict)

    @classmethod
    def create(cls, options: AuditOptions, router: Any) -> AuditContext:
        """Start a run on ``router``."""
        return cls(
            options,
            TripCache(router, keep_geometry=options.keep_geometry),
            RateBook(options.tariffs, options.parameters),
            router.map,
        )

    def split(self, joined: str) -> tuple[str, ...]:
        """Split ``"A;B"`` into codes (cached)."""
        found = self._split.get(joined)
        if found is None:
            found = self._split[joined] = tuple(c for c in joined.split(";") if c)
        return found

    def outcome(self, codes: tuple[str, ...]) -> tuple[str, str, str, str, bool]:
        """``(verdict, codes, vektis, texts, review)`` of a code tuple (cached)."""
        found = self._codes.get(codes)
        if found is None:
            verdict, review = verdict_of(codes)
            found = self._codes[codes] = (
                verdict.value,
                ";".join(codes),
                ";".join(vektis_of(codes)),
                "; ".join(REASONS[c].text for c in codes),
                review,
            )
        return found

    def cap_parameter(self, day: dt.date) -> UsedParameter | None:
        """Return the cap parameter in force on ``day`` (cached)."""
        if day not in self._caps:
            try:
                self._caps[day] = self.options.parameters.used(CAP_PARAMETER, day)
            except ParameterNotInForce:
                self._caps[day] = None
        return self._caps[day]


_FORMAL_REJECT_PASS = frozenset({"BSN_OK", "AGB_OK", "DATES_OK"})
#: Float slack of the rounding test (km): 10.45 - 10.4 is 0.0500000000000007 in binary.
_ROUNDING_SLACK = 1e-9


def _parse_codes(
    mode_s: str, km_s: str, amount_s: str, home_s: str, treat_s: str, contracted_s: str,
    policy_s: str, indication_s: str, is_pt: bool,
) -> tuple[str, ...]:  # fmt: skip
    codes = []
    if mode_s != "ok":
        codes.append(f"PARSE_MODE_{mode_s.upper()}")
    if km_s == "invalid" or (km_s == "missing" and not is_pt):
        codes.append(f"PARSE_DECLARED_KM_{km_s.upper()}")
    if amount_s != "ok":
        codes.append(f"PARSE_DECLARED_AMOUNT_{amount_s.upper()}")
    if home_s != "ok":
        codes.append(f"PARSE_HOME_{home_s.upper()}")
    if treat_s != "ok":
        codes.append(f"PARSE_TREATMENT_{treat_s.upper()}")
    if contracted_s == "invalid":
        codes.append("PARSE_CARRIER_CONTRACTED_INVALID")
    if policy_s == "invalid":
        codes.append("PARSE_POLICY_TYPE_INVALID")
    if indication_s == "invalid":
        codes.append("PARSE_INDICATION_INVALID")
    return tuple(codes)


def _objects(series: pd.Series) -> list[Any]:
    """Return a column's values as a list, with every missing value (NaN, NA) as ``None``."""
    arr = series.to_numpy(dtype=object, copy=True)
    arr[pd.isna(arr)] = None
    return arr.tolist()


def _optional(df: pd.DataFrame, cols: ResolvedColumns, name: str, func: Callable) -> np.ndarray:
    values = _column(df, cols, name)
    if values is None:
        out = np.empty(len(df), dtype=object)
        default = func(None)
        for i in range(len(df)):
            out[i] = default
        return out
    return per_distinct(values, func)


def audit_chunk(df: pd.DataFrame, facts: pd.DataFrame, ctx: AuditContext) -> pd.DataFrame:
    """Audit the rows of one chunk.

    Parameters
    ----------
    df : pandas.DataFrame
        The input rows (original columns).
    facts : pandas.DataFrame
        The :func:`global_facts` rows of the same rows, in the same order.
    ctx : AuditContext
        The run's shared state.

    Returns
    -------
    pandas.DataFrame
        The output rows (see the module docstring), with ``df``'s index.
    """
    opts = ctx.options
    cols = opts.columns
    n = len(df)
    col = cols.fields

    mode_s, modes = _statuses(_optional(df, cols, "mode", parse_mode))
    km_s, kms = _statuses(_optional(df, cols, "declared_km", parse_km))
    km_half = _optional(df, cols, "declared_km", km_rounding)
    malformed = _malformed(df, cols)
    amount_s, amounts = _statuses(_optional(df, cols, "declared_amount", parse_amount))
    contracted_s, contracted = _statuses(_optional(df, cols, "carrier_contracted", parse_flag))
    policy_s, policies = _statuses(_optional(df, cols, "policy_type", parse_policy))
    indication_s, indications = _statuses(_optional(df, cols, "indication", parse_indication))
    carrier_names = _optional(df, cols, "carrier", code_text)
    agbs = _optional(df, cols, "carrier_agb", code_text)
    permitted = _optional(df, cols, "over_cap_permitted", parse_flag)
    days = per_distinct(df[col["ride_date"]].to_numpy(dtype=object), parse_ride_date)

    home_s = _objects(facts["home_status"])
    treat_s = _objects(facts["treatment_status"])
    home_k = _objects(facts["home_key"])
    treat_k = _objects(facts["treatment_key"])
    bsn_keys = _objects(facts["bsn_key"])
    auth_numbers = _objects(facts["authorisation"])
    dup_codes = _objects(facts["duplicate_code"])
    ride_no = facts["auth_ride_number"].to_numpy()

    # formal checks (vectorised, transport.checks)
    formal_cols = {"bsn": col["bsn"], "ride_date": col["ride_date"]}
    formal_cols["declaration_date"] = col["declaration_date"]
    checks = ["bsn", "dates"]
    if "carrier_agb" in col:
        formal_cols["agb_code"] = col["carrier_agb"]
        checks.insert(1, "agb_code")
    formal = check_frame(
        df[list(dict.fromkeys(formal_cols.values()))],
        today=opts.today,
        parameters=opts.parameters,
        columns=formal_cols,
        checks=checks,
    )
    bsn_codes = formal["bsn_codes"].to_numpy(dtype=object)
    date_codes = formal["dates_codes"].to_numpy(dtype=object)
    agb_codes = (
        formal["agb_code_codes"].to_numpy(dtype=object)
        if "agb_code" in checks
        else np.full(n, "AGB_MISSING", dtype=object)
    )

    # routing: each distinct trip once
    evidence: list[TripEvidence | None] = [None] * n
    for i in range(n):
        if home_s[i] == "ok" and treat_s[i] == "ok":
            evidence[i] = ctx.trips.get(home_k[i], treat_k[i])
    out_km = np.array(
        [e.outbound_m / 1000.0 if e is not None and e.ok else np.nan for e in evidence],
        dtype=float,
    )
    computed = np.array(
        [e.loaded_m / 1000.0 if e is not None and e.ok else np.nan for e in evidence], dtype=float
    )

    # the 200 km cap on the routed single trip (transport.checks)
    cap = check_frame(
        pd.DataFrame(
            {
                "single_trip_km": out_km,
                "ride_date": df[col["ride_date"]].to_numpy(dtype=object),
                "over_cap_permitted": [p[1] is True for p in permitted],
            }
        ),
        today=opts.today,
        parameters=opts.parameters,
        checks=["single_trip_cap"],
    )["single_trip_cap_codes"].to_numpy(dtype=object)

    # km tolerance (vectorised)
    declared_km = np.array(
        [k if s == "ok" else np.nan for s, k in zip(km_s, kms, strict=True)], dtype=float
    )
    declared_km[malformed] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = declared_km - computed
        diff_pct = np.where(computed > 0, diff / computed * 100.0, np.nan)
    over = opts.tolerance.beyond(np.where(diff > 0, diff, 0.0), computed) & (diff > 0)
    under = opts.tolerance.beyond(np.where(diff < 0, -diff, 0.0), computed) & (diff < 0)

    res: dict[str, list[Any]] = {
        name: [None] * n
        for name in (
            "verdict", "reason_codes", "vektis_codes", "reasons", "review", "accepted_km",
            "corrected_km", "declared_amount_value", "due_eur", "payable_eur",
            "corrected_amount_eur", "parameters", "tariff_source", "route_error_at",
        )
    }  # fmt: skip
    tol_eur = opts.tolerance.eur
    for i in range(n):
        if malformed[i]:
            codes, extra = ("PARSE_ROW",), {}
        else:
            try:
                codes, extra = _row(
                    ctx, i, modes[i], mode_s[i], km_s[i], kms[i], amount_s[i], amounts[i],
                    home_s[i], treat_s[i], contracted_s[i], contracted[i], policy_s[i],
                    policies[i], indication_s[i], indications[i], carrier_names[i], agbs[i],
                    days[i], bsn_keys[i], auth_numbers[i], int(ride_no[i]), dup_codes[i],
                    bsn_codes[i], agb_codes[i], date_codes[i], cap[i], evidence[i], computed[i],
                    bool(over[i]), bool(under[i]), tol_eur, km_half[i],
                )  # fmt: skip
            except Exception:  # a batch never dies on one row
                codes, extra = ("INTERNAL_ERROR",), {}
        verdict, joined, vektis, texts, review = ctx.outcome(codes)
        res["verdict"][i] = verdict
        res["reason_codes"][i] = joined
        res["vektis_codes"][i] = vektis
        res["reasons"][i] = texts
        res["review"][i] = review
        for k, v in extra.items():
            if k in res:
                res[k][i] = v
        declared = extra.get("declared_amount")
        if verdict == "reject":
            res["payable_eur"][i] = "0.00"
        elif declared is not None:
            if verdict == "accept":
                res["payable_eur"][i] = eur_json(declared)
            elif extra.get("due") is not None:
                res["payable_eur"][i] = eur_json(min(declared, extra["due"]))

    out: dict[str, Any] = {}
    if opts.salt is not None:
        salt = opts.salt
        out["insured_key"] = per_distinct(
            df[col["bsn"]].to_numpy(dtype=object), lambda v: insured_key(v, salt)
        )
        out["insured_key"][malformed] = None
    for name in ("verdict", "reason_codes", "vektis_codes", "reasons"):
        out[name] = res[name]
    out["review"] = np.array(res["review"], dtype=bool)
    out["duplicate_of_row"] = facts["duplicate_of_row"].to_numpy()
    out["trip_id"] = facts["trip_id"].to_numpy()
    out["declared_km_value"] = declared_km
    out["computed_km"] = computed
    out["km_difference"] = diff
    out["km_difference_pct"] = diff_pct
    out["accepted_km"] = np.array(
        [np.nan if v is None else v for v in res["accepted_km"]], dtype=float
    )
    out["corrected_km"] = np.array(
        [np.nan if v is None else v for v in res["corrected_km"]], dtype=float
    )
    for name in ("declared_amount_value", "due_eur", "payable_eur", "corrected_amount_eur"):
        out[name] = res[name]
    for name in _EVIDENCE_FLOATS:
        out[name] = np.array(
            [getattr(e, name) if e is not None and e.ok else np.nan for e in evidence], dtype=float
        )
    for name in _EVIDENCE_TEXTS:
        out[name] = [getattr(e, name) if e is not None and e.ok else None for e in evidence]
    out["route_error_at"] = [
        (e.error_at or None) if e is not None and not e.ok else None for e in evidence
    ]
    ident = ctx.map_identity
    out["map_source"] = [ident.source] * n
    out["map_sha256"] = [ident.sha256] * n
    out["map_profile"] = [ident.profile] * n
    out["parameters"] = res["parameters"]
    out["tariff_source"] = res["tariff_source"]

    names = opts.passthrough_names()
    frame = pd.DataFrame(
        {"row_number": facts["row_number"].to_numpy(dtype=np.int64)}, index=df.index
    )
    passthrough = df[list(names)].rename(columns=names)
    if malformed.any():  # values of a malformed line may sit in the wrong (copied) column
        keep = {names[c] for c in (col.get("row_error"), SOURCE_LINE) if c in names}
        blank = [c for c in passthrough.columns if c not in keep]
        passthrough = passthrough.astype({c: object for c in blank})
        passthrough.loc[malformed, blank] = None
    audit_part = pd.DataFrame(
        {c: _typed(v, AUDIT_COLUMNS[c], df.index) for c, v in out.items()}, index=df.index
    )
    return pd.concat([frame, passthrough, audit_part], axis=1)


def _typed(values: Any, dtype: str, index: pd.Index) -> pd.Series:
    """Return an output column with its fixed dtype (text stays ``object`` with ``None``)."""
    if dtype == "object":
        arr = np.empty(len(index), dtype=object)
        arr[:] = list(values)
        arr[pd.isna(arr)] = None
        return pd.Series(arr, index=index, dtype=object)
    if dtype == "Int64":
        return pd.Series(pd.array(list(values), dtype="Int64"), index=index)
    return pd.Series(np.asarray(values, dtype=dtype), index=index)


def _exact_km(ev: TripEvidence) -> Decimal:
    """Return the loaded km of a routed trip as exact decimals of each leg, as ``quote`` does."""
    return Decimal(repr(ev.outbound_m)) / 1000 + Decimal(repr(ev.inbound_m)) / 1000


def _row(
    ctx: AuditContext, i: int, mode: Mode | None, mode_s: str, km_s: str, km: float | None,
    amount_s: str, amount: Decimal | None, home_s: str, treat_s: str, contracted_s: str,
    contracted: bool | None, policy_s: str, policy: Any, indication_s: str, indication: Any,
    carrier_name: str | None, agb: str | None, day: dt.date | None, bsn_key: str | None,
    auth_number: str | None, ride_number: int, dup_code: str, bsn_codes: str, agb_codes: str,
    date_codes: str, cap_codes: str, ev: TripEvidence | None, computed: float, over: bool,
    under: bool, tol_eur: Decimal, km_half: float | None = None,
) -> tuple[tuple[str, ...], dict[str, Any]]:  # fmt: skip
    """Return the reason codes and amounts of one row (everything but the verdict)."""
    opts = ctx.options
    is_taxi = mode is Mode.TAXI
    is_pt = mode is Mode.PUBLIC_TRANSPORT
    codes = list(
        _parse_codes(
            mode_s, km_s, amount_s, home_s, treat_s, contracted_s, policy_s, indication_s, is_pt
        )
    )
    extra: dict[str, Any] = {}
    if amount is not None:
        extra["declared_amount"] = amount
        extra["declared_amount_value"] = f"{amount:f}"
    codes.extend(c for c in ctx.split(bsn_codes) if c not in _FORMAL_REJECT_PASS)
    if is_taxi:
        codes.extend(c for c in ctx.split(agb_codes) if c not in _FORMAL_REJECT_PASS)
    codes.extend(c for c in ctx.split(date_codes) if c not in _FORMAL_REJECT_PASS)
    if dup_code != "NOT_DUPLICATE":
        codes.append(dup_code)

    # the carrier (taxi): table name, contract status, who may declare
    carrier_ref = None
    if is_taxi:
        carrier_ref = ctx.rates.carrier_ref(carrier_name, agb)
        if carrier_ref is not None and day is not None:
            in_table = ctx.rates.table_contracted(carrier_ref, day)
            if in_table is not None:
                if contracted is not None and contracted != in_table:
                    codes.append("CARRIER_CONTRACT_STATUS_DIFFERS")
                contracted = in_table
        if contracted is None:
            if contracted_s != "invalid":
                codes.append("PARSE_CARRIER_CONTRACTED_MISSING")
        else:
            known = None if opts.tariffs is None else carrier_ref is not None
            codes.extend(direct_declaration_codes(contracted, agb, known))
            if not contracted and policy is None and policy_s == "missing":
                codes.append("PARSE_POLICY_TYPE_MISSING")

    # authorisation
    if auth_number is None:
        codes.append("AUTH_MISSING")
    elif mode is not None and day is not None:
        codes.extend(
            authorisation_codes(
                opts.authorisations,
                auth_number,
                ride_date=day,
                indication=indication,
                mode=mode,
                carrier_name=carrier_name,
                carrier_agb=agb,
                carrier_contracted=contracted,
                insured=bsn_key,
                ride_number=ride_number,
            )
        )

    # route and the 200 km cap
    used: list[UsedParameter] = []
    if ev is not None and not ev.ok:
        codes.append(ev.status)
        extra["route_error_at"] = ev.error_at or None
    accepted: float | None = None
    if ev is not None and ev.ok:
        for c in ctx.split(cap_codes):
            if c in ("TRIP_OVER_CAP", "TRIP_OVER_CAP_PERMITTED", "TRIP_CAP_NOT_IN_FORCE"):
                codes.append(c)
        if day is not None and (cap_used := ctx.cap_parameter(day)) is not None:
            used.append(cap_used)
        # km: a location coarser than an address never drives a correction
        ends = (ev.home_precision, ev.treatment_precision)
        coarse = Precision.POSTCODE4 in ends
        postcode6 = not coarse and Precision.POSTCODE6 in ends
        if km_s == "ok" and coarse:
            codes.append("KM_NOT_VERIFIABLE_COARSE_LOCATION")
            accepted = km
        elif km_s == "ok":
            if over:
                codes.append("KM_OVER_DECLARED")
                if postcode6:
                    codes.append("KM_CORRECTED_AT_POSTCODE6")
                accepted = computed
                extra["corrected_km"] = computed
            else:
                codes.append("KM_UNDER_DECLARED" if under else "KM_WITHIN_TOLERANCE")
                accepted = km
                if postcode6:
                    codes.append("KM_COMPARED_AT_POSTCODE6")
                elif km_half is not None and abs(km - computed) <= km_half + _ROUNDING_SLACK:
                    # the declared km are the computed km rounded: the price may rest on either
                    accepted = max(km, computed)
        elif is_pt and km_s == "missing":
            codes.append("KM_NOT_DECLARED")
            accepted = computed
        extra["accepted_km"] = accepted

    # amount due for the accepted km
    no_policy = is_taxi and contracted is False and policy is None
    if (
        mode is not None
        and day is not None
        and amount is not None
        and accepted is not None
        and not no_policy
    ):
        result = ctx.rates.amount(
            mode,
            day,
            _exact_km(ev) if accepted == computed else Decimal(repr(float(accepted))),
            carrier_ref=carrier_ref,
            contracted=contracted,
            policy_type=policy,
            fare=amount if is_pt else None,
        )
        used.extend(result.parameters)
        extra["tariff_source"] = result.tariff_source
        if result.code:
            codes.append(result.code)
        elif result.due is not None:
            due = result.due
            extra["due"] = due
            extra["due_eur"] = eur_json(due)
            if is_pt:
                codes.append("AMOUNT_PT_FARE_NOT_VERIFIED")
            elif amount > due + tol_eur:
                codes.append("AMOUNT_OVER_DUE")
                extra["corrected_amount_eur"] = eur_json(due)
            else:
                codes.append("AMOUNT_OK")
    extra["parameters"] = parameters_text(tuple(used)) or None
    return tuple(codes), extra


# --- the whole run ----------------------------------------------------------------------------


@dataclass
class AuditResult:
    """The audited rows, the summary, and (on request) the route geometry.

    Attributes
    ----------
    rows : pandas.DataFrame
        One row per input row, same order and index (columns in the module docstring).
    summary : dict
        Counts per verdict and reason, km declared vs computed, amounts, trips, map, parameters,
        reference files, tolerance and ``today``. JSON-ready, no timings, no personal data.
    geometry : geopandas.GeoDataFrame, optional
        Two lines per routed trip (``trip_id``, ``leg``), when asked for.
    """

    rows: pd.DataFrame
    summary: dict[str, Any]
    geometry: Any = None

    def write(self, output: str | Path, geometry: str | Path | None = None) -> Path:
        """Write the rows (CSV/Excel/Parquet) and optionally the geometry, each atomically.

        The rows get the usual file mode (``0666`` less the umask: they hold no personal data);
        the geometry, whose routes start at the insured's home, ``0600``. Both paths are checked
        before anything is written.
        """
        from transport.audit_trips import geometry_driver, write_geometry_atomic
        from ziekenvervoer.io import check_output, write_table_atomic

        check_output(output)
        if geometry is not None:
            if self.geometry is None:
                raise InvalidInput(
                    "no geometry was kept: run the audit with geometry=True", field="geometry"
                )
            geometry_driver(geometry)
            check_output(geometry, inputs=[output], suffixes=[Path(geometry).suffix.lower()],
                         field="geometry")  # fmt: skip
        path = write_table_atomic(self.rows, output)
        if geometry is not None:
            write_geometry_atomic(self.geometry, geometry)
        return path


def audit(
    declarations: pd.DataFrame,
    router: Any,
    *,
    authorisations: AuthorisationBook | pd.DataFrame | str | Path | None = None,
    tariffs: TariffTable | str | Path | None = None,
    parameters: ParameterSet | None = None,
    tolerance: Tolerance | None = None,
    today: dt.date | str | None = None,
    mapping: ColumnMapping | Mapping[str, Any] | str | Path | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
    salt: str | bytes | None = None,
    geometry: bool = False,
    options: AuditOptions | None = None,
) -> AuditResult:
    """Audit transport declarations: a verdict per row with reasons and evidence, and a summary.

    Parameters
    ----------
    declarations : pandas.DataFrame
        One declaration per row; columns in :mod:`transport.audit_columns`.
    router : routing.router.Router
        Router on the map the km are recomputed on (with a geocoder for address text).
    authorisations : AuthorisationBook, DataFrame or path, optional
        The insurer's authorisations; without them only the number's presence is checked.
    tariffs : TariffTable or path, optional
        Carriers and reference tariffs; without them taxi amounts are not checked.
    parameters : ParameterSet, optional
        Dated parameters (default: the package's files).
    tolerance : Tolerance, optional
        Km tolerance (default 1 km / 5 %, rule ``either``) and amount tolerance.
    today : date or str, optional
        Reference day of the date checks (default: the system date). Pass it for a
        reproducible run.
    mapping : mapping or path, optional
        Column mapping (see :class:`~transport.audit_columns.ColumnMapping`).
    chunk_size : int
        Rows per chunk; bounds the per-row working memory.
    progress : callable, optional
        Called with the number of rows done after each chunk.
    salt : str or bytes, optional
        Key of the ``insured_key`` column (at least 8 characters); without it no such column.
    geometry : bool
        Keep the route lines (``AuditResult.geometry``).
    options : AuditOptions, optional
        Options already made by :func:`make_options` for these columns (so that a caller can
        report a bad column or reference file before it starts a progress bar); then the option
        arguments above must be left out, and ``geometry`` comes from ``options.keep_geometry``.

    Returns
    -------
    AuditResult

    Raises
    ------
    InvalidInput
        For a missing required column, an unreadable reference file or bad options; bad
        *values* never raise: their rows get reject reasons.
    """
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise InvalidInput("chunk_size must be a whole number >= 1", field="chunk_size")
    if options is None:
        options = make_options(
            declarations.columns,
            today=today,
            tolerance=tolerance,
            parameters=parameters,
            tariffs=tariffs,
            authorisations=authorisations,
            mapping=mapping,
            salt=salt,
            keep_geometry=geometry,
        )
    else:
        given = {
            "authorisations": authorisations, "tariffs": tariffs, "parameters": parameters,
            "tolerance": tolerance, "today": today, "mapping": mapping, "salt": salt,
        }  # fmt: skip
        extra = [k for k, v in given.items() if v is not None] + (["geometry"] if geometry else [])
        if extra:
            raise InvalidInput(
                f"pass either options or {', '.join(extra)}, not both", field="options"
            )
        known = {*options.columns.personal, *options.columns.passthrough}
        if {str(c) for c in declarations.columns} != known:
            raise InvalidInput("the options were made for other columns", field="options")
        geometry = options.keep_geometry
    ctx = AuditContext.create(options, router)
    n = len(declarations)
    bounds = list(range(0, n, chunk_size)) or [0]
    keys = pd.concat(
        [
            key_frame(declarations.iloc[s : s + chunk_size], options.columns, first_row=s + 1)
            for s in bounds
        ],
        ignore_index=True,
    )
    facts = global_facts(keys, options.authorisations)
    parts = []
    for s in bounds:
        parts.append(
            audit_chunk(declarations.iloc[s : s + chunk_size], facts.iloc[s : s + chunk_size], ctx)
        )
        if progress is not None:
            progress(min(s + chunk_size, n))
    rows = pd.concat(parts) if parts else audit_chunk(declarations, facts, ctx)
    summary = summarize(rows, options, ctx.map_identity)
    geo = None
    if geometry:
        trips = {
            int(t): ctx.trips.get(h, k)
            for t, h, k in facts.loc[
                facts["trip_id"].notna(), ["trip_id", "home_key", "treatment_key"]
            ]
            .drop_duplicates("trip_id")
            .itertuples(index=False)
        }
        geo = trip_geometry_frame(trips, ctx.map_identity)
    return AuditResult(rows, summary, geo)


# --- summary ----------------------------------------------------------------------------------


def _mm(values: pd.Series) -> int:
    """Sum km values as whole millimetres (exact, independent of order)."""
    v = values.to_numpy(dtype=float)
    v = v[~np.isnan(v)]
    return int(np.rint(v * 1e6).astype(np.int64).sum())


def partial_summary(rows: pd.DataFrame) -> dict[str, Any]:
    """Count and sum (exactly) some output rows; merge with :func:`merge_summaries`."""
    reasons: Counter[str] = Counter()
    for joined, count in rows["reason_codes"].value_counts(sort=False).items():
        for code in str(joined).split(";"):
            if code:
                reasons[code] += int(count)
    both = rows["declared_km_value"].notna() & rows["computed_km"].notna()
    paid = rows["verdict"] != "reject"
    routed = rows.loc[rows["computed_km"].notna(), "trip_id"].dropna()
    failed = rows.loc[rows["computed_km"].isna(), "trip_id"].dropna()

    def money(series: pd.Series) -> str:
        return str(sum((Decimal(v) for v in series.dropna()), Decimal(0)))

    params: set[str] = set()
    for joined in rows["parameters"].dropna().unique():
        params.update(p for p in str(joined).split(";") if p)
    unpaid = rows["payable_eur"].isna()
    return {
        "rows": len(rows),
        "rows_without_payable": int(unpaid.sum()),
        "amount_declared_without_payable": money(rows.loc[unpaid, "declared_amount_value"]),
        "verdicts": dict(Counter(rows["verdict"])),
        "review": int(rows["review"].sum()),
        "reasons": dict(reasons),
        "km_rows": int(both.sum()),
        "km_declared_mm": _mm(rows.loc[both, "declared_km_value"]),
        "km_computed_mm": _mm(rows.loc[both, "computed_km"]),
        "km_accepted_mm": _mm(rows.loc[paid, "accepted_km"]),
        "amount_declared": money(rows["declared_amount_value"]),
        "amount_payable": money(rows["payable_eur"]),
        "trips_routed": sorted(int(t) for t in routed.unique()),
        "trips_failed": sorted(int(t) for t in failed.unique()),
        "parameters": sorted(params),
    }


def merge_summaries(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge :func:`partial_summary` results (order does not matter)."""
    verdicts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    routed: set[int] = set()
    failed: set[int] = set()
    params: set[str] = set()
    out = {"rows": 0, "review": 0, "km_rows": 0, "km_declared_mm": 0, "km_computed_mm": 0}
    out["km_accepted_mm"] = 0
    out["rows_without_payable"] = 0
    declared = payable = unpaid = Decimal(0)
    for p in parts:
        for k in out:
            out[k] += p[k]
        verdicts.update(p["verdicts"])
        reasons.update(p["reasons"])
        routed.update(p["trips_routed"])
        failed.update(p["trips_failed"])
        params.update(p["parameters"])
        declared += Decimal(p["amount_declared"])
        payable += Decimal(p["amount_payable"])
        unpaid += Decimal(p["amount_declared_without_payable"])
    return {
        **out,
        "verdicts": dict(verdicts),
        "reasons": dict(reasons),
        "amount_declared": str(declared),
        "amount_payable": str(payable),
        "amount_declared_without_payable": str(unpaid),
        "trips_routed": sorted(routed),
        "trips_failed": sorted(failed - routed),
        "parameters": sorted(params),
    }


def _km(mm: int) -> float:
    return float(Decimal(mm) / 1_000_000)


def finish_summary(
    merged: dict[str, Any], options: AuditOptions, map_identity: Any
) -> dict[str, Any]:
    """Turn merged counts into the summary (JSON-ready, deterministic)."""
    reasons = [
        {
            "code": code,
            "count": count,
            "vektis": REASONS[code].vektis,
            "effect": REASONS[code].effect,
            "text": REASONS[code].text,
        }
        for code, count in sorted(merged["reasons"].items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    vektis: Counter[str] = Counter()
    for r in reasons:
        if r["vektis"]:
            vektis[r["vektis"]] += r["count"]
    declared_amount = Decimal(merged["amount_declared"])
    payable = Decimal(merged["amount_payable"])
    unpaid = Decimal(merged["amount_declared_without_payable"])
    tariffs = options.tariffs
    return {
        "rows_in": merged["rows"],
        "rows_out": merged["rows"],
        "verdicts": {v.value: int(merged["verdicts"].get(v.value, 0)) for v in Verdict},
        "review": merged["review"],
        "reasons": reasons,
        "vektis": dict(sorted(vektis.items())),
        "km": {
            "rows_compared": merged["km_rows"],
            "declared": _km(merged["km_declared_mm"]),
            "computed": _km(merged["km_computed_mm"]),
            "difference": _km(merged["km_declared_mm"] - merged["km_computed_mm"]),
            "accepted": _km(merged["km_accepted_mm"]),
        },
        "amounts_eur": {
            "declared": eur_json(declared_amount),
            "payable": eur_json(payable),
            "difference": eur_json(declared_amount - unpaid - payable),
            "rows_without_payable": merged["rows_without_payable"],
            "declared_without_payable": eur_json(unpaid),
        },
        "trips": {
            "routed": len(merged["trips_routed"]),
            "failed": len(merged["trips_failed"]),
        },
        "map": map_identity.to_dict(),
        "parameters": merged["parameters"],
        "tariffs": None
        if tariffs is None
        else {"source": tariffs.source, "example": tariffs.is_example},
        "authorisations": None
        if options.authorisations is None
        else options.authorisations.to_dict(),
        "authorisation_note": None
        if options.authorisations is not None
        else "no authorisations file: only the presence of an authorisation number was checked",
        "tolerance": options.tolerance.to_dict(),
        "today": options.today.isoformat(),
        "personal_columns_dropped": list(options.columns.personal),
        "insured_key": options.salt is not None,
    }


def summarize(rows: pd.DataFrame, options: AuditOptions, map_identity: Any) -> dict[str, Any]:
    """Return the summary of audited rows."""
    return finish_summary(merge_summaries([partial_summary(rows)]), options, map_identity)


__all__ = [
    "AUDIT_COLUMNS",
    "DEFAULT_CHUNK_SIZE",
    "AuditContext",
    "AuditOptions",
    "AuditResult",
    "Tolerance",
    "audit",
    "audit_chunk",
    "file_sha256",
    "global_facts",
    "key_frame",
    "make_options",
    "merge_summaries",
    "partial_summary",
    "summarize",
]
