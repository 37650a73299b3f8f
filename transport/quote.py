"""Quotes for one ride or a recurring series, ride by ride, with every rule's decision.

A quote says what the carrier charges, what the insurer pays and what the patient pays.

A ride is one treatment day: home -> treatment -> home. Its kilometres come from a
:class:`routing.results.Trip` routed once by the caller and reused for every ride, or are given.
For each ride the quote applies, in this order:

1. indication (:mod:`transport.indications`), with the hardheidsclausule
   (:mod:`transport.hardship`) for the ``hardship`` indication;
2. the 200 km single-trip cap (:mod:`transport.distance`);
3. the authorisation (:mod:`transport.authorisation`);
4. companions (:mod:`transport.companion`);
5. price and reimbursement by mode, policy and carrier (:mod:`transport.tariffs`);
6. the eigen bijdrage over the calendar year (:mod:`transport.contribution`).

A ride is covered when 1-3 pass; then the insurer pays the reimbursable amount less the eigen
bijdrage, and the patient pays the rest of the price. A ride that is not covered is paid by the
patient in full. For every ride ``insurer_pays + patient_pays == price``, and every total is the
sum of the rides' rounded amounts.

Money is exact: each ride's price and reimbursement are computed unrounded and rounded half up
to cents once, at the end of that ride. The eigen risico (the yearly compulsory deductible) is not
applied: it depends on the other care the insured uses that year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from routing.results import Trip, km_display
from transport.authorisation import Authorisation, check_authorisation
from transport.companion import CompanionNeed, check_companion
from transport.contribution import ContributionRide, apply_contribution
from transport.decisions import Decision, Reason, UsedParameter
from transport.distance import RideDistance, check_single_trip_cap
from transport.errors import InvalidInput
from transport.hardship import check_hardship
from transport.indications import Indication, IndicationCase, Purpose, Therapy, check_indication
from transport.inputs import Number, parse_enum
from transport.insurers import Insurer, InsurerConfig
from transport.money import eur_json
from transport.parameters import ParameterSet
from transport.schedule import WeeklySchedule, ride_dates
from transport.tariffs import (
    Carrier,
    Mode,
    PolicyType,
    RateCase,
    TariffTable,
    check_rate,
    ride_amounts,
)

if TYPE_CHECKING:
    import pandas as pd

NOTE_EIGEN_RISICO = (
    "The eigen risico (compulsory yearly deductible) also applies to zittend ziekenvervoer; it "
    "depends on the other care used that year and is not included in these amounts."
)
NOTE_EXAMPLE_TARIFFS = (
    "Taxi tariffs come from an EXAMPLE table with invented figures (per-km taxi tariffs are not "
    "public): pass your own table (--tariffs FILE) for real amounts."
)


def _jsonable(obj: Any) -> Any:
    """Replace :class:`~decimal.Decimal` values (e.g. user overrides) by plain JSON numbers."""
    if isinstance(obj, Decimal):
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    return obj


@dataclass(frozen=True)
class QuoteRequest:
    """Everything a quote needs. Give exactly one of ``trip`` and the two km figures.

    Attributes
    ----------
    dates : sequence of datetime.date or WeeklySchedule
        Ride dates: an explicit list, or a rule such as Mon/Wed/Fri for 6 months.
    indication : Indication
        Indication category of the rides.
    mode : Mode
        ``taxi``, ``own_car`` or ``public_transport``.
    trip : routing.results.Trip, optional
        The routed trip (home -> treatment and back), reused for every ride.
    single_trip_km, loaded_km : number, optional
        Kilometres given instead of a trip (single trip; loaded km of the whole ride).
    legs : int
        Loaded legs per ride when km are given (2 = return ride).
    policy_type : PolicyType, optional
        ``natura`` or ``restitutie``; else taken from the insurer's product.
    insurer, product : str, optional
        Brand label (VGZ, IZA, Univé, ...) and product, resolved by ``data/insurers.yaml``.
    carrier : Carrier or str, optional
        For a taxi: a :class:`~transport.tariffs.Carrier`, or a name in the tariff table.
    pt_fare_eur : number, optional
        For public transport: the second-class fare for the whole ride, per person.
    purpose, therapy, cannot_travel_alone : optional
        Facts for the indication (see :class:`~transport.indications.IndicationCase`).
    birth_date : datetime.date, optional
        The insured's birth date (companion under 16, intensive child care under 18).
    companions : int
        Companions travelling along (0, 1, 2).
    companion_necessary, two_companions_approved : bool
        Grounds for covering companions.
    authorisation : Authorisation or sequence of them, optional
        The authorisation(s); for each ride the first one valid on its date is used.
    insured : str, optional
        Identifier of the insured, compared with the authorisation's (never shown).
    hardship_months, hardship_per_week : optional
        Schedule for the hardheidsclausule; taken from a ``WeeklySchedule`` with ``months``
        when not given.
    provider_approved : bool
        The insurer approved a provider beyond the 200 km single-trip cap.
    contribution_paid : mapping of int to number
        Eigen bijdrage already paid per year before these rides.
    eigen_bijdrage : mapping of int to number
        Yearly eigen bijdrage per year, overriding the parameter file for those years.
    """

    dates: Sequence[dt.date] | WeeklySchedule
    indication: Indication | str
    mode: Mode | str
    trip: Trip | None = None
    single_trip_km: Number | None = None
    loaded_km: Number | None = None
    legs: int = 2
    policy_type: PolicyType | str | None = None
    insurer: str | None = None
    product: str | None = None
    carrier: Carrier | str | None = None
    pt_fare_eur: Number | None = None
    purpose: Purpose | str = Purpose.TREATMENT
    therapy: Therapy | str | None = None
    cannot_travel_alone: bool = True
    birth_date: dt.date | None = None
    companions: int = 0
    companion_necessary: bool = False
    two_companions_approved: bool = False
    authorisation: Authorisation | Sequence[Authorisation] | None = None
    insured: str | None = None
    hardship_months: int | None = None
    hardship_per_week: Number | None = None
    provider_approved: bool = False
    contribution_paid: Mapping[int, Number] = field(default_factory=dict)
    eigen_bijdrage: Mapping[int, Number] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "indication", parse_enum(Indication, self.indication, "indication")
        )
        object.__setattr__(self, "mode", parse_enum(Mode, self.mode, "mode"))
        if self.policy_type is not None:
            object.__setattr__(
                self, "policy_type", parse_enum(PolicyType, self.policy_type, "policy_type")
            )
        has_km = self.single_trip_km is not None or self.loaded_km is not None
        if self.trip is not None and has_km:
            raise InvalidInput(
                "give either a routed trip or the kilometres, not both", field="trip"
            )
        if self.trip is None and (self.single_trip_km is None or self.loaded_km is None):
            raise InvalidInput(
                "give a routed trip, or both single_trip_km and loaded_km", field="loaded_km"
            )
        if self.mode is not Mode.TAXI and self.carrier is not None:
            raise InvalidInput("a carrier is only used with mode taxi", field="carrier")
        if self.mode is not Mode.PUBLIC_TRANSPORT and self.pt_fare_eur is not None:
            raise InvalidInput(
                "a fare is only used with mode public_transport", field="pt_fare_eur"
            )


@dataclass(frozen=True)
class RideQuote:
    """The quote of one ride.

    Attributes
    ----------
    number : int
        Position of the ride in date order (1 = first).
    ride_date : datetime.date
        Date of the ride.
    distance : RideDistance
        Exact kilometres.
    mode : Mode
        Transport mode.
    carrier : str, optional
        Carrier name (taxi).
    covered : bool
        Whether the insurer covers the ride (indication, 200 km cap, authorisation).
    price_eur : Decimal
        What the carrier charges (own car: the km allowance; public transport: the fares).
    reimbursable_eur : Decimal
        What the insurer would pay before the eigen bijdrage (0 when not covered).
    contribution_eur : Decimal
        Eigen bijdrage charged on this ride.
    insurer_pays_eur, patient_pays_eur : Decimal
        The split of the price; they add up to ``price_eur``.
    decisions : tuple of Decision
        Every rule's decision for this ride.
    """

    number: int
    ride_date: dt.date
    distance: RideDistance
    mode: Mode
    carrier: str | None
    covered: bool
    price_eur: Decimal
    reimbursable_eur: Decimal
    contribution_eur: Decimal
    insurer_pays_eur: Decimal
    patient_pays_eur: Decimal
    decisions: tuple[Decision, ...]

    def decision(self, rule: str) -> Decision:
        """Return the decision of ``rule`` (``"authorisation"``, ``"rate"``, ...)."""
        for d in self.decisions:
            if d.rule == rule:
                return d
        raise KeyError(rule)

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """Reasons of the rules that failed (why the ride is not covered, or capped)."""
        return tuple(r for d in self.decisions if not d.ok for r in d.reasons)

    def to_row(self) -> dict[str, Any]:
        """Return a flat row (exact Decimal amounts) for a DataFrame."""
        auth = self.decision("authorisation").details.get("number")
        return {
            "ride": self.number,
            "date": self.ride_date,
            "covered": self.covered,
            "mode": self.mode.value,
            "carrier": self.carrier,
            "authorisation": auth,
            "single_trip_km": float(self.distance.single_trip_km),
            "loaded_km": float(self.distance.loaded_km),
            "price_eur": self.price_eur,
            "reimbursable_eur": self.reimbursable_eur,
            "contribution_eur": self.contribution_eur,
            "insurer_pays_eur": self.insurer_pays_eur,
            "patient_pays_eur": self.patient_pays_eur,
            "reasons": ";".join(r.code for r in self.reasons),
        }

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (amounts as strings with two decimals)."""
        return {
            "ride": self.number,
            "date": self.ride_date.isoformat(),
            "covered": self.covered,
            "mode": self.mode.value,
            "carrier": self.carrier,
            "single_trip_km": float(self.distance.single_trip_km),
            "loaded_km": float(self.distance.loaded_km),
            "loaded_km_display": km_display(float(self.distance.loaded_km * 1000)),
            "price_eur": eur_json(self.price_eur),
            "reimbursable_eur": eur_json(self.reimbursable_eur),
            "contribution_eur": eur_json(self.contribution_eur),
            "insurer_pays_eur": eur_json(self.insurer_pays_eur),
            "patient_pays_eur": eur_json(self.patient_pays_eur),
            "reasons": [r.to_dict() for r in self.reasons],
            "decisions": _jsonable([d.to_dict() for d in self.decisions]),
        }


