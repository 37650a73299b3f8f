"""Eigen bijdrage: the insured's own yearly contribution to zittend ziekenvervoer.

Per insured and per calendar year the insured pays the first part of what the insurer would
reimburse, until the year's statutory amount is reached. Rides are taken in date order (rides on
the same date in the order given): the first rides absorb the contribution. A series that crosses
1 January starts again with the new year's amount. Amounts already paid in a year (earlier rides
outside the series) are passed per year.

On a ride the insured never pays more contribution than the insurer would otherwise reimburse
for it: ``contribution = min(remaining for the year, reimbursable)``.

A year without a value in ``data/parameters/eigen_bijdrage.yaml`` (e.g. 2026) raises
:class:`~transport.errors.ParameterNotInForce`, unless the amount is passed (per year, or for every
year through :class:`~transport.parameters.ParameterSet` overrides). Call once per insured.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from transport.decisions import Decision, Reason, UsedParameter
from transport.errors import InvalidInput
from transport.inputs import Number, to_decimal
from transport.money import eur_json
from transport.parameters import ParameterSet

SOURCE = "Besluit zorgverzekering art. 2.16e/2.16f (eigen bijdrage vervoer per kalenderjaar)"


@dataclass(frozen=True)
class ContributionRide:
    """One ride as the contribution sees it.

    Attributes
    ----------
    ride_date : datetime.date
        Date of the ride.
    reimbursable_eur : Decimal
        What the insurer would reimburse for the ride before the contribution (whole cents);
        0 for a ride that is not covered.
    """

    ride_date: dt.date
    reimbursable_eur: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.ride_date, dt.date):
            raise InvalidInput("ride_date must be a date", field="ride_date")
        object.__setattr__(
            self,
            "reimbursable_eur",
            to_decimal(self.reimbursable_eur, "reimbursable_eur", minimum=0),
        )


def _year_map(values: Mapping[int, Number] | None, field: str) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for year, amount in (values or {}).items():
        if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
            raise InvalidInput(f"{field}: years must be whole years like 2025", field=field)
        out[year] = to_decimal(amount, f"{field}[{year}]", minimum=0)
    return out


def apply_contribution(
    rides: Sequence[ContributionRide],
    *,
    parameters: ParameterSet | None = None,
    already_paid: Mapping[int, Number] | None = None,
    yearly_amounts: Mapping[int, Number] | None = None,
) -> list[Decision]:
    """Spread the eigen bijdrage over one insured's rides.

    Parameters
    ----------
    rides : sequence of ContributionRide
        The insured's rides, in any order.
    parameters : ParameterSet, optional
        Parameter source (default: the package's files); its override of ``eigen_bijdrage``
        applies to every year.
    already_paid : mapping of int to number, optional
        ``{year: amount}`` of contribution already paid in that year before these rides.
    yearly_amounts : mapping of int to number, optional
        ``{year: amount}`` overriding the yearly amount for those years only (e.g. ``{2026:
        130}`` for a year the files do not know yet).

    Returns
    -------
    list of Decision
        One decision (rule ``"contribution"``) per ride, in the order given. ``details``:
        ``year``, ``yearly_amount_eur``, ``paid_before_eur`` (this year, before this ride),
        ``contribution_eur`` (paid by the insured on this ride), ``insurer_pays_eur``,
        ``remaining_after_eur``; amounts as strings with two decimals.

    Raises
    ------
    ParameterNotInForce
        When a ride with a reimbursable amount falls in a year with no known amount and none
        was passed.
    """
    params = parameters or ParameterSet()
    paid = _year_map(already_paid, "already_paid")
    amounts = _year_map(yearly_amounts, "yearly_amounts")
    order = sorted(range(len(rides)), key=lambda i: rides[i].ride_date)
    out: list[Decision | None] = [None] * len(rides)
    running: dict[int, Decimal] = {}
    for i in order:
        ride = rides[i]
        year = ride.ride_date.year
        reimbursable = ride.reimbursable_eur
        if reimbursable == 0:
            reason = Reason(
                "CONTRIBUTION_NOT_APPLICABLE",
                "nothing reimbursable on this ride, so no eigen bijdrage is charged on it",
                SOURCE,
            )
            out[i] = Decision(
                "contribution",
                True,
                (reason,),
                (),
                {
                    "year": year,
                    "contribution_eur": "0.00",
                    "insurer_pays_eur": "0.00",
                },
            )
            continue
        if year in amounts:
            used = UsedParameter(
                "eigen_bijdrage", amounts[year], ride.ride_date.isoformat(), None, "user override"
            )
        else:
            used = params.used("eigen_bijdrage", ride.ride_date)
        yearly = to_decimal(used.value, "eigen_bijdrage", minimum=0)
        before = running.setdefault(year, min(paid.get(year, Decimal(0)), yearly))
        remaining = max(yearly - before, Decimal(0))
        charge = min(remaining, reimbursable)
        running[year] = before + charge
        insurer = reimbursable - charge
        details = {
            "year": year,
            "yearly_amount_eur": eur_json(yearly),
            "paid_before_eur": eur_json(before),
            "contribution_eur": eur_json(charge),
            "insurer_pays_eur": eur_json(insurer),
            "remaining_after_eur": eur_json(remaining - charge),
        }
        if charge == 0:
            text = f"the eigen bijdrage for {year} (€ {yearly:.2f}) has already been reached"
            code = "CONTRIBUTION_REACHED"
        elif charge == remaining:
            text = (
                f"eigen bijdrage {year}: the insured pays € {charge:.2f} on this ride, which "
                f"completes the yearly € {yearly:.2f}"
            )
            code = "CONTRIBUTION_COMPLETED"
        else:
            text = (
                f"eigen bijdrage {year}: the insured pays the whole reimbursable € {charge:.2f} "
                f"of this ride; € {remaining - charge:.2f} of € {yearly:.2f} remains"
            )
            code = "CONTRIBUTION_CHARGED"
        out[i] = Decision("contribution", True, (Reason(code, text, SOURCE),), (used,), details)
    return [d for d in out if d is not None]
