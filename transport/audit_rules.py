"""The material side of the audit: km tolerance, authorisations, and the amount due.

Nothing here re-implements a rule. Authorisations are judged by
:func:`transport.authorisation.check_authorisation`, amounts by
:func:`transport.tariffs.check_rate`, who may declare by
:func:`transport.devices.transport_direct_declaration`; this module only feeds them a
declaration row's facts and caches their answers for facts that repeat.

Tolerance
---------
A declaration states the loaded km of the ride; the router recomputes them. With
``d = declared - computed``, the declared km are *over-declared* (verdict ``adjust``, corrected
to the computed km) when ``d`` exceeds the tolerance:

* rule ``"either"`` (default): over-declared only when ``d > km`` **and** ``d > pct % of
  computed``; the declared km stand if they are within either bound. The absolute bound spares
  short rides (a 3 km ride 0.4 km off is 13 %), the percentage long ones;
* rule ``"both"``: over-declared when ``d > km`` **or** ``d > pct %``.

Under-declared km beyond the same tolerance are paid as declared and reported
(``KM_UNDER_DECLARED``). No insurer publishes an audit tolerance: the defaults (1 km, 5 %,
``either``) are this project's choice, wider than the engines' disagreement on near ties.

Amount
------
The amount due is what :func:`~transport.tariffs.check_rate` allows for the *accepted* km (the
declared km when within tolerance, else the computed km; see the rounding rule below): taxi at
the carrier's tariff (an uncontracted carrier capped at 80 % of the average contracted tariff
under natura, 100 % of the market-conform tariff under restitutie), own car at the km rate of
the ride date, public transport at the declared fare (no fare table). The eigen bijdrage is
not deducted: it depends on the insured's whole year and is settled with the insured, not the
declarer. A declared amount above the amount due (by more than ``Tolerance.eur``) is corrected to it
(``AMOUNT_OVER_DUE``, Vektis 0611); a lower one is paid as declared.

Rounded km (why ``Tolerance.eur`` defaults to 0.00)
---------------------------------------------------
Declared km are usually a rounding of a route planner's km (``quote`` shows 10.4 km for a
10.416 km trip) while the price is computed on the unrounded km (10.416 x 0.40 = 4.17, against
10.4 x 0.40 = 4.16). So when the declared km are the recomputed km *rounded to the digits they
are written with* (``|declared - computed| <= half a unit of the last digit``, see
:func:`transport.audit_columns.km_rounding`: 10.4 stands for 10.35-10.45), the price may rest on
the unrounded km, and the accepted km are ``max(declared, computed)``. The amount due then
covers a price on either figure, for every mode and tariff, without a blanket amount tolerance:
a declared amount above what the rules allow for the recomputed trip is still corrected, by the
cent. Not when an end is located coarser than an address (postcode6, postcode4): the computed
km are then only an estimate. ``Tolerance.eur`` (``--tolerance-eur``) stays available for other
rounding habits; it is per ride.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from transport.audit_columns import code_text, is_missing, normalise_name
from transport.authorisation import Authorisation, check_authorisation
from transport.checks import normalise_bsn_key
from transport.decisions import UsedParameter
from transport.devices import transport_direct_declaration
from transport.distance import RideDistance
from transport.errors import InvalidInput, ParameterNotInForce
from transport.indications import Indication
from transport.parameters import ParameterSet
from transport.tariffs import (
    Carrier,
    Mode,
    PolicyType,
    RateCase,
    TariffNotFound,
    TariffTable,
    check_rate,
    ride_amounts,
)
from transport.workdays import parse_date

# --- tolerance --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tolerance:
    """How far declared km may exceed (or fall short of) the recomputed km.

    Attributes
    ----------
    km : float
        Absolute tolerance in km (loaded km, both legs).
    pct : float
        Relative tolerance in percent of the computed km.
    rule : {"either", "both"}
        ``"either"``: declared km stand when within either bound; ``"both"``: only when within
        both (see the module docstring).
    eur : Decimal
        Amount tolerance in euro: a declared amount up to this much above the amount due stands.
    """

    km: float = 1.0
    pct: float = 5.0
    rule: Literal["either", "both"] = "either"
    eur: Decimal = Decimal("0.00")

    def __post_init__(self) -> None:
        for name in ("km", "pct"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise InvalidInput(
                    f"tolerance {name} must be a number >= 0", field=f"tolerance_{name}"
                )
            object.__setattr__(self, name, float(value))
        if self.rule not in ("either", "both"):
            raise InvalidInput("tolerance rule must be 'either' or 'both'", field="tolerance_rule")
        eur = Decimal(str(self.eur))
        if not eur.is_finite() or eur < 0:
            raise InvalidInput("amount tolerance must be >= 0", field="tolerance_eur")
        object.__setattr__(self, "eur", eur)

    def beyond(self, deviation: np.ndarray, computed: np.ndarray) -> np.ndarray:
        """Whether ``deviation`` (>= 0, km) lies beyond the tolerance for ``computed`` km."""
        with np.errstate(invalid="ignore"):
            over_abs = deviation > self.km
            over_pct = deviation > computed * self.pct / 100.0  # as written: pct % of computed
        return (over_abs & over_pct) if self.rule == "either" else (over_abs | over_pct)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"km": self.km, "pct": self.pct, "rule": self.rule, "eur": f"{self.eur:.2f}"}


# --- authorisations ---------------------------------------------------------------------------

AUTH_COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("authorisation_number", "machtigingsnummer", "authorization_number"),
    "insured": ("bsn", "insured_bsn", "burgerservicenummer"),
    "indication": ("indicatie",),
    "mode": ("vervoerswijze",),
    "carrier": ("carrier_agb", "agb_code", "carrier_name", "vervoerder"),
    "valid_from": ("geldig_van", "geldig_vanaf", "start"),
    "valid_to": ("geldig_tot", "geldig_tot_en_met", "end"),
    "max_rides": ("max_ritten", "maximum_ritten"),
    "rides_used": ("ritten_gebruikt",),
}
_AUTH_REQUIRED = ("number", "indication", "mode", "valid_from", "valid_to")


def file_sha256(path: str | Path) -> str:
    """Return the SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class AuthorisationBook:
    """The insurer's authorisations, by number.

    Attributes
    ----------
    by_number : dict
        Authorisation number -> :class:`~transport.authorisation.Authorisation` (the insured as
        a normalised BSN key, compared and never shown).
    source : str
        File name (or ``"given"``).
    sha256 : str, optional
        SHA-256 of the file.
    """

    by_number: Mapping[str, Authorisation]
    source: str = "given"
    sha256: str | None = None

    def __len__(self) -> int:
        return len(self.by_number)

    def get(self, number: str | None) -> Authorisation | None:
        """Return the authorisation ``number``, or ``None``."""
        return None if number is None else self.by_number.get(number)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready description (no authorisation contents)."""
        return {"source": self.source, "sha256": self.sha256, "authorisations": len(self)}


def read_authorisations(source: str | Path | pd.DataFrame | AuthorisationBook) -> AuthorisationBook:
    """Read the authorisations file (CSV, Excel or Parquet) or a DataFrame.

    Columns (aliases in :data:`AUTH_COLUMNS`): ``number``, ``insured`` (BSN, optional),
    ``indication``, ``mode``, ``carrier`` (AGB code or name, optional), ``valid_from``,
    ``valid_to``, ``max_rides`` (optional), ``rides_used`` (optional: rides made before this
    file's rides).

    Raises
    ------
    InvalidInput
        For a missing column, a malformed row (naming its row number, never its contents) or a
        number that occurs twice.
    """
    if isinstance(source, AuthorisationBook):
        return source
    name, sha = "given", None
    if isinstance(source, pd.DataFrame):
        frame = source
    else:
        from ziekenvervoer.io import read_table

        path = Path(source)
        try:
            frame = read_table(path)
        except Exception as exc:
            raise InvalidInput(
                f"cannot read authorisations file {path.name}", field="authorisations"
            ) from exc
        name, sha = path.name, file_sha256(path)
    if "row_error" in frame.columns:  # marked by ziekenvervoer.io.read_table: a malformed line
        errors = frame["row_error"].to_numpy(dtype=object)
        for i, err in enumerate(errors, start=1):
            if not is_missing(err):
                raise InvalidInput(
                    f"authorisations file {name}, data row {i}: malformed ({err}); fix the file",
                    field="authorisations",
                )
    by_norm = {normalise_name(c): c for c in frame.columns}
    cols: dict[str, str] = {}
    for canon, aliases in AUTH_COLUMNS.items():
        for cand in (canon, *aliases):
            if normalise_name(cand) in by_norm:
                cols[canon] = by_norm[normalise_name(cand)]
                break
    missing = [c for c in _AUTH_REQUIRED if c not in cols]
    if missing:
        raise InvalidInput(
            f"authorisations file {name} lacks column(s) {', '.join(missing)}; expected "
            f"{', '.join(AUTH_COLUMNS)}",
            field="authorisations",
        )
    book: dict[str, Authorisation] = {}
    records = frame[list(cols.values())].to_numpy(dtype=object)
    keys = list(cols)
    for i, values in enumerate(records, start=1):
        rec = dict(zip(keys, values, strict=True))
        try:
            auth = _authorisation(rec)
        except InvalidInput as exc:
            raise InvalidInput(
                f"authorisations file {name}, data row {i}: {exc.message}", field="authorisations"
            ) from None
        if auth.number in book:
            raise InvalidInput(
                f"authorisations file {name}, data row {i}: number occurs twice",
                field="authorisations",
            )
        book[auth.number] = auth
    return AuthorisationBook(book, name, sha)


def _int_or_none(value: Any, field_name: str) -> int | None:
    text = code_text(value)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"{field_name} must be a whole number", field=field_name) from None


def _authorisation(rec: Mapping[str, Any]) -> Authorisation:
    number = code_text(rec.get("number"))
    if number is None:
        raise InvalidInput("number is missing", field="number")
    carrier = code_text(rec.get("carrier"))
    used = _int_or_none(rec.get("rides_used"), "rides_used")
    return Authorisation(
        number=number,
        indication=normalise_name(rec.get("indication") or ""),  # type: ignore[arg-type]
        mode=normalise_name(rec.get("mode") or ""),  # type: ignore[arg-type]
        valid_from=parse_date(rec.get("valid_from"), field="valid_from"),
        valid_to=parse_date(rec.get("valid_to"), field="valid_to"),
        insured=normalise_bsn_key(rec.get("insured")),
        carrier=carrier,
        max_rides=_int_or_none(rec.get("max_rides"), "max_rides"),
        rides_used=0 if used is None else used,
    )


def _is_agb(text: str | None) -> bool:
    return text is not None and len(text) == 8 and text.isascii() and text.isdigit()


def authorisation_codes(
    book: AuthorisationBook | None,
    number: str | None,
    *,
    ride_date: dt.date,
    indication: Indication | None,
    mode: Mode,
    carrier_name: str | None,
    carrier_agb: str | None,
    carrier_contracted: bool | None,
    insured: str | None,
    ride_number: int,
) -> tuple[str, ...]:
    """Return the audit codes of the authorisation check for one row.

    Without a book only the number's presence is checked (``AUTH_NOT_VERIFIED``). With one,
    :func:`~transport.authorisation.check_authorisation` decides; its procedural note is left
    out. The authorisation's carrier is compared with the declaration's AGB code when it is 8
    digits, else with the carrier name. ``insured`` is the normalised BSN key.
    """
    if number is None:
        return ("AUTH_MISSING",)
    if book is None:
        return ("AUTH_NOT_VERIFIED",)
    auth = book.get(number)
    if auth is None:
        return ("AUTH_UNKNOWN",)
    extra: tuple[str, ...] = ()
    if indication is None:
        indication = auth.indication
        extra = ("AUTH_INDICATION_NOT_DECLARED",)
    carrier = carrier_agb if _is_agb(auth.carrier) else carrier_name
    decision = check_authorisation(
        auth,
        ride_date=ride_date,
        indication=indication,
        mode=mode,
        carrier=carrier,
        carrier_contracted=carrier_contracted,
        insured=insured,
        ride_number=ride_number,
    )
    return tuple(r.code for r in decision.reasons if r.code != "AUTH_PROCEDURE") + extra


def ride_numbers(
    numbers: np.ndarray, days: np.ndarray, row_numbers: np.ndarray, counted: np.ndarray,
    book: AuthorisationBook | None,
) -> np.ndarray:  # fmt: skip
    """Return each ride's number under its authorisation: 1, 2, ... by (date, row number).

    Only rows with ``counted`` true (not a duplicate, a readable date) whose date lies within the
    authorisation's validity count, as in :func:`transport.quote.quote`; other rows get 1.
    """
    n = len(numbers)
    out = np.ones(n, dtype=np.int64)
    if book is None or not n:
        return out
    valid = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(counted):
        auth = book.get(numbers[i])
        if auth is not None and auth.covers_date(days[i]):
            valid[i] = True
    idx = np.flatnonzero(valid)
    if not len(idx):
        return out
    frame = pd.DataFrame(
        {"number": numbers[idx], "day": days[idx], "row": row_numbers[idx], "pos": idx}
    ).sort_values(["number", "day", "row"], kind="mergesort")
    frame["n"] = frame.groupby("number", sort=False).cumcount() + 1
    out[frame["pos"].to_numpy()] = frame["n"].to_numpy()
    return out


# --- who may declare --------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def direct_declaration_codes(
    contracted: bool, agb_code: str | None, known: bool | None
) -> tuple[str, ...]:
    """Return the audit codes of :func:`transport.devices.transport_direct_declaration`.

    ``known=None`` (no tariff table to tell) skips the check for an uncontracted carrier with
    ``TRANSPORT_KNOWN_NOT_CHECKED``. A carrier that may declare gives no code.
    """
    if not contracted and known is None:
        return ("TRANSPORT_KNOWN_NOT_CHECKED",)
    decision = transport_direct_declaration(
        contracted=contracted, agb_code=agb_code, known_to_insurer=bool(known)
    )
    return () if decision.ok else decision.codes


# --- amounts ----------------------------------------------------------------------------------


def _same_name(a: str, b: str) -> bool:
    def key(t: str) -> str:
        norm = unicodedata.normalize("NFKD", t.strip().casefold())
        return "".join(c for c in norm if not unicodedata.combining(c))

    return key(a) == key(b)


@dataclass(frozen=True)
class AmountResult:
    """The amount due for a ride, or why it could not be computed.

    Attributes
    ----------
    code : str
        ``""`` when computed, else ``AMOUNT_NO_TARIFF`` / ``AMOUNT_PARAMETER_NOT_IN_FORCE``.
    due : Decimal, optional
        The most the rules allow for the ride (reimbursable, before the eigen bijdrage).
    parameters : tuple of UsedParameter
        Parameter values used.
    tariff_source : str, optional
        The tariff (and reference tariff) rows used.
    """

    code: str
    due: Decimal | None = None
    parameters: tuple[UsedParameter, ...] = ()
    tariff_source: str | None = None


class MemoParameters(ParameterSet):
    """A :class:`~transport.parameters.ParameterSet` that remembers each (name, date) answer.

    Within one audit run the parameter files are read once per name and date instead of being
    checked on disk at every lookup (a batch asks for the same few values many times).
    """

    def __init__(self, base: ParameterSet) -> None:
        super().__init__(overrides=base.overrides)
        self.directories = base.directories
        self._memo: dict[tuple[str, dt.date], UsedParameter | ParameterNotInForce] = {}

    def used(self, name: str, on: dt.date) -> UsedParameter:
        """Return the value of ``name`` on ``on`` (see :meth:`ParameterSet.used`), remembered."""
        key = (name, on)
        found = self._memo.get(key)
        if found is None:
            try:
                found = super().used(name, on)
            except ParameterNotInForce as exc:
                found = exc
            self._memo[key] = found
        if isinstance(found, ParameterNotInForce):
            raise found
        return found


class RateBook:
    """Amounts due by :func:`transport.tariffs.check_rate`, cached for repeating facts.

    Parameters
    ----------
    tariffs : TariffTable, optional
        Carriers and reference tariffs; without it taxi amounts are not checked.
    parameters : ParameterSet
        Rates (own car per km) and shares (natura 80 %, restitutie 100 %).
    max_cached : int
        The cache is emptied when it holds this many answers (memory stays bounded).
    """

    def __init__(
        self, tariffs: TariffTable | None, parameters: ParameterSet, max_cached: int = 200_000
    ) -> None:
        self.tariffs = tariffs
        self.parameters = (
            parameters if isinstance(parameters, MemoParameters) else MemoParameters(parameters)
        )
        self.max_cached = max_cached
        self._names: dict[str, str | None] = {}
        self._carriers: dict[tuple[str, dt.date], Carrier | None] = {}
        self._amounts: dict[tuple[Any, ...], AmountResult] = {}

    def carrier_ref(self, name: str | None, agb: str | None) -> str | None:
        """Return the tariff table's name for a carrier (by name, else by AGB code), or None."""
        if self.tariffs is None:
            return None
        for ref in (name, agb):
            if ref is None:
                continue
            if ref not in self._names:
                self._names[ref] = next(
                    (
                        r.name
                        for r in self.tariffs.rows
                        if r.kind == "carrier" and _same_name(r.name, ref)
                    ),
                    None,
                )
            if self._names[ref] is not None:
                return self._names[ref]
        return None

    def carrier(self, ref: str, on: dt.date) -> Carrier | None:
        """Return the table's carrier ``ref`` with its tariff on ``on`` (None: none then)."""
        key = (ref, on)
        if key not in self._carriers:
            try:
                self._carriers[key] = self.tariffs.carrier(ref, on)  # type: ignore[union-attr]
            except (TariffNotFound, AttributeError):
                self._carriers[key] = None
        return self._carriers[key]

    def table_contracted(self, ref: str, on: dt.date) -> bool | None:
        """Return the table's contract status of ``ref`` on ``on`` (None: no tariff then)."""
        found = self.carrier(ref, on)
        return None if found is None else found.contracted

    def amount(
        self,
        mode: Mode,
        on: dt.date,
        loaded_km: Decimal,
        *,
        carrier_ref: str | None = None,
        contracted: bool | None = None,
        policy_type: PolicyType | None = None,
        fare: Decimal | None = None,
    ) -> AmountResult:
        """Return the amount due for one ride (cached on all arguments)."""
        key = (mode, on, loaded_km, carrier_ref, contracted, policy_type, fare)
        found = self._amounts.get(key)
        if found is None:
            if len(self._amounts) >= self.max_cached:
                self._amounts.clear()
            table_carrier = (
                self.carrier(carrier_ref, on)
                if mode is Mode.TAXI and carrier_ref is not None
                else None
            )
            found = self._amounts[key] = _amount(
                self.tariffs, self.parameters, mode, on, loaded_km, table_carrier, contracted,
                policy_type, fare,
            )  # fmt: skip
        return found


def _amount(
    table: TariffTable | None,
    params: ParameterSet,
    mode: Mode,
    on: dt.date,
    loaded_km: Decimal,
    found: Carrier | None,
    contracted: bool | None,
    policy_type: PolicyType | None,
    fare: Decimal | None,
) -> AmountResult:
    carrier: Carrier | None = None
    if mode is Mode.TAXI:
        if table is None or found is None:
            return AmountResult("AMOUNT_NO_TARIFF")
        carrier = Carrier(
            found.name,
            found.contracted if contracted is None else contracted,
            found.tariff,
            found.region,
        )
    distance = RideDistance(single_trip_km=loaded_km / 2, loaded_km=loaded_km, legs=2)
    try:
        decision = check_rate(
            RateCase(
                ride_date=on,
                mode=mode,
                distance=distance,
                policy_type=policy_type,
                carrier=carrier,
                pt_fare_eur=fare if mode is Mode.PUBLIC_TRANSPORT else None,
            ),
            parameters=params,
            tariffs=table,
        )
    except ParameterNotInForce:
        return AmountResult("AMOUNT_PARAMETER_NOT_IN_FORCE")
    except TariffNotFound:
        return AmountResult("AMOUNT_NO_TARIFF")
    _, reimbursable = ride_amounts(decision)
    source = None
    if carrier is not None:
        source = carrier.tariff.source
        ref = decision.details.get("reference_tariff")
        if ref:
            source += f" | {ref['source']}"
    return AmountResult("", reimbursable, decision.parameters, source)


def parameters_text(used: tuple[UsedParameter, ...]) -> str:
    """Format parameter versions for a row: ``name=value@since`` joined by ``;``, sorted."""
    parts = {f"{p.name}={p.value}@{p.since or 'override'}" for p in used}
    return ";".join(sorted(parts))


def parse_ride_date(value: Any) -> dt.date | None:
    """Return the ride date, or ``None`` when missing or unreadable."""
    if is_missing(value):
        return None
    try:
        return parse_date(value)
    except InvalidInput:
        return None


__all__ = [
    "AUTH_COLUMNS",
    "AmountResult",
    "AuthorisationBook",
    "RateBook",
    "Tolerance",
    "authorisation_codes",
    "direct_declaration_codes",
    "file_sha256",
    "parameters_text",
    "parse_ride_date",
    "read_authorisations",
    "ride_numbers",
]