@dataclass(frozen=True)
class Totals:
    """Sums over the rides of a quote (each the sum of the rides' rounded amounts)."""

    rides: int
    covered_rides: int
    loaded_km: Decimal
    price_eur: Decimal
    reimbursable_eur: Decimal
    contribution_eur: Decimal
    insurer_pays_eur: Decimal
    patient_pays_eur: Decimal

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (amounts as strings with two decimals)."""
        return {
            "rides": self.rides,
            "covered_rides": self.covered_rides,
            "loaded_km": float(self.loaded_km),
            "price_eur": eur_json(self.price_eur),
            "reimbursable_eur": eur_json(self.reimbursable_eur),
            "contribution_eur": eur_json(self.contribution_eur),
            "insurer_pays_eur": eur_json(self.insurer_pays_eur),
            "patient_pays_eur": eur_json(self.patient_pays_eur),
        }


@dataclass(frozen=True)
class Quote:
    """A quote for one ride or a series.

    Attributes
    ----------
    rides : tuple of RideQuote
        The rides in date order.
    distance : RideDistance
        The kilometres used for every ride.
    hardship : Decision, optional
        The hardheidsclausule computation, when its schedule is known.
    insurer : Insurer, optional
        The resolved insurer brand.
    policy_type : PolicyType, optional
        The policy type applied.
    schedule : str
        Description of the dates (``"Mon/Wed/Fri, 2025-01-06 .. 2025-07-05"`` or a count).
    map : dict, optional
        Identity of the map the trip was routed on.
    tariffs : str, optional
        The tariff table used.
    notes : tuple of str
        What the amounts do not include, and warnings (example tariffs).
    """

    rides: tuple[RideQuote, ...]
    distance: RideDistance
    hardship: Decision | None
    insurer: Insurer | None
    policy_type: PolicyType | None
    schedule: str
    map: dict[str, Any] | None = None
    tariffs: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def totals(self) -> Totals:
        """Sums over the rides."""
        zero = Decimal(0)
        return Totals(
            rides=len(self.rides),
            covered_rides=sum(r.covered for r in self.rides),
            loaded_km=sum((r.distance.loaded_km for r in self.rides), zero),
            price_eur=sum((r.price_eur for r in self.rides), zero),
            reimbursable_eur=sum((r.reimbursable_eur for r in self.rides), zero),
            contribution_eur=sum((r.contribution_eur for r in self.rides), zero),
            insurer_pays_eur=sum((r.insurer_pays_eur for r in self.rides), zero),
            patient_pays_eur=sum((r.patient_pays_eur for r in self.rides), zero),
        )

    @property
    def parameters(self) -> tuple[UsedParameter, ...]:
        """The distinct parameter values used by any rule, with their provenance."""
        seen: dict[tuple[Any, ...], UsedParameter] = {}
        decisions = [d for r in self.rides for d in r.decisions]
        if self.hardship is not None:
            decisions.append(self.hardship)
        for d in decisions:
            for p in d.parameters:
                seen.setdefault((p.name, str(p.value), p.since, p.source), p)
        return tuple(sorted(seen.values(), key=lambda p: (p.name, p.since or "", p.on)))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict: rides, totals, hardship, parameters, notes."""
        return {
            "schedule": self.schedule,
            "distance": self.distance.to_dict(),
            "map": self.map,
            "insurer": self.insurer.to_dict() if self.insurer else None,
            "policy_type": self.policy_type.value if self.policy_type else None,
            "tariffs": self.tariffs,
            "totals": self.totals.to_dict(),
            "hardship": _jsonable(self.hardship.to_dict()) if self.hardship else None,
            "rides": [r.to_dict() for r in self.rides],
            "parameters": _jsonable([p.to_dict() for p in self.parameters]),
            "notes": list(self.notes),
        }

    def to_frame(self) -> pd.DataFrame:
        """Return one row per ride (amounts as exact :class:`~decimal.Decimal` objects)."""
        import pandas as pd

        return pd.DataFrame([r.to_row() for r in self.rides])


