"""Formal checks a claims auditor runs on one declaration row, per row and for a whole batch.

Each check exists twice with the same answers:

* per row -- :func:`check_bsn`, :func:`check_agb`, :func:`check_dates`,
  :func:`check_single_trip_cap` and :class:`DuplicateTracker` return a
  :class:`~transport.decisions.Decision` with reason codes, texts, sources and Vektis return
  codes (COD954) where one fits;
* per batch -- :func:`check_frame` takes a DataFrame and returns, per row and per check,
  ``<check>_ok``, ``<check>_codes`` and ``<check>_vektis`` (codes joined with ``";"``), the
  duplicate reference and a combined verdict of the formal checks.

The batch path reads each *distinct* value of a column once with the same scalar function the
per-row path uses (``pandas.factorize``), and does the rest (11-proof, date comparisons, the
200 km cap, duplicate detection) with numpy/pandas operations on whole columns; the codes of a
row are built by the same function from the same outcome flags. A property test checks that both
paths agree on random rows.

Outcome convention: ``ok`` is true only when the check positively passes. A check that cannot run
because its input is missing or unreadable fails with its own code (``*_MISSING``,
``*_INVALID``, ``*_NOT_CHECKED``) so that no row passes unchecked.

Reason codes and Vektis codes
-----------------------------
========================== ====== ==========================================================
code                       Vektis meaning
========================== ====== ==========================================================
BSN_OK                            BSN passes the 11-proof
BSN_MISSING                0435   no BSN
BSN_FORMAT                 0435   not 9 digits (8 digits are read with a leading zero)
BSN_CHECKSUM               0435   BSN fails the 11-proof
AGB_OK                            8 digits
AGB_MISSING                       no AGB code
AGB_FORMAT                        not exactly 8 digits (2 zorgverlenersoort + 6 number)
DATES_OK                          ride date not after declaration date, neither in the future
RIDE_DATE_MISSING          8007   no ride date
RIDE_DATE_INVALID          8007   ride date is not a date
DECLARATION_DATE_MISSING          no declaration date
DECLARATION_DATE_INVALID          declaration date is not a date
RIDE_AFTER_DECLARATION     8176   ride date after the declaration (invoice) date
RIDE_DATE_IN_FUTURE        8007   ride date after "today"
DECLARATION_DATE_IN_FUTURE        declaration date after "today"
NOT_DUPLICATE                     first row with this key
DUPLICATE                  0587   same insured, ride date and route as an earlier row
DUPLICATE_NOT_CHECKED             key incomplete (BSN, ride date, origin or destination)
TRIP_WITHIN_CAP                   single trip <= cap
TRIP_OVER_CAP              0613   single trip > cap: not covered (Bzv art. 2.14 lid 1)
TRIP_OVER_CAP_PERMITTED           over the cap with the insurer's permission
TRIP_KM_MISSING                   no km
TRIP_KM_INVALID                   km not a finite number >= 0
TRIP_CAP_NOT_CHECKED              no valid ride date to look the cap up for
TRIP_CAP_NOT_IN_FORCE             the cap parameter has no value on the ride date
========================== ====== ==========================================================

No check ever puts a BSN, a name or an address in a reason text or an error message.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError
from stdnum.nl import bsn as stdnum_bsn

from transport.decisions import Decision, Reason, UsedParameter
from transport.distance import check_single_trip_cap as distance_cap
from transport.errors import InvalidInput, ParameterNotInForce
from transport.parameters import ParameterSet
from transport.workdays import parse_date

CAP_PARAMETER = "single_trip_km_cap"

SOURCE_BSN = "Wet algemene bepalingen burgerservicenummer; 11-proef (python-stdnum stdnum.nl.bsn)"
SOURCE_AGB = "AGB-register (Vektis): 8 cijfers, 2 zorgverlenersoort + 6 volgnummer"
SOURCE_DATES = "Vektis COD954 retourcodes 8007 (datum onjuist) en 8176 (datum na factuurdatum)"
SOURCE_DUPLICATE = "Vektis COD954 retourcode 0587 (dubbele declaratie)"
SOURCE_CAP = "Besluit zorgverzekering (BWBR0018492) art. 2.14 lid 1"

#: Canonical column names :func:`check_frame` reads; map yours with ``columns=``.
CANONICAL_COLUMNS: dict[str, str] = {
    "declaration_id": "declaration id (optional; used to name the original of a duplicate)",
    "bsn": "BSN of the insured (text; 8 digits are read with a leading zero)",
    "agb_code": "AGB code of the carrier or provider (text, 8 digits)",
    "ride_date": "date of the ride (date or YYYY-MM-DD / DD-MM-YYYY)",
    "declaration_date": "date of the declaration (invoice)",
    "origin": "origin of the ride (address text, or coordinates formatted as 'lat,lon')",
    "destination": "destination of the ride (same form as origin)",
    "single_trip_km": "single-trip distance in km (number)",
    "over_cap_permitted": "optional: insurer permitted a longer trip (true/false)",
}

CHECKS: tuple[str, ...] = ("bsn", "agb_code", "dates", "duplicate", "single_trip_cap")

_CODE = tuple[str, str | None]  # (reason code, Vektis code)


def _is_missing(value: Any) -> bool:
    """Whether a scalar is None, NaN, NaT, ``pd.NA`` or blank text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, np.datetime64) and np.isnat(value):
        return True
    return isinstance(value, str) and not value.strip()


