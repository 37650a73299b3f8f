"""The hardheidsclausule (hardship clause) of zittend ziekenvervoer.

A patient outside the listed indications still qualifies when long-term dependent on transport::

    score = min(months, month_cap) x times_per_week x single_trip_km
    qualifies  <=>  score >= threshold          (threshold 250, month_cap 12)

The comparison is inclusive: 5 months x 2 per week x 25 km = 250 qualifies. Stated per 12 months
the same test reads "at least 1,000 km single trip" (M x F x 4 x D x 0.25 >= 250, Zorginstituut).

Rounding policy
---------------
* The single-trip distance is the exact home -> treatment leg: metres / 1000, never rounded
  before the comparison. A router's 41 649.7 m counts as 41.6497 km, not as 41.6 or 41.7.
* Numbers are compared as exact decimals (a ``float`` input is read by its shortest decimal form,
  so ``24.99`` is 24.99 and 5 x 2 x 24.99 = 249.9 < 250).
* Months are whole months, capped at the month cap (13 months count as 12). Times per week may be
  a fraction (0.5 = once every two weeks).
* Rounding happens only when a number is shown: kilometres to one decimal, half up.
* Because one tenth of a kilometre can decide a case (41.6 vs 41.7 km at 6 months once a week),
  the decision shows the margin (score - threshold), the exact kilometres needed at that schedule
  and, in whole metres rounded up, the shortest single trip that qualifies; cases within
  ``close_km`` of that distance get the extra reason ``HARDSHIP_CLOSE_TO_THRESHOLD``, because the
  geocoding precision (postcode vs full address) or another route planner can flip them.

Months are consecutive months of treatment. Whether the months given are consecutive is the
caller's responsibility: this rule only counts them.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

from transport.decisions import Decision, Reason
from transport.errors import InvalidInput
from transport.inputs import Number, to_decimal
from transport.parameters import ParameterSet

SOURCE = (
    "Besluit zorgverzekering art. 2.14 lid 3 (hardheidsclausule); VGZ form: months (max. 12, "
    "consecutive) x times per week x single-trip km >= 250"
)

DEFAULT_CLOSE_KM = Decimal("0.5")


def _fmt(x: Decimal, places: int = 4) -> str:
    """Show an exact decimal without trailing zeros, rounded to ``places`` decimals half up."""
    q = x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP).normalize()
    return f"{q:f}"


def check_hardship(
    months: int,
    per_week: Number,
    single_trip_km: Number,
    on: dt.date,
    *,
    parameters: ParameterSet | None = None,
    close_km: Number = DEFAULT_CLOSE_KM,
) -> Decision:
    """Decide the hardheidsclausule for a treatment schedule.

    Parameters
    ----------
    months : int
        Consecutive months of treatment (whole months, at least 1). More than the month cap
        count as the cap. Whether they are consecutive is the caller's responsibility.
    per_week : number
        Rides (treatment days) per week, greater than zero; may be a fraction.
    single_trip_km : number
        Home -> treatment distance in kilometres, unrounded (e.g. ``Trip.single_trip_km``).
    on : datetime.date
        Date the threshold and month cap are looked up on (normally the first ride).
    parameters : ParameterSet, optional
        Parameter source (default: the package's files).
    close_km : number
        Distance to the qualifying kilometres below which the case is flagged as close.

    Returns
    -------
    Decision
        Rule ``"hardship"``. ``details``: ``score``, ``threshold``, ``margin`` (score -
        threshold), ``months``, ``months_counted``, ``months_capped``, ``per_week``,
        ``single_trip_km``, ``km_needed`` (exact, at this schedule), ``m_needed`` (whole metres,
        rounded up), ``km_margin`` (single_trip_km - km_needed), ``close``, ``formula``.

    Raises
    ------
    InvalidInput
        For months that are not a whole number >= 1, or a non-positive frequency or distance.
    ParameterNotInForce
        When the threshold or cap has no value on ``on``.
    """
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise InvalidInput("months must be a whole number of at least 1", field="months")
    freq = to_decimal(per_week, "per_week", strictly_positive=True)
    km = to_decimal(single_trip_km, "single_trip_km", strictly_positive=True)
    close = to_decimal(close_km, "close_km", minimum=0)
    params = parameters or ParameterSet()
    used_threshold = params.used("hardship_threshold", on)
    used_cap = params.used("hardship_month_cap", on)
    threshold = to_decimal(used_threshold.value, "hardship_threshold")
    cap = to_decimal(used_cap.value, "hardship_month_cap")

    months_counted = min(Decimal(months), cap)
    capped = Decimal(months) > cap
    score = months_counted * freq * km
    margin = score - threshold
    km_needed = threshold / (months_counted * freq)
    m_needed = math.ceil(threshold * 1000 / (months_counted * freq))
    km_margin = km - km_needed
    qualifies = score >= threshold
    is_close = abs(km_margin) < close

    months_text = f"min({months}, {_fmt(cap)})" if capped else f"{months}"
    formula = (
        f"{months_text} x {_fmt(freq)} x {_fmt(km)} km = {_fmt(score)} "
        f"{'>=' if qualifies else '<'} {_fmt(threshold)}"
    )
    details = {
        "qualifies": qualifies,
        "score": float(score),
        "threshold": float(threshold),
        "margin": float(margin),
        "months": months,
        "months_counted": int(months_counted),
        "months_capped": capped,
        "month_cap": int(cap),
        "per_week": float(freq),
        "single_trip_km": float(km),
        "km_needed": float(km_needed),
        "m_needed": m_needed,
        "km_margin": float(km_margin),
        "close": is_close,
        "close_km": float(close),
        "formula": formula,
        "comparison": "score >= threshold on unrounded kilometres (metres / 1000)",
    }
    if qualifies:
        main = Reason(
            "HARDSHIP_QUALIFIES",
            f"{formula}: qualifies (margin {_fmt(margin)}; the single trip is "
            f"{_fmt(km_margin, 3)} km longer than the {_fmt(km_needed, 3)} km needed)",
            SOURCE,
        )
    else:
        main = Reason(
            "HARDSHIP_BELOW_THRESHOLD",
            f"{formula}: does not qualify (short by {_fmt(-margin)}; at this schedule a single "
            f"trip of at least {m_needed} m ({_fmt(km_needed, 3)} km) is needed)",
            SOURCE,
        )
    reasons = [main]
    if capped:
        reasons.append(
            Reason(
                "HARDSHIP_MONTHS_CAPPED",
                f"{months} months given; at most {_fmt(cap)} consecutive months count",
                SOURCE,
            )
        )
    if is_close:
        reasons.append(
            Reason(
                "HARDSHIP_CLOSE_TO_THRESHOLD",
                f"the single trip is within {_fmt(close)} km of the qualifying distance "
                f"({_fmt(km_margin, 3)} km); geocoding precision (postcode vs full address) or "
                "another route can change the outcome: check the addresses",
                SOURCE,
            )
        )
    return Decision("hardship", qualifies, tuple(reasons), (used_threshold, used_cap), details)