def _hardship_schedule(req: QuoteRequest) -> tuple[int | None, Number | None]:
    months, per_week = req.hardship_months, req.hardship_per_week
    if isinstance(req.dates, WeeklySchedule):
        if months is None:
            months = req.dates.months
        if per_week is None:
            per_week = req.dates.per_week
    return months, per_week


def _pick_authorisation(auths: Sequence[Authorisation], on: dt.date) -> Authorisation | None:
    if not auths:
        return None
    for a in auths:
        if a.covers_date(on):
            return a
    return auths[0]


def quote(
    request: QuoteRequest,
    *,
    parameters: ParameterSet | None = None,
    tariffs: TariffTable | None = None,
    insurers: InsurerConfig | None = None,
) -> Quote:
    """Quote one ride or a series.

    Parameters
    ----------
    request : QuoteRequest
        The rides and the facts of the case.
    parameters : ParameterSet, optional
        Parameter source (default: the package's files); pass overrides through it.
    tariffs : TariffTable, optional
        Carriers and reference tariffs (default: the package's EXAMPLE table, flagged in the
        notes); used only for taxi rides.
    insurers : InsurerConfig, optional
        Brand configuration (default: the package's ``data/insurers.yaml``).

    Returns
    -------
    Quote

    Raises
    ------
    InvalidInput
        For malformed or missing input (the error's ``field`` names it).
    ParameterNotInForce
        When a ride falls on a date a parameter has no value for (e.g. the eigen bijdrage of a
        future year) and no value was passed.
    """
    params = parameters or ParameterSet()
    dates = sorted(ride_dates(request.dates))
    distance = (
        RideDistance.from_trip(request.trip)
        if request.trip is not None
        else RideDistance.given(request.single_trip_km, request.loaded_km, request.legs)  # type: ignore[arg-type]
    )
    notes = [NOTE_EIGEN_RISICO]

    insurer = None
    policy_type = request.policy_type
    if request.insurer is not None:
        insurer = (insurers or InsurerConfig.load()).resolve(request.insurer, request.product)
        if insurer.policy_type is not None:
            if policy_type is not None and policy_type is not insurer.policy_type:
                raise InvalidInput(
                    f"policy type {policy_type} contradicts {insurer.brand} {insurer.product} "
                    f"({insurer.policy_type})",
                    field="policy_type",
                )
            policy_type = insurer.policy_type
    elif request.product is not None:
        raise InvalidInput("a product needs the insurer brand", field="insurer")

    table = tariffs
    if request.mode is Mode.TAXI:
        if request.carrier is None:
            raise InvalidInput("a taxi ride needs a carrier", field="carrier")
        if table is None:
            table = TariffTable.example()
        if table.is_example:
            notes.append(NOTE_EXAMPLE_TARIFFS)

    months, per_week = _hardship_schedule(request)
    hardship = None
    if months is not None and per_week is not None:
        hardship = check_hardship(
            months, per_week, distance.single_trip_km, dates[0], parameters=params
        )
    elif request.indication is Indication.HARDSHIP:
        raise InvalidInput(
            "the hardship indication needs hardship_months and hardship_per_week (or a weekly "
            "schedule with months)",
            field="hardship_months",
        )

    if isinstance(request.authorisation, Authorisation):
        auths: tuple[Authorisation, ...] = (request.authorisation,)
    else:
        auths = tuple(request.authorisation or ())
    counts: dict[int, int] = {}

    case = IndicationCase(
        indication=request.indication,  # type: ignore[arg-type]
        purpose=request.purpose,  # type: ignore[arg-type]
        therapy=request.therapy,  # type: ignore[arg-type]
        birth_date=request.birth_date,
        cannot_travel_alone=request.cannot_travel_alone,
        hardship=hardship,
    )
    need = CompanionNeed(
        companions=request.companions,
        necessary=request.companion_necessary,
        two_approved=request.two_companions_approved,
        birth_date=request.birth_date,
    )

    partial = []
    for on in dates:
        carrier: Carrier | None = None
        if request.mode is Mode.TAXI:
            assert table is not None
            carrier = (
                request.carrier
                if isinstance(request.carrier, Carrier)
                else table.carrier(str(request.carrier), on)
            )
        indication = check_indication(case, on, parameters=params)
        cap = check_single_trip_cap(
            distance.single_trip_km,
            on,
            provider_approved=request.provider_approved,
            parameters=params,
        )
        auth = _pick_authorisation(auths, on)
        number = 1
        if auth is not None:
            key = id(auth)
            if auth.covers_date(on):
                counts[key] = counts.get(key, 0) + 1
            number = max(counts.get(key, 0), 1)
        authorisation = check_authorisation(
            auth,
            ride_date=on,
            indication=request.indication,
            mode=request.mode,
            carrier=carrier.name if carrier else None,
            carrier_contracted=carrier.contracted if carrier else None,
            insured=request.insured,
            ride_number=number,
        )
        companion = check_companion(need, on, parameters=params)
        covered_companions = int(companion.details.get("covered", 0))
        rate = check_rate(
            RateCase(
                ride_date=on,
                mode=request.mode,  # type: ignore[arg-type]
                distance=distance,
                policy_type=policy_type,  # type: ignore[arg-type]
                carrier=carrier,
                pt_fare_eur=request.pt_fare_eur,
                travellers=1 + request.companions,
                covered_travellers=1 + covered_companions,
            ),
            parameters=params,
            tariffs=table,
        )
        price, reimbursable = ride_amounts(rate)
        covered = indication.ok and cap.ok and authorisation.ok
        partial.append(
            (
                on,
                carrier,
                covered,
                price,
                reimbursable if covered else Decimal(0),
                (indication, cap, authorisation, companion, rate),
            )
        )

    contributions = apply_contribution(
        [ContributionRide(on, reimb) for on, _, _, _, reimb, _ in partial],
        parameters=params,
        already_paid=request.contribution_paid,
        yearly_amounts=request.eigen_bijdrage,
    )
    rides = []
    for n, ((on, carrier, covered, price, reimb, decisions), contrib) in enumerate(
        zip(partial, contributions, strict=True), start=1
    ):
        charge = Decimal(contrib.details["contribution_eur"])
        insurer_pays = reimb - charge
        rides.append(
            RideQuote(
                number=n,
                ride_date=on,
                distance=distance,
                mode=request.mode,  # type: ignore[arg-type]
                carrier=carrier.name if carrier else None,
                covered=covered,
                price_eur=price,
                reimbursable_eur=reimb,
                contribution_eur=charge,
                insurer_pays_eur=insurer_pays,
                patient_pays_eur=price - insurer_pays,
                decisions=(*decisions, contrib),
            )
        )
    if isinstance(request.dates, WeeklySchedule):
        schedule = request.dates.label
    else:
        schedule = f"{len(dates)} ride(s), {dates[0].isoformat()} .. {dates[-1].isoformat()}"
    return Quote(
        rides=tuple(rides),
        distance=distance,
        hardship=hardship,
        insurer=insurer,
        policy_type=policy_type,  # type: ignore[arg-type]
        schedule=schedule,
        map=request.trip.map.to_dict() if request.trip is not None else None,
        tariffs=table.source if table is not None else None,
        notes=tuple(notes),
    )
