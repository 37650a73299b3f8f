"""Reason codes of the transport-declaration audit, their Vektis codes, and the verdict rule.

Every row gets a verdict from its reason codes alone:

* ``reject`` when any code has the effect ``reject``;
* else ``adjust`` when any code has the effect ``adjust`` (the corrected km and/or amount are in
  their own columns);
* else ``accept``.

``review`` is true when a code says that a check could not run for lack of reference data (the
map does not cover a point, no tariff for the carrier, no fare table for public transport): the
verdict then rests on the checks that did run, and a person should look. A row whose loaded km
cannot be recomputed is never accepted: without km there is nothing to pay against.

Coarse locations
----------------
An end of the ride given as text is placed by the geocoder with a precision (``point``,
``address``, ``postcode6``, ``postcode4``; the row's ``home_precision`` and
``treatment_precision``). A location coarser than an address does not stand for the insured's
door, so the recomputed km are only an estimate:

* ``postcode4`` at either end (the centre of a four-digit postcode area, often kilometres from
  the address): the declared km are not compared and never corrected. The row gets
  ``KM_NOT_VERIFIABLE_COARSE_LOCATION`` (info, review) and the amount is checked on the
  declared km.
* ``postcode6`` (the centre of a six-character postcode, a street stretch): the comparison
  runs, and the row says so: ``KM_COMPARED_AT_POSTCODE6`` (info) when the declared km stand,
  ``KM_CORRECTED_AT_POSTCODE6`` (info, review) beside ``KM_OVER_DECLARED`` when the
  correction would change the verdict.

A malformed input line (``PARSE_ROW``: more or fewer fields than the header, marked by
:func:`ziekenvervoer.io.read_table`) is rejected with that code alone: its values may sit in
the wrong columns, so no other check runs on it and its input values are not copied to the
output.

The formal checks' codes (``BSN_*``, ``AGB_*``, dates, ``DUPLICATE``, ``TRIP_*``) are those of
:mod:`transport.checks`; passing formal codes are not repeated in a row's codes.

Codes
-----
The full table is :data:`REASONS` (code -> text, Vektis code, effect, review); the README lists
it. Texts are fixed per code (the row's numbers are in its own columns) and never hold personal
data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    """The outcome of a declaration row."""

    ACCEPT = "accept"
    ADJUST = "adjust"
    REJECT = "reject"


@dataclass(frozen=True)
class ReasonInfo:
    """What a reason code means and does.

    Attributes
    ----------
    text : str
        Fixed explanation (no personal data, no row numbers).
    vektis : str, optional
        Vektis return code (COD954) that fits, if any.
    effect : str
        ``"reject"``, ``"adjust"`` or ``"info"`` (does not change the verdict).
    review : bool
        A check could not run for lack of reference data: a person should look.
    """

    text: str
    vektis: str | None = None
    effect: str = "info"
    review: bool = False


def _r(text: str, vektis: str | None = None, effect: str = "reject", review: bool = False):
    return ReasonInfo(text, vektis, effect, review)


def _rv(text: str) -> ReasonInfo:
    return ReasonInfo(text, None, "reject", True)


def _i(text: str, review: bool = False) -> ReasonInfo:
    return ReasonInfo(text, None, "info", review)


REASONS: dict[str, ReasonInfo] = {
    # --- the row could not be read ----------------------------------------------------------
    "PARSE_ROW": _r(
        "the input line has more or fewer fields than the header (see row_error): not audited"
    ),
    "PARSE_MODE_MISSING": _r("transport mode is missing"),
    "PARSE_MODE_INVALID": _r("transport mode is not taxi, own_car or public_transport"),
    "PARSE_DECLARED_KM_MISSING": _r("declared km are missing"),
    "PARSE_DECLARED_KM_INVALID": _r("declared km are not a number > 0"),
    "PARSE_DECLARED_AMOUNT_MISSING": _r("declared amount is missing"),
    "PARSE_DECLARED_AMOUNT_INVALID": _r("declared amount is not an amount in euro >= 0"),
    "PARSE_HOME_MISSING": _r("home is missing (no coordinates, no address)"),
    "PARSE_HOME_INVALID": _r("home coordinates are not valid degrees"),
    "PARSE_TREATMENT_MISSING": _r("treatment place is missing (no coordinates, no address)"),
    "PARSE_TREATMENT_INVALID": _r("treatment coordinates are not valid degrees"),
    "PARSE_CARRIER_CONTRACTED_MISSING": _r("taxi: whether the carrier is contracted is missing"),
    "PARSE_CARRIER_CONTRACTED_INVALID": _r("carrier_contracted is not yes or no"),
    "PARSE_POLICY_TYPE_MISSING": _r("uncontracted taxi: policy type (natura/restitutie) missing"),
    "PARSE_POLICY_TYPE_INVALID": _r("policy type is not natura or restitutie"),
    "PARSE_INDICATION_INVALID": _r("indication is not a known indication category"),
    # --- formal checks (transport.checks) ----------------------------------------------------
    "BSN_MISSING": _r("BSN is missing", "0435"),
    "BSN_FORMAT": _r("BSN is not 9 digits", "0435"),
    "BSN_CHECKSUM": _r("BSN fails the 11-proof", "0435"),
    "AGB_MISSING": _r("taxi: the carrier's AGB code is missing"),
    "AGB_FORMAT": _r("carrier's AGB code is not 8 digits"),
    "RIDE_DATE_MISSING": _r("ride date is missing", "8007"),
    "RIDE_DATE_INVALID": _r("ride date is not a date", "8007"),
    "DECLARATION_DATE_MISSING": _r("declaration date is missing"),
    "DECLARATION_DATE_INVALID": _r("declaration date is not a date"),
    "RIDE_AFTER_DECLARATION": _r("ride date is after the declaration date", "8176"),
    "RIDE_DATE_IN_FUTURE": _r("ride date is in the future", "8007"),
    "DECLARATION_DATE_IN_FUTURE": _r("declaration date is in the future"),
    "DUPLICATE": _r("same insured, ride date and route as an earlier row", "0587"),
    "DUPLICATE_NOT_CHECKED": _i("duplicate check not run: BSN, ride date or an address missing"),
    "TRIP_OVER_CAP": _r("single trip over the 200 km cap (Bzv art. 2.14 lid 1)", "0613"),
    "TRIP_OVER_CAP_PERMITTED": _i("single trip over the cap, with the insurer's permission"),
    "TRIP_CAP_NOT_IN_FORCE": _i("the km cap has no value on the ride date: not checked", True),
    # --- authorisation -----------------------------------------------------------------------
    "AUTH_MISSING": _r("no authorisation (machtiging) number", "0551"),
    "AUTH_UNKNOWN": _r("authorisation number not in the authorisations file", "0551"),
    "AUTH_OUTSIDE_VALIDITY": _r("ride date outside the authorisation's validity", "0551"),
    "AUTH_INDICATION_MISMATCH": _r("authorisation is for another indication", "0551"),
    "AUTH_MODE_MISMATCH": _r("authorisation is for another transport mode", "0551"),
    "AUTH_CARRIER_MISMATCH": _r("authorisation names another carrier", "0551"),
    "AUTH_INSURED_MISMATCH": _r("authorisation is for another insured", "0551"),
    "AUTH_MAX_RIDES_EXCEEDED": _r("more rides than the authorisation allows", "0551"),
    "AUTH_VALID": _i("authorisation covers the ride (date, indication, mode, carrier, insured)"),
    "AUTH_NOT_VERIFIED": _i(
        "authorisation number present; no authorisations file given, so its validity, "
        "indication, mode, carrier and ride count were not checked"
    ),
    "AUTH_INDICATION_NOT_DECLARED": _i(
        "no indication declared: the authorisation's indication was not compared"
    ),
    # --- who may declare (transport.devices.transport_direct_declaration) ---------------------
    "TRANSPORT_NO_VALID_AGB": _r("uncontracted carrier without a valid AGB code"),
    "TRANSPORT_CARRIER_UNKNOWN": _r("uncontracted carrier not known to the insurer"),
    "TRANSPORT_INSURED_SUBMITS_INVOICE": _r(
        "uncontracted carrier may not declare directly: the insured pays and submits the invoice"
    ),
    "TRANSPORT_KNOWN_NOT_CHECKED": _i(
        "uncontracted carrier: no tariff table given, so whether the insurer knows it was not "
        "checked",
        True,
    ),
    "CARRIER_CONTRACT_STATUS_DIFFERS": _i(
        "the declared contract status differs from the tariff table's; the table's is used"
    ),
    # --- loaded kilometres -------------------------------------------------------------------
    "ROUTE_OUTSIDE_MAP": _rv("a point lies outside the map: km not recomputed"),
    "ROUTE_NO_SEGMENT": _rv("no road within the snap limit: km not recomputed"),
    "ROUTE_NO_ROUTE": _rv("no car route between home and treatment"),
    "ROUTE_INVALID_QUERY": _rv("a point is not usable for routing"),
    "ROUTE_ZERO_LENGTH": _rv("home and treatment land on the same road point"),
    "GEOCODE_NOT_FOUND": _rv("an address could not be located"),
    "GEOCODE_FAILED": _rv("an address could not be located (geocoder error)"),
    "KM_WITHIN_TOLERANCE": _i("declared km within the tolerance of the recomputed km"),
    "KM_UNDER_DECLARED": _i("declared km below the computed km beyond tolerance: paid as declared"),
    "KM_OVER_DECLARED": ReasonInfo(
        "declared km above the recomputed km beyond the tolerance: corrected to the recomputed km",
        None,
        "adjust",
    ),
    "KM_NOT_DECLARED": _i("public transport: no km declared, none compared"),
    "KM_NOT_VERIFIABLE_COARSE_LOCATION": _i(
        "an end of the ride is only known to its four-digit postcode area (postcode4): the "
        "declared km were not compared and are kept",
        True,
    ),
    "KM_COMPARED_AT_POSTCODE6": _i(
        "an end of the ride is only known to its six-character postcode (postcode6): the km "
        "comparison is approximate"
    ),
    "KM_CORRECTED_AT_POSTCODE6": _i(
        "the km correction rests on a location known only to its six-character postcode "
        "(postcode6): confirm it",
        True,
    ),
    # --- amount ------------------------------------------------------------------------------
    "AMOUNT_OK": _i("declared amount within what the rules allow for the accepted km"),
    "AMOUNT_OVER_DUE": ReasonInfo(
        "declared amount above what the rules allow for the accepted km: corrected",
        "0611",
        "adjust",
    ),
    "AMOUNT_NO_TARIFF": _i("no tariff for the carrier on the ride date: amount not checked", True),
    "AMOUNT_PARAMETER_NOT_IN_FORCE": _i(
        "a rate parameter has no value on the ride date: amount not checked", True
    ),
    "AMOUNT_PT_FARE_NOT_VERIFIED": _i(
        "public transport: the fare is taken as declared (no fare table)", True
    ),
    # --- the audit itself --------------------------------------------------------------------
    "INTERNAL_ERROR": _rv("the audit failed on this row (a bug): kept, rejected, to review"),
}  # fmt: skip


def verdict_of(codes: tuple[str, ...]) -> tuple[Verdict, bool]:
    """Return ``(verdict, review)`` for a row's reason codes (see the module docstring).

    Raises
    ------
    KeyError
        For a code not in :data:`REASONS` (a bug: every code the audit emits is listed).
    """
    infos = [REASONS[c] for c in codes]
    review = any(i.review for i in infos)
    if any(i.effect == "reject" for i in infos):
        return Verdict.REJECT, review
    if any(i.effect == "adjust" for i in infos):
        return Verdict.ADJUST, review
    return Verdict.ACCEPT, review


def vektis_of(codes: tuple[str, ...]) -> tuple[str, ...]:
    """Return the Vektis codes of ``codes``, each once, in order."""
    return tuple(dict.fromkeys(v for c in codes if (v := REASONS[c].vektis)))


def reasons_table() -> list[dict[str, str | bool | None]]:
    """Return every code as a row (for the README, ``--json`` and documentation)."""
    return [
        {"code": c, "vektis": i.vektis, "effect": i.effect, "review": i.review, "text": i.text}
        for c, i in REASONS.items()
    ]


__all__ = ["REASONS", "ReasonInfo", "Verdict", "reasons_table", "vektis_of", "verdict_of"]