def _code_text(value: Any) -> str:
    """Return an identifier (BSN, AGB code) as text; integral numbers lose their ``.0``."""
    if isinstance(value, bool | int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating | Decimal):
        try:
            if value == int(value):
                return str(int(value))
        except (ArithmeticError, ValueError):  # NaN, infinity
            pass
    return str(value)


def _decision(
    rule: str,
    codes: tuple[_CODE, ...],
    texts: Mapping[str, str],
    source: str,
    pass_codes: frozenset[str],
    parameters: tuple[UsedParameter, ...] = (),
    details: dict[str, Any] | None = None,
) -> Decision:
    """Build a decision; ``ok`` when every code is a passing one."""
    reasons = tuple(Reason(c, texts[c], source=source, vektis=v) for c, v in codes)
    ok = all(c in pass_codes for c, _ in codes)
    return Decision(rule, ok, reasons, parameters, details or {})


# --- BSN --------------------------------------------------------------------------------------

_BSN_PASS = frozenset({"BSN_OK"})
_BSN_TEXT = {
    "BSN_OK": "BSN passes the 11-proof",
    "BSN_MISSING": "BSN is missing",
    "BSN_FORMAT": "BSN is not 9 digits (8 digits are read with a leading zero)",
    "BSN_CHECKSUM": "BSN fails the 11-proof",
}


def bsn_status(value: Any) -> str:
    """Return the BSN reason code for one value (``BSN_OK``, ``BSN_MISSING``, ...).

    Numbers are read as text (``123456782`` -> ``"123456782"``); separators (space, ``-``,
    ``.``) are allowed and 8 digits get a leading zero, as in ``stdnum.nl.bsn``.
    """
    if _is_missing(value):
        return "BSN_MISSING"
    try:
        stdnum_bsn.validate(_code_text(value))
    except InvalidChecksum:
        return "BSN_CHECKSUM"
    except (InvalidLength, ValidationError):
        return "BSN_FORMAT"
    return "BSN_OK"


def check_bsn(bsn: Any) -> Decision:
    """Check a BSN with the 11-proof (python-stdnum).

    Parameters
    ----------
    bsn : str or int
        The citizen service number; text is preferred (a number loses leading zeros, which
        the check restores for 8 digits only).

    Returns
    -------
    Decision
        Rule ``"bsn"``; a failure carries Vektis 0435 (BSN onjuist). The BSN itself is never in
        the decision.
    """
    code = bsn_status(bsn)
    vektis = None if code == "BSN_OK" else "0435"
    return _decision("bsn", ((code, vektis),), _BSN_TEXT, SOURCE_BSN, _BSN_PASS)


_DIGITS_1_9 = re.compile(r"[0-9]{1,9}")
_BSN_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1], dtype=np.int64)
_POW10 = 10 ** np.arange(8, -1, -1, dtype=np.int64)


