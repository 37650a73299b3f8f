"""Authorisation (machtiging): the insurer's prior consent a ride must fall within.

A ride is reimbursable only under an authorisation that covers it: the same insured, indication
and transport mode, the same carrier when the authorisation names one, a ride date from the first
to the last day of validity (both inclusive), and, when a maximum number of rides is set, no more
rides than that. Every mismatch is reported, not just the first.

Procedure (VGZ, see ``domain-facts.md``): the authorisation is always requested in advance, by
or for the insured, never by the carrier. For a contracted carrier the insured requests it
online; for an uncontracted carrier the request goes with the GZSP request form. The decision
carries this note in ``details["procedure"]`` and as the last reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from transport.decisions import Decision, Reason
from transport.errors import InvalidInput
from transport.indications import Indication
from transport.inputs import parse_enum
from transport.tariffs import Mode

SOURCE = (
    "Besluit zorgverzekering art. 2.14 (zittend ziekenvervoer na toestemming van de "
    "zorgverzekeraar); Coöperatie VGZ, machtigingen (vooraf aanvragen; de vervoerder mag niet "
    "aanvragen)"
)
VEKTIS_NO_VALID = "0551"  # COD954: no valid machtiging


@dataclass(frozen=True)
class Authorisation:
    """An authorisation (machtiging) for zittend ziekenvervoer.

    Attributes
    ----------
    number : str
        Authorisation number (machtigingsnummer; at most 15 characters, as in Vektis EI).
    indication : Indication
        Indication category it was granted for.
    mode : Mode
        Transport mode it was granted for.
    valid_from, valid_to : datetime.date
        First and last day of validity (both inclusive).
    insured : str, optional
        Identifier of the insured (e.g. the insurer's relation number). Compared, never shown.
    carrier : str, optional
        Carrier it names, if any.
    max_rides : int, optional
        Maximum number of rides (one ride = one treatment day, both legs).
    rides_used : int
        Rides already made under it before the rides being checked.
    """

    number: str
    indication: Indication
    mode: Mode
    valid_from: dt.date
    valid_to: dt.date
    insured: str | None = None
    carrier: str | None = None
    max_rides: int | None = None
    rides_used: int = 0

    def __post_init__(self) -> None:
        number = str(self.number).strip()
        if not number or len(number) > 15:
            raise InvalidInput(
                "authorisation number must be 1 to 15 characters", field="authorisation.number"
            )
        object.__setattr__(self, "number", number)
        object.__setattr__(
            self,
            "indication",
            parse_enum(Indication, self.indication, "authorisation.indication"),
        )
        object.__setattr__(self, "mode", parse_enum(Mode, self.mode, "authorisation.mode"))
        for name in ("valid_from", "valid_to"):
            value = getattr(self, name)
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise InvalidInput(
                    f"{name} must be a date (YYYY-MM-DD)", field=f"authorisation.{name}"
                )
        if self.valid_to < self.valid_from:
            raise InvalidInput("valid_to lies before valid_from", field="authorisation.valid_to")
        if self.max_rides is not None and (
            isinstance(self.max_rides, bool)
            or not isinstance(self.max_rides, int)
            or self.max_rides < 1
        ):
            raise InvalidInput(
                "max_rides must be a whole number of at least 1", field="authorisation.max_rides"
            )
        if (
            isinstance(self.rides_used, bool)
            or not isinstance(self.rides_used, int)
            or (self.rides_used < 0)
        ):
            raise InvalidInput(
                "rides_used must be a whole number >= 0", field="authorisation.rides_used"
            )

    def covers_date(self, on: dt.date) -> bool:
        """Whether ``on`` lies within the validity (first and last day included)."""
        return self.valid_from <= on <= self.valid_to

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (without the insured's identifier)."""
        return {
            "number": self.number,
            "indication": self.indication.value,
            "mode": self.mode.value,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat(),
            "carrier": self.carrier,
            "max_rides": self.max_rides,
            "rides_used": self.rides_used,
        }


def procedure(mode: Mode | str, carrier_contracted: bool | None) -> dict[str, Any]:
    """Return who requests the authorisation and how, for a mode and carrier.

    Parameters
    ----------
    mode : Mode
        Transport mode.
    carrier_contracted : bool, optional
        For a taxi: whether the carrier is contracted. Ignored for other modes.

    Returns
    -------
    dict
        ``requested_by`` (always the insured), ``channel``, ``carrier_may_request`` (always
        ``False``), ``in_advance`` (always ``True``) and ``text``.
    """
    mode = parse_enum(Mode, mode, "mode")
    if mode is Mode.TAXI and carrier_contracted is False:
        channel = "GZSP request form"
        text = (
            "uncontracted carrier: the insured requests the authorisation in advance with the "
            "GZSP request form; the carrier may not request it"
        )
    elif mode is Mode.TAXI:
        channel = "online"
        text = (
            "contracted carrier: the insured requests the authorisation online, in advance; "
            "the carrier may not request it"
        )
    else:
        channel = "online"
        text = f"{mode.value.replace('_', ' ')}: the insured requests the authorisation in advance"
    return {
        "requested_by": "insured",
        "channel": channel,
        "carrier_may_request": False,
        "in_advance": True,
        "text": text,
    }


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def check_authorisation(
    authorisation: Authorisation | None,
    *,
    ride_date: dt.date,
    indication: Indication | str,
    mode: Mode | str,
    carrier: str | None = None,
    carrier_contracted: bool | None = None,
    insured: str | None = None,
    ride_number: int = 1,
) -> Decision:
    """Decide whether a ride falls within an authorisation.

    Parameters
    ----------
    authorisation : Authorisation or None
        The authorisation claimed for the ride; ``None`` when there is none.
    ride_date : datetime.date
        Date of the ride.
    indication : Indication
        Indication of the ride.
    mode : Mode
        Transport mode of the ride.
    carrier : str, optional
        Carrier of the ride (taxi).
    carrier_contracted : bool, optional
        Whether that carrier is contracted (for the procedural note).
    insured : str, optional
        Identifier of the insured; compared with the authorisation's when both are given.
    ride_number : int
        This ride's number among the rides checked under this authorisation (1 = first); the
        authorisation's ``rides_used`` are added before comparing with ``max_rides``.

    Returns
    -------
    Decision
        Rule ``"authorisation"``; ``details`` hold ``number``, ``procedure`` and, with a
        maximum, ``ride_count`` and ``max_rides``.
    """
    ind = parse_enum(Indication, indication, "indication")
    md = parse_enum(Mode, mode, "mode")
    proc = procedure(md, carrier_contracted)
    note = Reason("AUTH_PROCEDURE", proc["text"], SOURCE)
    details: dict[str, Any] = {"procedure": proc}
    if authorisation is None:
        reason = Reason(
            "AUTH_MISSING",
            "no authorisation (machtiging) for this ride: zittend ziekenvervoer is reimbursed "
            "only with the insurer's consent, requested in advance",
            SOURCE,
            VEKTIS_NO_VALID,
        )
        details["number"] = None
        return Decision("authorisation", False, (reason, note), (), details)

    a = authorisation
    details["number"] = a.number
    problems: list[Reason] = []

    def problem(code: str, text: str) -> None:
        problems.append(Reason(code, text, SOURCE, VEKTIS_NO_VALID))

    if not a.covers_date(ride_date):
        problem(
            "AUTH_OUTSIDE_VALIDITY",
            f"the ride date {ride_date.isoformat()} lies outside the validity "
            f"{a.valid_from.isoformat()} .. {a.valid_to.isoformat()}",
        )
    if a.indication is not ind:
        problem(
            "AUTH_INDICATION_MISMATCH",
            f"the authorisation is for indication {a.indication.value}, the ride for {ind.value}",
        )
    if a.mode is not md:
        problem(
            "AUTH_MODE_MISMATCH",
            f"the authorisation is for {a.mode.value}, the ride goes by {md.value}",
        )
    if a.carrier is not None and (carrier is None or not _same(a.carrier, carrier)):
        problem(
            "AUTH_CARRIER_MISMATCH",
            f"the authorisation names carrier {a.carrier!r}, the ride goes with {carrier!r}"
            if carrier
            else f"the authorisation names carrier {a.carrier!r}",
        )
    if a.insured is not None and insured is not None and not _same(a.insured, insured):
        problem("AUTH_INSURED_MISMATCH", "the authorisation is for another insured")
    if a.max_rides is not None:
        count = a.rides_used + ride_number
        details.update(ride_count=count, max_rides=a.max_rides)
        if count > a.max_rides:
            problem(
                "AUTH_MAX_RIDES_EXCEEDED",
                f"this would be ride {count} under an authorisation for at most {a.max_rides}",
            )
    if problems:
        return Decision("authorisation", False, (*problems, note), (), details)
    ok = Reason(
        "AUTH_VALID",
        f"authorisation {a.number} covers the ride ({ind.value}, {md.value}, valid "
        f"{a.valid_from.isoformat()} .. {a.valid_to.isoformat()})",
        SOURCE,
    )
    return Decision("authorisation", True, (ok, note), (), details)
