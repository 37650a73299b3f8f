"""Medical-device declarations (hulpmiddelen) under the cessieverbod, and uncontracted care.

From 1 January 2023 Coöperatie VGZ's policies carry a *cessieverbod* (ban on assigning the claim
to the provider) for devices from the basic insurance: an uncontracted device provider may no
longer declare directly (via VECOZO). The insured pays the invoice and submits it; the insurer
reimburses the insured. Exceptions: devices reimbursed from a supplementary insurance, and care
delivered before 1 January 2023 (delivered in 2022, declared in 2023). Contracted providers
declare directly as before. Uncontracted *transport* carriers, in contrast, may declare
directly when they have an AGB code and are known to the insurer.

Functions
---------
* :func:`device_direct_declaration` -- may this device provider declare directly?
* :func:`transport_direct_declaration` -- may this carrier declare directly?
* :func:`invoice_completeness` -- does the insured's invoice (nota) hold every required field?
  :func:`invoice_completeness_frame` answers a DataFrame of invoices.
* :func:`uncontracted_reimbursement` -- the amount reimbursed for uncontracted care: natura
  policy up to ``natura_uncontracted_share`` (0.8) x the average contracted tariff; restitutie
  up to ``restitutie_market_conform_share`` (1.0) x the market-conform tariff.

Money
-----
Amounts are integer euro cents (``12345`` is EUR 123.45); :func:`euros_to_cents` and
:func:`cents_to_euros` convert. A maximum is computed exactly in :class:`~decimal.Decimal`
(``share x tariff x quantity``) and rounded to whole cents half up (0.5 cent goes up), once, at
the end. No float touches an amount.

Every function returns a :class:`~transport.decisions.Decision` with reason codes, sources and
the Vektis return code (COD954) where one fits. Reason texts never hold the insured's name,
address, BSN or birth date; they name fields, not values.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from transport.checks import agb_status, per_distinct
from transport.decisions import Decision, Reason, UsedParameter
from transport.errors import InvalidInput
from transport.parameters import ParameterSet
from transport.tariffs import PolicyType
from transport.workdays import parse_date

#: First delivery date the cessieverbod applies to.
CESSIEVERBOD_START = dt.date(2023, 1, 1)

SOURCE_CESSIEVERBOD = (
    "Coöperatie VGZ, Hulpmiddelen FAQ cessieverbod (from 1 January 2023; "
    "polisvoorwaarden: verbod op overdracht van het recht op vergoeding)"
)
SOURCE_TRANSPORT_DIRECT = (
    "Coöperatie VGZ, Zittend ziekenvervoer declareren: niet-gecontracteerde vervoerders "
    "declareren rechtstreeks met een AGB-code en bekend bij de zorgverzekeraar"
)
SOURCE_INVOICE = "Coöperatie VGZ, Hulpmiddelen FAQ cessieverbod: eisen aan de nota"
SOURCE_UNCONTRACTED = "Zorgverzekeringswet art. 13 (natura) / art. 11 lid 1 onder b (restitutie)"

NATURA_SHARE = "natura_uncontracted_share"
RESTITUTIE_SHARE = "restitutie_market_conform_share"

INSTRUCTION_SUBMIT_INVOICE_NL = (
    "Uw zorgverlener heeft geen contract met uw zorgverzekeraar en mag deze nota niet "
    "rechtstreeks declareren. Betaal de nota en dien hem zelf in (online of per post); u krijgt "
    "de vergoeding dan op uw rekening."
)


class Coverage(StrEnum):
    """Which insurance reimburses a device."""

    BASIC = "basis"
    SUPPLEMENTARY = "aanvullend"


def _enum(enum: type[StrEnum], value: Any, field: str) -> Any:
    if isinstance(value, enum):
        return value
    text = str(value).strip().casefold() if value is not None else ""
    aliases = {"basic": "basis", "supplementary": "aanvullend", "aanvullende": "aanvullend"}
    try:
        return enum(aliases.get(text, text))
    except ValueError:
        choices = ", ".join(repr(m.value) for m in enum)
        raise InvalidInput(f"{field} must be one of {choices}", field=field) from None


def _flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is not None and not (isinstance(value, float) and math.isnan(value)):
        text = str(value).strip().casefold()
        if text in {"1", "true", "yes", "ja", "j", "y"}:
            return True
        if text in {"0", "false", "no", "nee", "n"}:
            return False
    raise InvalidInput(f"{field} must be true or false (ja/nee)", field=field)


# --- who may declare directly -----------------------------------------------------------------


def device_direct_declaration(
    *,
    contracted: bool,
    delivery_date: dt.date | str,
    coverage: Coverage | str = Coverage.BASIC,
    declaration_date: dt.date | str | None = None,
) -> Decision:
    """Decide whether a device provider may declare a device directly with the insurer.

    Parameters
    ----------
    contracted : bool
        Whether the provider has a contract with the insurer for this device.
    delivery_date : date or str
        When the device was delivered (the care date).
    coverage : {"basis", "aanvullend"}, default "basis"
        Whether the device is reimbursed from the basic or the supplementary insurance.
    declaration_date : date or str, optional
        When it was declared; only recorded in the details (the rule looks at the delivery
        date: care delivered in 2022 may be declared directly in 2023).

    Returns
    -------
    Decision
        Rule ``"device_direct_declaration"``. ``ok`` false means reject: code
        ``DEVICE_CESSIEVERBOD`` (Vektis 0613, not declarable under the policy: the policy forbids
        assigning the claim) and ``DEVICE_INSURED_SUBMITS_INVOICE`` with the instruction for the
        insured (Dutch text in ``details["instruction_nl"]``).

    Raises
    ------
    InvalidInput
        For a missing/invalid ``contracted``, delivery date or coverage.
    """
    is_contracted = _flag(contracted, "contracted")
    delivered = parse_date(delivery_date, field="delivery_date")
    cover = _enum(Coverage, coverage, "coverage")
    details: dict[str, Any] = {
        "contracted": is_contracted,
        "coverage": cover.value,
        "delivery_date": delivered.isoformat(),
        "cessieverbod_start": CESSIEVERBOD_START.isoformat(),
    }
    if declaration_date is not None:
        details["declaration_date"] = parse_date(
            declaration_date, field="declaration_date"
        ).isoformat()
    if is_contracted:
        reason = Reason(
            "DEVICE_CONTRACTED",
            "contracted provider: may declare directly",
            source=SOURCE_CESSIEVERBOD,
        )
        return Decision("device_direct_declaration", True, (reason,), details=details)
    if cover is Coverage.SUPPLEMENTARY:
        reason = Reason(
            "DEVICE_SUPPLEMENTARY",
            "device reimbursed from the supplementary insurance: the cessieverbod does not "
            "apply, the uncontracted provider may declare directly",
            source=SOURCE_CESSIEVERBOD,
        )
        return Decision("device_direct_declaration", True, (reason,), details=details)
    if delivered < CESSIEVERBOD_START:
        reason = Reason(
            "DEVICE_DELIVERED_BEFORE_CESSIEVERBOD",
            f"delivered on {delivered.isoformat()}, before {CESSIEVERBOD_START.isoformat()}: "
            "the cessieverbod does not apply, the provider may declare directly",
            source=SOURCE_CESSIEVERBOD,
        )
        return Decision("device_direct_declaration", True, (reason,), details=details)
    details["instruction_nl"] = INSTRUCTION_SUBMIT_INVOICE_NL
    reasons = (
        Reason(
            "DEVICE_CESSIEVERBOD",
            f"uncontracted provider, device from the basic insurance delivered on "
            f"{delivered.isoformat()} (from {CESSIEVERBOD_START.isoformat()}): may not declare "
            "directly",
            source=SOURCE_CESSIEVERBOD,
            vektis="0613",
        ),
        Reason(
            "DEVICE_INSURED_SUBMITS_INVOICE",
            "reject the direct declaration; the insured pays the invoice and submits it themselves",
            source=SOURCE_CESSIEVERBOD,
        ),
    )
    return Decision("device_direct_declaration", False, reasons, details=details)


def transport_direct_declaration(
    *, contracted: bool, agb_code: str | None, known_to_insurer: bool
) -> Decision:
    """Decide whether a transport carrier may declare a ride directly with the insurer.

    Unlike device providers, an uncontracted carrier may declare directly when it has an AGB
    code (8 digits) and is known to the insurer.

    Parameters
    ----------
    contracted : bool
        Whether the carrier has a contract with the insurer.
    agb_code : str or None
        The carrier's AGB code.
    known_to_insurer : bool
        Whether the insurer knows the carrier (registered in its provider records).

    Returns
    -------
    Decision
        Rule ``"transport_direct_declaration"``; when not allowed the reasons list every
        missing condition (``TRANSPORT_NO_VALID_AGB``, ``TRANSPORT_CARRIER_UNKNOWN``) and
        ``TRANSPORT_INSURED_SUBMITS_INVOICE``.
    """
    is_contracted = _flag(contracted, "contracted")
    known = _flag(known_to_insurer, "known_to_insurer")
    agb = agb_status(agb_code)
    details = {"contracted": is_contracted, "known_to_insurer": known, "agb_status": agb}
    rule = "transport_direct_declaration"
    if is_contracted:
        reason = Reason(
            "TRANSPORT_CONTRACTED",
            "contracted carrier: may declare directly",
            source=SOURCE_TRANSPORT_DIRECT,
        )
        return Decision(rule, True, (reason,), details=details)
    failures: list[Reason] = []
    if agb != "AGB_OK":
        failures.append(
            Reason(
                "TRANSPORT_NO_VALID_AGB",
                "uncontracted carrier without a valid AGB code (8 digits)"
                + (": missing" if agb == "AGB_MISSING" else ": malformed"),
                source=SOURCE_TRANSPORT_DIRECT,
            )
        )
    if not known:
        failures.append(
            Reason(
                "TRANSPORT_CARRIER_UNKNOWN",
                "uncontracted carrier not known to the insurer",
                source=SOURCE_TRANSPORT_DIRECT,
            )
        )
    if not failures:
        reason = Reason(
            "TRANSPORT_UNCONTRACTED_DIRECT",
            "uncontracted carrier with an AGB code, known to the insurer: may declare directly",
            source=SOURCE_TRANSPORT_DIRECT,
        )
        return Decision(rule, True, (reason,), details=details)
    failures.append(
        Reason(
            "TRANSPORT_INSURED_SUBMITS_INVOICE",
            "reject the direct declaration; the insured pays the invoice and submits it themselves",
            source=SOURCE_TRANSPORT_DIRECT,
        )
    )
    return Decision(rule, False, tuple(failures), details=details)


# --- invoice completeness ---------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceInvoice:
    """The fields of a device invoice (nota) the insured submits; every field may be absent.

    Attributes
    ----------
    provider_name : str
        Name of the care provider (the person).
    practice_name : str
        Name of the practice, as registered with Vektis (AGB register).
    practice_address : str
        Address of the practice where the provider works (the provider's business address).
    provider_agb : str
        Personal AGB code of the provider (8 digits).
    practice_agb : str
        AGB code of the practice (8 digits).
    insured_name, insured_address : str
        Name and address of the insured.
    customer_number : str
        The insured's customer (policy) number; this and/or ``birth_date`` is required.
    birth_date : date or str
        The insured's birth date.
    delivery_date : date or str
        When the device was delivered.
    device : str
        Description or code of the device.
    quantity : int
        Number of units; required when ``several`` is true (then at least 2).
    several : bool
        Whether the invoice covers more than one unit of the device (as its lines show).
    provider_address : str
        Optional separate address of the provider; the practice address is the one required.
    """

    provider_name: Any = None
    practice_name: Any = None
    practice_address: Any = None
    provider_agb: Any = None
    practice_agb: Any = None
    insured_name: Any = None
    insured_address: Any = None
    customer_number: Any = None
    birth_date: Any = None
    delivery_date: Any = None
    device: Any = None
    quantity: Any = None
    several: Any = False
    provider_address: Any = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> DeviceInvoice:
        """Build an invoice from a mapping with these field names (other keys are ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


#: Required fields, in the order they are reported, with their Dutch label.
INVOICE_FIELDS: dict[str, str] = {
    "provider_name": "naam zorgverlener",
    "practice_name": "praktijknaam (zoals geregistreerd bij Vektis)",
    "practice_address": "adres zorgverlener/praktijk",
    "provider_agb": "persoonlijke AGB-code",
    "practice_agb": "praktijk-AGB-code",
    "insured_name": "naam verzekerde",
    "insured_address": "adres verzekerde",
    "customer_number_or_birth_date": "klantnummer en/of geboortedatum",
    "delivery_date": "datum levering",
    "device": "hulpmiddel",
    "quantity": "aantal (bij meer dan één)",
}


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _valid_date(value: Any) -> bool:
    try:
        parse_date(value)
    except InvalidInput:
        return False
    return True


def _quantity(value: Any) -> int | None:
    """Return a whole positive quantity, or None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number != number.to_integral_value() or number < 1:
        return None
    return int(number)


def _several(value: Any) -> bool:
    if _missing(value):
        return False
    if isinstance(value, str):
        return value.strip().casefold() in {"1", "true", "yes", "ja", "j", "y"}
    return bool(value)


def _norm_name(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    return " ".join(text.split())


_OK, _MISSING, _INVALID, _ONE = 0, 1, 2, 3


def _text_flag(value: Any) -> int:
    return _MISSING if _missing(value) else _OK


def _agb_flag(value: Any) -> int:
    status = agb_status(value)
    return _OK if status == "AGB_OK" else _MISSING if status == "AGB_MISSING" else _INVALID


def _date_flag(value: Any) -> int:
    if _missing(value):
        return _MISSING
    return _OK if _valid_date(value) else _INVALID


def _quantity_flag(value: Any) -> int:
    if _missing(value):
        return _MISSING
    q = _quantity(value)
    return _INVALID if q is None else _ONE if q == 1 else _OK


# How each invoice field is read into a small outcome number, in INVOICE_FIELDS order.
_FLAGGERS: dict[str, Any] = {
    "provider_name": _text_flag,
    "practice_name": _text_flag,
    "practice_address": _text_flag,
    "provider_agb": _agb_flag,
    "practice_agb": _agb_flag,
    "insured_name": _text_flag,
    "insured_address": _text_flag,
    "customer_number": _text_flag,
    "birth_date": _date_flag,
    "delivery_date": _date_flag,
    "device": _text_flag,
    "quantity": _quantity_flag,
    "several": lambda v: int(_several(v)),
}


def _problems(flags: Mapping[str, int]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return (missing fields, malformed fields) from the fields' outcome numbers."""
    missing: list[str] = []
    invalid: list[str] = []
    for name in ("provider_name", "practice_name", "practice_address", "provider_agb",
                 "practice_agb", "insured_name", "insured_address"):  # fmt: skip
        if flags[name] == _MISSING:
            missing.append(name)
        elif flags[name] == _INVALID:
            invalid.append(name)
    if flags["customer_number"] == _MISSING and flags["birth_date"] == _MISSING:
        missing.append("customer_number_or_birth_date")
    elif flags["birth_date"] == _INVALID:
        invalid.append("birth_date")
    if flags["delivery_date"] == _MISSING:
        missing.append("delivery_date")
    elif flags["delivery_date"] == _INVALID:
        invalid.append("delivery_date")
    if flags["device"] == _MISSING:
        missing.append("device")
    quantity = flags["quantity"]
    if flags["several"]:
        if quantity == _MISSING:
            missing.append("quantity")
        elif quantity in (_INVALID, _ONE):
            invalid.append("quantity")
    elif quantity == _INVALID:
        invalid.append("quantity")
    return tuple(missing), tuple(invalid)


def _invoice_problems(inv: DeviceInvoice) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return _problems({name: flag(getattr(inv, name)) for name, flag in _FLAGGERS.items()})


def invoice_completeness(
    invoice: DeviceInvoice | Mapping[str, Any], *, registered_practice_name: str | None = None
) -> Decision:
    """Check that a device invoice submitted by the insured holds every required field.

    Required: provider name, practice name and address (practice name as registered with
    Vektis), personal and practice AGB code, the insured's name and address, customer number
    and/or birth date, delivery date, the device, and the quantity when there are several.

    Parameters
    ----------
    invoice : DeviceInvoice or mapping
        The invoice fields (see :class:`DeviceInvoice`).
    registered_practice_name : str, optional
        The practice name in the AGB register (Vektis), when the caller looked it up; the
        invoice's practice name must then match it (case and spacing ignored).

    Returns
    -------
    Decision
        Rule ``"device_invoice_complete"``. ``details["missing"]`` lists every missing field
        and ``details["invalid"]`` every malformed one (AGB code not 8 digits, unreadable date,
        quantity not a whole number, below 2 when several); Dutch labels in
        ``details["missing_nl"]``. Values are never repeated.
    """
    inv = invoice if isinstance(invoice, DeviceInvoice) else DeviceInvoice.from_mapping(invoice)
    missing, invalid = _invoice_problems(inv)
    reasons: list[Reason] = []
    if missing:
        reasons.append(
            Reason(
                "INVOICE_FIELDS_MISSING",
                "invoice lacks: " + ", ".join(missing),
                source=SOURCE_INVOICE,
            )
        )
    if invalid:
        reasons.append(
            Reason(
                "INVOICE_FIELDS_INVALID",
                "invoice fields malformed: " + ", ".join(invalid),
                source=SOURCE_INVOICE,
            )
        )
    name_matches: bool | None = None
    if registered_practice_name is not None and not _missing(inv.practice_name):
        name_matches = _norm_name(inv.practice_name) == _norm_name(registered_practice_name)
        if not name_matches:
            reasons.append(
                Reason(
                    "INVOICE_PRACTICE_NAME_NOT_REGISTERED",
                    "practice name differs from the name registered with Vektis",
                    source=SOURCE_INVOICE,
                )
            )
    ok = not reasons
    if ok:
        reasons.append(
            Reason("INVOICE_COMPLETE", "invoice holds every required field", source=SOURCE_INVOICE)
        )
    return Decision(
        "device_invoice_complete",
        ok,
        tuple(reasons),
        details={
            "missing": list(missing),
            "missing_nl": [INVOICE_FIELDS[m] for m in missing],
            "invalid": list(invalid),
            "practice_name_registered": name_matches,
        },
    )


def invoice_completeness_frame(
    df: pd.DataFrame, *, columns: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """:func:`invoice_completeness` for every row of a DataFrame.

    Parameters
    ----------
    df : pandas.DataFrame
        One invoice per row, columns named as the :class:`DeviceInvoice` fields (absent
        columns count as missing fields).
    columns : mapping, optional
        ``{field: your column}`` for names that differ.

    Returns
    -------
    pandas.DataFrame
        Same index: ``invoice_complete`` (bool), ``invoice_missing`` and ``invoice_invalid``
        (field names joined with ``";"``, empty when none), the same as
        :func:`invoice_completeness` per row. Each distinct value of a column is read once.
    """
    mapping = {f.name: f.name for f in fields(DeviceInvoice)} | dict(columns or {})
    n = len(df)
    flag_columns: dict[str, np.ndarray] = {}
    for name, flag in _FLAGGERS.items():
        column = mapping[name]
        if column in df.columns:
            flag_columns[name] = per_distinct(df[column].to_numpy(dtype=object), flag).astype(
                np.int64
            )
        else:
            flag_columns[name] = np.full(n, flag(None), dtype=np.int64)
    names = list(_FLAGGERS)
    if n:
        key = np.zeros(n, dtype=np.int64)
        for name in names:  # every outcome number is < 4: base-4 digits
            key = key * 4 + flag_columns[name]
        ids, uniques = pd.factorize(key)
        table = []
        for k in np.asarray(uniques, dtype=np.int64):
            digits = []
            k = int(k)
            for _ in names:
                k, d = divmod(k, 4)
                digits.append(d)
            missing, invalid = _problems(dict(zip(names, reversed(digits), strict=True)))
            table.append((";".join(missing), ";".join(invalid)))
        missing_col = np.array([t[0] for t in table], dtype=object)[ids]
        invalid_col = np.array([t[1] for t in table], dtype=object)[ids]
    else:
        missing_col = invalid_col = np.empty(0, dtype=object)
    out = pd.DataFrame(index=df.index)
    out["invoice_complete"] = (missing_col == "") & (invalid_col == "")
    out["invoice_missing"] = missing_col
    out["invoice_invalid"] = invalid_col
    return out


# --- reimbursement of uncontracted care -------------------------------------------------------


def euros_to_cents(amount: Decimal | str | int | float) -> int:
    """Return whole cents for an amount in euros, rounded half up (``"12.345"`` -> 1235).

    Floats are read through their shortest text form (``0.1`` is 10 cents).

    Raises
    ------
    InvalidInput
        When the amount is not a finite number.
    """
    if isinstance(amount, bool):
        raise InvalidInput("amount must be a number of euros", field="amount")
    text = amount.strip().replace(",", ".") if isinstance(amount, str) else str(amount)
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise InvalidInput("amount must be a number of euros", field="amount") from None
    if not value.is_finite():
        raise InvalidInput("amount must be a finite number of euros", field="amount")
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def cents_to_euros(cents: int) -> Decimal:
    """Return an amount in cents as euros with two decimals (1235 -> Decimal('12.35'))."""
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def _cents(value: Any, field: str, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field} must be a whole number of cents", field=field)
    if value < 0:
        raise InvalidInput(f"{field} must not be negative", field=field)
    return value


def uncontracted_reimbursement(
    *,
    policy: PolicyType | str,
    declared_cents: int,
    on: dt.date | str,
    average_contracted_tariff_cents: int | None = None,
    market_conform_tariff_cents: int | None = None,
    quantity: int = 1,
    parameters: ParameterSet | None = None,
) -> Decision:
    """Compute what the insurer reimburses for care from an uncontracted provider.

    Natura policy: at most ``natura_uncontracted_share`` (0.8) x the average contracted
    tariff. Restitutie policy: at most ``restitutie_market_conform_share`` (1.0) x the
    market-conform tariff. The reimbursement is the declared amount, capped at that maximum.

    Parameters
    ----------
    policy : {"natura", "restitutie"}
    declared_cents : int
        The invoiced amount in cents.
    on : date or str
        Care date: the share in force on it is used.
    average_contracted_tariff_cents : int, optional
        Per unit; required for a natura policy.
    market_conform_tariff_cents : int, optional
        Per unit; required for a restitutie policy.
    quantity : int, default 1
        Units the tariff applies to.
    parameters : ParameterSet, optional
        Where the shares are read.

    Returns
    -------
    Decision
        Rule ``"uncontracted_reimbursement"``. ``ok`` is true when the declared amount is
        reimbursed in full (``UNCONTRACTED_PAID_IN_FULL``); false when capped
        (``UNCONTRACTED_CAPPED``, Vektis 0611: amount above the maximum tariff), with the
        corrected amount in ``details["reimbursed_cents"]`` and the insured's share in
        ``details["insured_pays_cents"]``.

    Raises
    ------
    InvalidInput
        For an unknown policy, a negative or non-integer amount, or a missing tariff.
    ParameterNotInForce
        When the share has no value on ``on``.
    """
    kind = _enum(PolicyType, policy, "policy")
    declared = _cents(declared_cents, "declared_cents")
    assert declared is not None
    day = parse_date(on, field="on")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidInput("quantity must be a whole number >= 1", field="quantity")
    if kind is PolicyType.NATURA:
        tariff = _cents(
            average_contracted_tariff_cents, "average_contracted_tariff_cents", allow_none=True
        )
        tariff_field, share_name = "average_contracted_tariff_cents", NATURA_SHARE
        basis = "the average contracted tariff"
    else:
        tariff = _cents(market_conform_tariff_cents, "market_conform_tariff_cents", allow_none=True)
        tariff_field, share_name = "market_conform_tariff_cents", RESTITUTIE_SHARE
        basis = "the market-conform tariff"
    if tariff is None:
        raise InvalidInput(
            f"a {kind.value} policy needs {tariff_field} (per unit, in cents)", field=tariff_field
        )
    ps = parameters or ParameterSet()
    used: UsedParameter = ps.used(share_name, day)
    try:
        share = Decimal(str(used.value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(
            f"parameter {share_name} must be a number, got {used.value!r}", field=share_name
        ) from None
    maximum = int((share * tariff * quantity).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    reimbursed = min(declared, maximum)
    details = {
        "policy": kind.value,
        "share": str(share),
        "tariff_cents": tariff,
        "quantity": quantity,
        "maximum_cents": maximum,
        "declared_cents": declared,
        "reimbursed_cents": reimbursed,
        "insured_pays_cents": declared - reimbursed,
        "maximum_eur": str(cents_to_euros(maximum)),
        "reimbursed_eur": str(cents_to_euros(reimbursed)),
        "rounding": "half up to whole cents, once",
    }
    pct = f"{(share * 100).normalize():f}%"
    if declared <= maximum:
        reason = Reason(
            "UNCONTRACTED_PAID_IN_FULL",
            f"{kind.value} policy: declared EUR {cents_to_euros(declared)} is within the "
            f"maximum EUR {cents_to_euros(maximum)} ({pct} of {basis} x {quantity})",
            source=SOURCE_UNCONTRACTED,
        )
        return Decision("uncontracted_reimbursement", True, (reason,), (used,), details)
    own_share = cents_to_euros(declared - reimbursed)
    reason = Reason(
        "UNCONTRACTED_CAPPED",
        f"{kind.value} policy: declared EUR {cents_to_euros(declared)} is above the maximum "
        f"EUR {cents_to_euros(maximum)} ({pct} of {basis} x {quantity}); reimbursed EUR "
        f"{cents_to_euros(reimbursed)}, the insured pays EUR {own_share}",
        source=SOURCE_UNCONTRACTED,
        vektis="0611",
    )
    return Decision("uncontracted_reimbursement", False, (reason,), (used,), details)