def bsn_status_array(values: Any) -> np.ndarray:
    """Vectorised :func:`bsn_status`: an array of reason codes, one per value.

    Plain digit strings of 1-9 digits (the usual case) are checked with numpy; anything else
    (separators, letters, other lengths) goes through :func:`bsn_status` one by one.
    """
    texts = [None if _is_missing(v) else _code_text(v) for v in values]
    out = np.empty(len(texts), dtype=object)
    fast_idx: list[int] = []
    fast_num: list[int] = []
    for i, t in enumerate(texts):
        if t is None:
            out[i] = "BSN_MISSING"
        elif _DIGITS_1_9.fullmatch(t):
            fast_idx.append(i)
            fast_num.append(int(t))
        else:
            out[i] = bsn_status(t)
    if fast_idx:
        nums = np.array(fast_num, dtype=np.int64)
        digits = (nums[:, None] // _POW10[None, :]) % 10
        checksum_ok = (digits @ _BSN_WEIGHTS) % 11 == 0
        codes = np.where(nums <= 0, "BSN_FORMAT", np.where(checksum_ok, "BSN_OK", "BSN_CHECKSUM"))
        out[np.array(fast_idx)] = codes.astype(object)
    return out


# --- AGB code ---------------------------------------------------------------------------------

_AGB_RE = re.compile(r"[0-9]{8}")
_AGB_PASS = frozenset({"AGB_OK"})
_AGB_TEXT = {
    "AGB_OK": "AGB code has 8 digits",
    "AGB_MISSING": "AGB code is missing",
    "AGB_FORMAT": "AGB code is not 8 digits (2 for the zorgverlenersoort + 6)",
}


def agb_status(value: Any) -> str:
    """Return the AGB reason code for one value: 8 ASCII digits, surrounding spaces allowed.

    Numbers are read as text, so an AGB code whose zorgverlenersoort starts with 0 must be
    passed as text (``"01234567"``); as a number it has 7 digits and fails.
    """
    if _is_missing(value):
        return "AGB_MISSING"
    return "AGB_OK" if _AGB_RE.fullmatch(_code_text(value).strip()) else "AGB_FORMAT"


def check_agb(code: Any, *, field: str = "agb_code") -> Decision:
    """Check the form of an AGB code (8 digits: zorgverlenersoort 2 + number 6).

    Parameters
    ----------
    code : str
        The AGB code (of a carrier, a provider or a practice).
    field : str, default "agb_code"
        Name of the field, kept in the decision's details.

    Returns
    -------
    Decision
        Rule ``"agb_code"``; details hold the ``zorgverlenersoort`` when the form is right.
    """
    status = agb_status(code)
    details: dict[str, Any] = {"field": field}
    if status == "AGB_OK":
        details["zorgverlenersoort"] = _code_text(code).strip()[:2]
    return _decision(
        "agb_code", ((status, None),), _AGB_TEXT, SOURCE_AGB, _AGB_PASS, details=details
    )


# --- dates ------------------------------------------------------------------------------------

_DATES_PASS = frozenset({"DATES_OK"})


def _date_status(value: Any) -> tuple[str, dt.date | None]:
    """Return ``("ok", date)``, ``("missing", None)`` or ``("invalid", None)``."""
    if _is_missing(value):
        return "missing", None
    try:
        return "ok", parse_date(value)
    except InvalidInput:
        return "invalid", None


def _date_codes(
    ride: str,
    declaration: str,
    ride_after_declaration: bool,
    ride_future: bool,
    declaration_future: bool,
) -> tuple[_CODE, ...]:
    """Build the reason codes of the dates check from its outcome flags (shared by both paths)."""
    codes: list[_CODE] = []
    if ride == "missing":
        codes.append(("RIDE_DATE_MISSING", "8007"))
    elif ride == "invalid":
        codes.append(("RIDE_DATE_INVALID", "8007"))
    if declaration == "missing":
        codes.append(("DECLARATION_DATE_MISSING", None))
    elif declaration == "invalid":
        codes.append(("DECLARATION_DATE_INVALID", None))
    if ride_after_declaration:
        codes.append(("RIDE_AFTER_DECLARATION", "8176"))
    if ride_future:
        codes.append(("RIDE_DATE_IN_FUTURE", "8007"))
    if declaration_future:
        codes.append(("DECLARATION_DATE_IN_FUTURE", None))
    return tuple(codes) or (("DATES_OK", None),)


def check_dates(ride_date: Any, declaration_date: Any, *, today: dt.date) -> Decision:
    """Check that the ride date is not after the declaration date and neither is in the future.

    Parameters
    ----------
    ride_date, declaration_date : date, datetime or str
        Text as ``YYYY-MM-DD`` or ``DD-MM-YYYY``.
    today : datetime.date
        The reference day (given, so that a rerun gives the same answer). Equal dates pass.

    Returns
    -------
    Decision
        Rule ``"dates"``; every failing condition is listed (8176 ride after declaration,
        8007 ride date missing, unreadable or in the future).
    """
    today = parse_date(today, field="today")
    ride_s, ride = _date_status(ride_date)
    decl_s, decl = _date_status(declaration_date)
    codes = _date_codes(
        ride_s,
        decl_s,
        ride is not None and decl is not None and ride > decl,
        ride is not None and ride > today,
        decl is not None and decl > today,
    )
    texts = {
        "DATES_OK": "ride date is not after the declaration date; neither is in the future",
        "RIDE_DATE_MISSING": "ride date is missing",
        "RIDE_DATE_INVALID": "ride date is not a date (use YYYY-MM-DD)",
        "DECLARATION_DATE_MISSING": "declaration date is missing",
        "DECLARATION_DATE_INVALID": "declaration date is not a date (use YYYY-MM-DD)",
        "RIDE_AFTER_DECLARATION": f"ride date {ride} is after the declaration date {decl}",
        "RIDE_DATE_IN_FUTURE": f"ride date {ride} is after today ({today})",
        "DECLARATION_DATE_IN_FUTURE": f"declaration date {decl} is after today ({today})",
    }
    return _decision(
        "dates", codes, texts, SOURCE_DATES, _DATES_PASS, details={"today": today.isoformat()}
    )


# --- single-trip cap --------------------------------------------------------------------------

_CAP_PASS = frozenset({"TRIP_WITHIN_CAP", "TRIP_OVER_CAP_PERMITTED"})


def _km_status(value: Any) -> tuple[str, float | None]:
    """Return ``("ok", km)``, ``("missing", None)`` or ``("invalid", None)``."""
    if _is_missing(value):
        return "missing", None
    if isinstance(value, bool):
        return "invalid", None
    try:
        km = float(value) if not isinstance(value, str) else float(value.strip())
    except (TypeError, ValueError):
        return "invalid", None
    if math.isnan(km):
        return "missing", None
    if not math.isfinite(km) or km < 0:
        return "invalid", None
    return "ok", km


def _cap_codes(km: str, date_ok: bool, cap_known: bool, over: bool, permitted: bool) -> _CODE:
    if km == "missing":
        return ("TRIP_KM_MISSING", None)
    if km == "invalid":
        return ("TRIP_KM_INVALID", None)
    if not date_ok:
        return ("TRIP_CAP_NOT_CHECKED", None)
    if not cap_known:
        return ("TRIP_CAP_NOT_IN_FORCE", None)
    if over:
        return ("TRIP_OVER_CAP_PERMITTED", None) if permitted else ("TRIP_OVER_CAP", "0613")
    return ("TRIP_WITHIN_CAP", None)


def _truthy(value: Any) -> bool:
    if _is_missing(value):
        return False
    if isinstance(value, str):
        return value.strip().casefold() in {"1", "true", "yes", "ja", "j", "y", "waar"}
    return bool(value)


def check_single_trip_cap(
    km: Any,
    ride_date: Any,
    *,
    parameters: ParameterSet | None = None,
    over_cap_permitted: bool = False,
) -> Decision:
    """Check a single-trip distance against the cap (200 km, parameter ``single_trip_km_cap``).

    Parameters
    ----------
    km : float
        Single-trip distance in km. Exactly the cap passes.
    ride_date : date or str
        The cap in force on this date is used.
    parameters : ParameterSet, optional
        Where the cap is read.
    over_cap_permitted : bool, default False
        The insurer permitted transport over a longer distance (the limit then lapses; see the
        domain facts on Bzv art. 2.13/2.14).

    Returns
    -------
    Decision
        Rule ``"single_trip_cap"``; over the cap without permission is ``TRIP_OVER_CAP`` with
        Vektis 0613 (not covered under the policy).

    Notes
    -----
    The rule itself (inclusive cap, permission lifts it) is
    :func:`transport.distance.check_single_trip_cap`, the one the quotes use; this function adds
    the batch-tolerant handling of missing or unreadable input and the Vektis code, and names
    its codes ``TRIP_*`` (``DISTANCE_WITHIN_CAP`` -> ``TRIP_WITHIN_CAP``, ``DISTANCE_OVER_CAP``
    -> ``TRIP_OVER_CAP``, ``DISTANCE_OVER_CAP_APPROVED`` -> ``TRIP_OVER_CAP_PERMITTED``).
    """
    ps = parameters or ParameterSet()
    km_s, value = _km_status(km)
    _, day = _date_status(ride_date)
    permitted = _truthy(over_cap_permitted)
    rule: Decision | None = None
    if km_s == "ok" and day is not None and value is not None:
        try:
            if value > 0:
                # the rule itself: transport.distance (one implementation of the 200 km cap)
                rule = distance_cap(value, day, provider_approved=permitted, parameters=ps)
            else:  # a 0 km trip is within any cap; the distance rule takes only km > 0
                used0 = ps.used(CAP_PARAMETER, day)
                rule = Decision(
                    "single_trip_cap",
                    True,
                    (Reason("DISTANCE_WITHIN_CAP", "", SOURCE_CAP),),
                    (used0,),
                    {"cap_km": float(used0.value)},
                )
        except ParameterNotInForce:
            rule = None
    used: UsedParameter | None = rule.parameters[0] if rule is not None else None
    cap = None if used is None else float(used.value)
    if rule is not None:
        code = _FROM_DISTANCE[rule.reasons[0].code]
    else:
        code = _cap_codes(km_s, day is not None, False, False, permitted)
    over = code[0] in ("TRIP_OVER_CAP", "TRIP_OVER_CAP_PERMITTED")
    texts = {
        "TRIP_WITHIN_CAP": f"single trip {value} km is within the cap of {cap} km",
        "TRIP_OVER_CAP": f"single trip {value} km is over the cap of {cap} km",
        "TRIP_OVER_CAP_PERMITTED": (
            f"single trip {value} km is over the cap of {cap} km, with the insurer's permission"
        ),
        "TRIP_KM_MISSING": "single-trip km is missing",
        "TRIP_KM_INVALID": "single-trip km is not a number >= 0",
        "TRIP_CAP_NOT_CHECKED": "cap not checked: the ride date is missing or not a date",
        "TRIP_CAP_NOT_IN_FORCE": f"parameter {CAP_PARAMETER} has no value on the ride date {day}",
    }
    details: dict[str, Any] = {"km": value, "cap_km": cap}
    if over and cap is not None and value is not None:
        details["excess_km"] = value - cap
    return _decision(
        "single_trip_cap",
        (code,),
        texts,
        SOURCE_CAP,
        _CAP_PASS,
        parameters=() if used is None else (used,),
        details=details,
    )


#: The codes of :func:`transport.distance.check_single_trip_cap` as the formal check names them.
_FROM_DISTANCE: dict[str, _CODE] = {
    "DISTANCE_WITHIN_CAP": ("TRIP_WITHIN_CAP", None),
    "DISTANCE_OVER_CAP": ("TRIP_OVER_CAP", "0613"),
    "DISTANCE_OVER_CAP_APPROVED": ("TRIP_OVER_CAP_PERMITTED", None),
}


# --- duplicates -------------------------------------------------------------------------------

_NON_WORD = re.compile(r"[\W_]+")
_BSN_SEPARATORS = re.compile(r"[\s.\-]")


def normalise_place(value: Any) -> str | None:
    """Return the duplicate-key form of an origin or destination, or ``None`` when empty.

    Unicode NFKC, case-folded, every run of non-letters/digits made one space, trimmed:
    ``"Hengelosestraat 12, ENSCHEDE"`` and ``"hengelosestraat 12 enschede"`` are the same place.
    Coordinates should be formatted with fixed decimals (``f"{lat:.5f},{lon:.5f}"``).
    """
    if _is_missing(value):
        return None
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    text = _NON_WORD.sub(" ", text).strip()
    return text or None


def normalise_bsn_key(value: Any) -> str | None:
    """Return the duplicate-key form of a BSN: separators removed, left-padded to 9 with zeros.

    Invalid BSNs still get a key (they are reported by :func:`check_bsn`).
    """
    if _is_missing(value):
        return None
    text = _BSN_SEPARATORS.sub("", _code_text(value))
    return text.rjust(9, "0") if text else None


DuplicateKey = tuple[str, str, str, str]


def duplicate_key(bsn: Any, ride_date: Any, origin: Any, destination: Any) -> DuplicateKey | None:
    """Return the key two declarations share when they are duplicates, or ``None``.

    The key is (BSN, ride date, origin, destination) after normalisation
    (:func:`normalise_bsn_key`, ISO date, :func:`normalise_place` twice). The route is
    directed: the outward and the return ride of one day (A->B, B->A) are two rides, not
    duplicates. ``None`` when any part is missing or the date unreadable.
    """
    b = normalise_bsn_key(bsn)
    _, day = _date_status(ride_date)
    o = normalise_place(origin)
    d = normalise_place(destination)
    if b is None or day is None or o is None or d is None:
        return None
    return (b, day.isoformat(), o, d)


_DUP_PASS = frozenset({"NOT_DUPLICATE"})


class DuplicateTracker:
    """Per-row duplicate detection over a batch, in input order.

    The first row with a key is the original; every later row with the same key is a duplicate
    of it (Vektis 0587). Use one tracker per batch; :func:`check_frame` gives the same answers
    for a whole DataFrame.
    """

    def __init__(self) -> None:
        self._first: dict[DuplicateKey, Hashable] = {}

    def check(
        self, ref: Hashable, bsn: Any, ride_date: Any, origin: Any, destination: Any
    ) -> Decision:
        """Check one row and remember it.

        Parameters
        ----------
        ref : hashable
            How to name this row when a later one duplicates it (declaration id or row
            number). It is not personal data.
        bsn, ride_date, origin, destination
            The key fields (see :func:`duplicate_key`).

        Returns
        -------
        Decision
            Rule ``"duplicate"``; ``details["duplicate_of"]`` names the original row.
        """
        key = duplicate_key(bsn, ride_date, origin, destination)
        if key is None:
            code: _CODE = ("DUPLICATE_NOT_CHECKED", None)
            original = None
        elif key in self._first:
            original = self._first[key]
            code = ("DUPLICATE", "0587")
        else:
            self._first[key] = ref
            original = None
            code = ("NOT_DUPLICATE", None)
        texts = {
            "NOT_DUPLICATE": "no earlier row with the same insured, ride date and route",
            "DUPLICATE": f"same insured, ride date and route as row {original}",
            "DUPLICATE_NOT_CHECKED": (
                "duplicate check not run: BSN, ride date, origin or destination missing"
            ),
        }
        return _decision(
            "duplicate",
            (code,),
            texts,
            SOURCE_DUPLICATE,
            _DUP_PASS,
            details={"duplicate_of": original},
        )


# --- one row ----------------------------------------------------------------------------------


def check_row(
    row: Mapping[str, Any],
    *,
    today: dt.date,
    parameters: ParameterSet | None = None,
    duplicates: DuplicateTracker | None = None,
    ref: Hashable = None,
) -> dict[str, Decision]:
    """Run every formal check on one row with the canonical field names.

    Parameters
    ----------
    row : mapping
        Fields as in :data:`CANONICAL_COLUMNS` (absent fields count as missing).
    today : datetime.date
        Reference day of the date checks.
    parameters : ParameterSet, optional
    duplicates : DuplicateTracker, optional
        When given, the row is checked against (and added to) it; without one no duplicate
        decision is made.
    ref : hashable, optional
        Name of the row for duplicate references (default: ``row["declaration_id"]``).

    Returns
    -------
    dict of str to Decision
        Keyed by check name (:data:`CHECKS`).
    """
    ps = parameters or ParameterSet()
    out = {
        "bsn": check_bsn(row.get("bsn")),
        "agb_code": check_agb(row.get("agb_code")),
        "dates": check_dates(row.get("ride_date"), row.get("declaration_date"), today=today),
        "single_trip_cap": check_single_trip_cap(
            row.get("single_trip_km"),
            row.get("ride_date"),
            parameters=ps,
            over_cap_permitted=_truthy(row.get("over_cap_permitted")),
        ),
    }
    if duplicates is not None:
        out["duplicate"] = duplicates.check(
            row.get("declaration_id") if ref is None else ref,
            row.get("bsn"),
            row.get("ride_date"),
            row.get("origin"),
            row.get("destination"),
        )
    return out


# --- a whole batch ----------------------------------------------------------------------------

_PASSES: dict[str, frozenset[str]] = {
    "bsn": _BSN_PASS,
    "agb_code": _AGB_PASS,
    "dates": _DATES_PASS,
    "duplicate": _DUP_PASS,
    "single_trip_cap": _CAP_PASS,
}

_NEEDS: dict[str, tuple[str, ...]] = {
    "bsn": ("bsn",),
    "agb_code": ("agb_code",),
    "dates": ("ride_date", "declaration_date"),
    "duplicate": ("bsn", "ride_date", "origin", "destination"),
    "single_trip_cap": ("single_trip_km", "ride_date"),
}

RowCodes = tuple[_CODE, ...]


@dataclass(frozen=True)
class _Outcome:
    """A check's result for a column: an outcome number per row and the codes of each outcome."""

    ids: np.ndarray  # int64, one per row
    table: list[RowCodes]  # codes of outcome number i


def _join(codes: Iterable[_CODE]) -> tuple[str, str]:
    """Return ``(codes, vektis)`` joined with ``";"`` (Vektis codes once each, in order)."""
    codes = tuple(codes)
    vektis = [v for _, v in codes if v]
    return ";".join(c for c, _ in codes), ";".join(dict.fromkeys(vektis))


# pandas.api.types.infer_dtype kinds whose values all behave alike under the scalar functions
_HOMOGENEOUS = frozenset({"string", "integer", "floating", "decimal", "date", "datetime", "empty"})


def _first_positions(codes: np.ndarray) -> np.ndarray:
    """Position of the first row of each code, for codes numbered in order of first appearance."""
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    running_max = np.maximum.accumulate(codes)
    new = np.empty(len(codes), dtype=bool)
    new[0] = True
    new[1:] = codes[1:] > running_max[:-1]
    return np.flatnonzero(new)


def _distinct(values: Any) -> tuple[np.ndarray, list[Any]]:
    """Return, for a 1-D column, each row's number of distinct value and one value of each.

    Values are distinct by value *and* type (``1``, ``1.0`` and ``True`` are three values), so a
    scalar function applied to the representative gives each row the answer it would get on its
    own. In a column of one kind (all text, all numbers, ...) the missing values (None, NaN)
    form one value, which every scalar function here treats alike. Hashing runs in pandas
    (``factorize``).
    """
    if isinstance(values, np.ndarray) and values.dtype == object and values.ndim == 1:
        arr = values
    else:
        arr = np.empty(len(values), dtype=object)
        arr[:] = list(values)
    if not len(arr):
        return np.zeros(0, dtype=np.int64), []
    try:
        codes, _ = pd.factorize(arr, use_na_sentinel=False)
    except TypeError:  # unhashable values: number them one by one
        return np.arange(len(arr), dtype=np.int64), list(arr)
    codes = codes.astype(np.int64)
    if pd.api.types.infer_dtype(arr, skipna=True) not in _HOMOGENEOUS:
        types, _ = pd.factorize(np.array(list(map(type, arr)), dtype=object))
        codes, _ = pd.factorize(codes * (int(types.max()) + 1) + types)
        codes = codes.astype(np.int64)
    return codes, [arr[i] for i in _first_positions(codes)]


def _by_value(values: Any, func: Callable[[Any], Any]) -> tuple[np.ndarray, list[Any]]:
    """Apply ``func`` once per distinct value: ``(row -> result number, results)``."""
    ids, reps = _distinct(values)
    return ids, [func(v) for v in reps]


def per_distinct(values: Any, func: Callable[[Any], Any]) -> np.ndarray:
    """Return ``func(value)`` for every value of a column, calling ``func`` once per distinct value.

    Values are distinct by value and type (``1``, ``1.0`` and ``True`` are read separately).
    This is how the batch paths read a column with exactly the function of the per-row path.

    Returns
    -------
    numpy.ndarray of object
    """
    ids, results = _by_value(values, func)
    table = np.empty(len(results), dtype=object)
    for i, r in enumerate(results):
        table[i] = r
    return table[ids] if len(ids) else np.empty(0, dtype=object)


def _by_pattern(flags: list[np.ndarray], build: Callable[..., RowCodes]) -> _Outcome:
    """Build codes once per distinct combination of small non-negative integer flag columns."""
    cols = [np.asarray(f, dtype=np.int64) for f in flags]
    n = len(cols[0]) if cols else 0
    if not n:
        return _Outcome(np.zeros(0, dtype=np.int64), [])
    radices = [int(c.max()) + 1 for c in cols]
    key = np.zeros(n, dtype=np.int64)
    for c, r in zip(cols, radices, strict=True):
        key = key * r + c
    ids, uniques = pd.factorize(key)
    table = []
    for k in np.asarray(uniques, dtype=np.int64):
        digits = []
        for r in reversed(radices):
            k, d = divmod(int(k), r)
            digits.append(d)
        table.append(build(*reversed(digits)))
    return _compact(_Outcome(ids.astype(np.int64), table))


def _compact(outcome: _Outcome) -> _Outcome:
    """Merge table entries with equal codes, so outcome numbers identify distinct outcomes."""
    seen: dict[RowCodes, int] = {}
    remap = np.array([seen.setdefault(codes, len(seen)) for codes in outcome.table], dtype=np.int64)
    return _Outcome(remap[outcome.ids] if len(remap) else outcome.ids, list(seen))


_STATUS = ("ok", "missing", "invalid")


def _dates_column(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Status number and datetime64[D] (NaT unless ok) per row, parsed once per distinct value."""
    ids, results = _by_value(values, _date_status)
    status = np.array([_STATUS.index(r[0]) for r in results], dtype=np.int64)
    days = np.array(
        [np.datetime64("NaT") if r[1] is None else np.datetime64(r[1], "D") for r in results],
        dtype="datetime64[D]",
    )
    return status[ids], days[ids]


def check_frame(
    df: pd.DataFrame,
    *,
    today: dt.date,
    parameters: ParameterSet | None = None,
    columns: Mapping[str, str] | None = None,
    checks: Iterable[str] = CHECKS,
) -> pd.DataFrame:
    """Run the formal checks on every row of a DataFrame (vectorised).

    Parameters
    ----------
    df : pandas.DataFrame
        One declaration per row, columns as in :data:`CANONICAL_COLUMNS`.
    today : datetime.date
        Reference day of the date checks.
    parameters : ParameterSet, optional
        Where the single-trip cap is read (the value in force on each ride date).
    columns : mapping, optional
        ``{canonical name: your column}`` for names that differ from the canonical ones.
    checks : iterable of str, default all of :data:`CHECKS`
        Which checks to run.

    Returns
    -------
    pandas.DataFrame
        Same index and row order as ``df``. Per check ``<check>_ok`` (bool),
        ``<check>_codes`` and ``<check>_vektis`` (text, ``";"``-joined, empty when none);
        with the duplicate check ``duplicate_of`` (the original's ``declaration_id``, or its
        index label without such a column; ``None`` when not a duplicate); ``formal_ok`` (all
        checks run pass) and ``formal_codes``/``formal_vektis`` (the failing codes of all
        checks, in the order of :data:`CHECKS`).

    Raises
    ------
    InvalidInput
        When a column a requested check needs is absent, or a check name is unknown. Bad
        values never raise: they give their codes.
    """
    wanted = [c for c in CHECKS if c in set(checks)]
    unknown = sorted(set(checks) - set(CHECKS))
    if unknown:
        raise InvalidInput(f"unknown checks {unknown}; choose from {list(CHECKS)}", field="checks")
    mapping = {k: k for k in CANONICAL_COLUMNS} | dict(columns or {})
    for check in wanted:
        for canon in _NEEDS[check]:
            if mapping[canon] not in df.columns:
                raise InvalidInput(
                    f"check '{check}' needs column '{mapping[canon]}' "
                    f"({CANONICAL_COLUMNS[canon]}); map yours with "
                    f"columns={{'{canon}': '<your column>'}}",
                    field=canon,
                )
    today = parse_date(today, field="today")
    today64 = np.datetime64(today, "D")

    def col(name: str) -> np.ndarray:
        return df[mapping[name]].to_numpy(dtype=object)

    n = len(df)
    results: dict[str, _Outcome] = {}
    out = pd.DataFrame(index=df.index)

    ride_status = np.zeros(n, dtype=np.int64)
    ride64 = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    if {"dates", "duplicate", "single_trip_cap"} & set(wanted):
        ride_status, ride64 = _dates_column(col("ride_date"))

    if "bsn" in wanted:
        ids, reps = _distinct(col("bsn"))
        table = [((c, None if c == "BSN_OK" else "0435"),) for c in bsn_status_array(reps)]
        results["bsn"] = _compact(_Outcome(ids, table))

    if "agb_code" in wanted:
        ids, codes = _by_value(col("agb_code"), agb_status)
        results["agb_code"] = _compact(_Outcome(ids, [((c, None),) for c in codes]))

    if "dates" in wanted:
        decl_status, decl64 = _dates_column(col("declaration_date"))
        ride_ok, decl_ok = ~np.isnat(ride64), ~np.isnat(decl64)
        after = ride_ok & decl_ok & (ride64 > decl64)
        ride_future = ride_ok & (ride64 > today64)
        decl_future = decl_ok & (decl64 > today64)
        results["dates"] = _by_pattern(
            [ride_status, decl_status, after, ride_future, decl_future],
            lambda r, d, a, rf, df_: _date_codes(_STATUS[r], _STATUS[d], a, rf, df_),
        )

    if "single_trip_cap" in wanted:
        ids, parsed = _by_value(col("single_trip_km"), _km_status)
        km_status = np.array([_STATUS.index(p[0]) for p in parsed], dtype=np.int64)[ids]
        km = np.array([np.nan if p[1] is None else p[1] for p in parsed], dtype=float)[ids]
        date_ok = ~np.isnat(ride64)
        cap = np.full(n, np.nan)
        need = date_ok & (km_status == 0)
        if need.any():
            ps = parameters or ParameterSet()
            unique_days, inverse = np.unique(ride64[need], return_inverse=True)
            caps = np.array([_cap_on(ps, d) for d in unique_days], dtype=float)
            cap[need] = caps[inverse.ravel()]
        cap_known = ~np.isnan(cap)
        with np.errstate(invalid="ignore"):
            over = cap_known & (km > cap)
        if mapping["over_cap_permitted"] in df.columns:
            ids, truth = _by_value(col("over_cap_permitted"), _truthy)
            permitted = np.array(truth, dtype=bool)[ids]
        else:
            permitted = np.zeros(n, dtype=bool)
        results["single_trip_cap"] = _by_pattern(
            [km_status, date_ok, cap_known, over, permitted],
            lambda k, d, c, o, p: (_cap_codes(_STATUS[k], bool(d), bool(c), bool(o), bool(p)),),
        )

    if "duplicate" in wanted:
        results["duplicate"], out["duplicate_of"] = _duplicates(df, mapping, ride64)

    for name in wanted:
        res = results[name]
        passes = _PASSES[name]
        ok = np.array([all(c in passes for c, _ in codes) for codes in res.table], dtype=bool)
        joined = [_join(codes) for codes in res.table]
        out[f"{name}_ok"] = ok[res.ids] if n else np.zeros(0, dtype=bool)
        out[f"{name}_codes"] = np.array([j[0] for j in joined] or [""], dtype=object)[res.ids]
        out[f"{name}_vektis"] = np.array([j[1] for j in joined] or [""], dtype=object)[res.ids]

    if wanted and n:

        def combine(*ids: int) -> RowCodes:
            return tuple(
                (c, v)
                for name, i in zip(wanted, ids, strict=True)
                for c, v in results[name].table[i]
                if c not in _PASSES[name]
            )

        combined = _by_pattern([results[w].ids for w in wanted], combine)
        joined = [_join(codes) for codes in combined.table]
        ok = np.array([not codes for codes in combined.table], dtype=bool)
        out["formal_ok"] = ok[combined.ids]
        out["formal_codes"] = np.array([j[0] for j in joined], dtype=object)[combined.ids]
        out["formal_vektis"] = np.array([j[1] for j in joined], dtype=object)[combined.ids]
    else:
        out["formal_ok"] = np.ones(n, dtype=bool)
        out["formal_codes"] = np.full(n, "", dtype=object)
        out["formal_vektis"] = np.full(n, "", dtype=object)
    return out


def _cap_on(ps: ParameterSet, day: np.datetime64) -> float:
    try:
        return float(ps.value(CAP_PARAMETER, dt.date.fromisoformat(str(day))))
    except ParameterNotInForce:
        return math.nan


_DUP_TABLE: list[RowCodes] = [
    (("DUPLICATE_NOT_CHECKED", None),),
    (("NOT_DUPLICATE", None),),
    (("DUPLICATE", "0587"),),
]


def _duplicates(
    df: pd.DataFrame, mapping: Mapping[str, str], ride64: np.ndarray
) -> tuple[_Outcome, np.ndarray]:
    """Duplicate outcome and the original's reference per row (see :class:`DuplicateTracker`)."""
    n = len(df)
    parts = []
    for canon, func in (
        ("bsn", normalise_bsn_key),
        ("origin", normalise_place),
        ("destination", normalise_place),
    ):
        ids, keys = _by_value(df[mapping[canon]].to_numpy(dtype=object), func)
        present = np.array([k is not None for k in keys], dtype=bool)
        # number each distinct normalised key, -1 when missing
        key_codes, _ = pd.factorize(pd.Series(keys, dtype=object), use_na_sentinel=True)
        parts.append((key_codes[ids] if n else np.zeros(0, dtype=np.int64), present[ids]))
    day = ride64.astype(np.int64)
    complete = ~np.isnat(ride64)
    for _, present in parts:
        complete &= present
    ids = np.zeros(n, dtype=np.int64)
    dup_of = np.full(n, None, dtype=object)
    positions = np.flatnonzero(complete)
    if len(positions):
        key = np.stack([parts[0][0], day, parts[1][0], parts[2][0]], axis=1)[positions]
        _, first_of_group, group = np.unique(key, axis=0, return_index=True, return_inverse=True)
        # np.unique's return_index gives the first position of each key within ``positions``
        first = positions[first_of_group[group.ravel()]]
        is_dup = positions != first
        ids[positions] = np.where(is_dup, 2, 1)
        id_col = mapping["declaration_id"]
        refs = df[id_col].to_numpy(dtype=object) if id_col in df.columns else df.index.to_numpy()
        dup_of[positions[is_dup]] = refs[first[is_dup]]
    return _Outcome(ids, _DUP_TABLE), dup_of


__all__ = [
    "CANONICAL_COLUMNS",
    "CAP_PARAMETER",
    "CHECKS",
    "DuplicateKey",
    "DuplicateTracker",
    "agb_status",
    "bsn_status",
    "bsn_status_array",
    "check_agb",
    "check_bsn",
    "check_dates",
    "check_frame",
    "check_row",
    "check_single_trip_cap",
    "duplicate_key",
    "normalise_bsn_key",
    "normalise_place",
    "per_distinct",
]
