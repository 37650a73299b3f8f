"""Companions (begeleiders): when the insurer pays for one or two people travelling along.

A companion is covered when accompaniment is necessary, or when the insured is younger than the
companion age limit (16) on the ride date: on the 16th birthday itself that ground no longer
holds. Two companions are covered only in special cases the insurer approved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from transport.decisions import Decision, Reason
from transport.errors import InvalidInput
from transport.inputs import to_decimal
from transport.parameters import ParameterSet
from transport.schedule import age_on

SOURCE = (
    "Besluit zorgverzekering art. 2.15 lid 2 (begeleider bij noodzakelijke begeleiding of "
    "kinderen jonger dan 16 jaar; in bijzondere gevallen twee begeleiders)"
)


@dataclass(frozen=True)
class CompanionNeed:
    """Who travels along and on what grounds.

    Attributes
    ----------
    companions : int
        Number of companions travelling (0, 1 or 2).
    necessary : bool
        Whether accompaniment is necessary (stated by the practitioner or the insurer).
    two_approved : bool
        Whether the insurer approved two companions (special case).
    birth_date : datetime.date, optional
        The insured's birth date, for the under-16 ground.
    """

    companions: int = 0
    necessary: bool = False
    two_approved: bool = False
    birth_date: dt.date | None = None

    def __post_init__(self) -> None:
        c = self.companions
        if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c <= 2:
            raise InvalidInput("companions must be 0, 1 or 2", field="companions")
        if self.birth_date is not None and not isinstance(self.birth_date, dt.date):
            raise InvalidInput("birth_date must be a date (YYYY-MM-DD)", field="birth_date")


def check_companion(
    need: CompanionNeed, ride_date: dt.date, *, parameters: ParameterSet | None = None
) -> Decision:
    """Decide whether the companions travelling on ``ride_date`` are covered.

    Parameters
    ----------
    need : CompanionNeed
        Companions and grounds.
    ride_date : datetime.date
        Date of the ride (the age is taken on this date).
    parameters : ParameterSet, optional
        Parameter source (default: the package's files).

    Returns
    -------
    Decision
        Rule ``"companion"``; ``ok`` when every companion travelling is covered (trivially with
        none). ``details``: ``companions``, ``covered`` (how many are covered), ``age`` (or
        ``None``), ``age_limit``, ``grounds``.
    """
    if need.companions == 0:
        reason = Reason("COMPANION_NONE", "no companion travels along", SOURCE)
        return Decision("companion", True, (reason,), (), {"companions": 0, "covered": 0})
    params = parameters or ParameterSet()
    used = params.used("companion_age_limit", ride_date)
    limit = to_decimal(used.value, "companion_age_limit")
    age = age_on(need.birth_date, ride_date) if need.birth_date is not None else None
    under_limit = age is not None and age < limit
    grounds = []
    reasons = []
    if need.necessary:
        grounds.append("necessary")
        reasons.append(Reason("COMPANION_NECESSARY", "accompaniment is necessary", SOURCE))
    if under_limit:
        grounds.append("under_age_limit")
        reasons.append(
            Reason(
                "COMPANION_UNDER_AGE_LIMIT",
                f"the insured is {age} on the ride date, younger than {limit}",
                SOURCE,
            )
        )
    covered = 1 if grounds else 0
    if not grounds:
        age_text = (
            f"the insured is {age} on the ride date (not younger than {limit})"
            if age is not None
            else "no birth date given"
        )
        reasons.append(
            Reason(
                "COMPANION_NOT_COVERED",
                f"a companion is covered only when accompaniment is necessary or the insured is "
                f"younger than {limit}; neither holds ({age_text})",
                SOURCE,
            )
        )
    if need.companions == 2 and covered:
        if need.two_approved:
            covered = 2
            reasons.append(
                Reason("COMPANION_TWO_APPROVED", "the insurer approved two companions", SOURCE)
            )
        else:
            reasons.append(
                Reason(
                    "COMPANION_SECOND_NOT_APPROVED",
                    "a second companion is covered only in special cases the insurer approved",
                    SOURCE,
                )
            )
    details = {
        "companions": need.companions,
        "covered": covered,
        "age": age,
        "age_limit": int(limit),
        "grounds": grounds,
    }
    return Decision("companion", covered == need.companions, tuple(reasons), (used,), details)
