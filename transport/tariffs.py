"""What a ride costs and what the insurer reimburses, by mode, policy type and carrier.

=================  ==========================================================================
mode               price of the ride and the most the insurer reimburses
=================  ==========================================================================
``taxi``           carrier's tariff: base per loaded leg x legs + per-km x loaded km.
                   Contracted carrier: the tariff in full (natura and restitutie).
                   Uncontracted, natura: at most ``natura_uncontracted_share`` (80%) of the
                   average contracted tariff for the same ride.
                   Uncontracted, restitutie: at most ``restitutie_market_conform_share`` (100%)
                   of the market-conform tariff for the same ride.
``own_car``        ``own_car_km_rate`` x loaded km, in full.
``public_transport``  the second-class fare as given (per person, whole ride), in full; for each
                   covered companion one more fare.
=================  ==========================================================================

A companion adds no cost in a taxi or an own car in this model; on public transport each
companion travelling pays a fare, reimbursed when the companion is covered
(:mod:`transport.companion`).

Amounts are computed exactly and rounded half up to cents once per ride (:mod:`transport.money`).
Tariff tables (carriers with their tariffs, average contracted and market-conform tariffs per
region) are CSV files in the format of ``data/tariffs/README.md``; the package ships only an
example table with invented figures, because per-km taxi tariffs are not public.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from transport.decisions import Decision, Reason, UsedParameter
from transport.distance import RideDistance
from transport.errors import InvalidInput
from transport.inputs import Number, km_text, parse_enum, to_decimal
from transport.money import eur_json, round_eur
from transport.parameters import ParameterSet

SOURCE_MODES = (
    "Besluit zorgverzekering art. 2.14 lid 1 (taxi, eigen auto, openbaar vervoer in de laagste "
    "klasse) and lid 2 (eigen auto: bedrag per km, Regeling zorgverzekering art. 2.37)"
)
SOURCE_NATURA = (
    "Coöperatie VGZ, naturapolis (Ruime Keuze): niet-gecontracteerde vervoerder max. 80% van het "
    "gemiddeld gecontracteerde tarief; Zorgverzekeringswet art. 13"
)
SOURCE_RESTITUTIE = (
    "Coöperatie VGZ, restitutiepolis (Eigen Keuze): max. 100% van het marktconforme tarief; "
    "Zorgverzekeringswet art. 11 lid 1 onder b"
)
SOURCE_CONTRACTED = "Zorgverzekeringswet art. 11 (natura: gecontracteerde zorg volledig vergoed)"


class Mode(StrEnum):
    """Transport mode of a ride."""

    TAXI = "taxi"
    OWN_CAR = "own_car"
    PUBLIC_TRANSPORT = "public_transport"


class PolicyType(StrEnum):
    """Kind of health insurance policy."""

    NATURA = "natura"
    RESTITUTIE = "restitutie"


class TariffNotFound(InvalidInput):
    """A tariff table has no row for the carrier, region or date asked for."""

    code = "TariffNotFound"


@dataclass(frozen=True)
class Tariff:
    """A taxi tariff: a base amount per loaded leg plus an amount per loaded kilometre.

    Attributes
    ----------
    base_eur : Decimal
        Base tariff (instaptarief) per loaded leg, in euro.
    per_km_eur : Decimal
        Amount per loaded kilometre, in euro.
    source : str
        Where the tariff comes from (table file and row, or ``"given"``).
    """

    base_eur: Decimal
    per_km_eur: Decimal
    source: str = "given"

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_eur", to_decimal(self.base_eur, "base_eur", minimum=0))
        object.__setattr__(self, "per_km_eur", to_decimal(self.per_km_eur, "per_km_eur", minimum=0))

    def price(self, loaded_km: Decimal, legs: int) -> Decimal:
        """Return the unrounded price of a ride: ``base x legs + per_km x loaded_km``."""
        return self.base_eur * legs + self.per_km_eur * loaded_km

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (amounts as strings)."""
        return {
            "base_eur": str(self.base_eur),
            "per_km_eur": str(self.per_km_eur),
            "source": self.source,
        }


@dataclass(frozen=True)
class Carrier:
    """A taxi company with its tariff.

    Attributes
    ----------
    name : str
        Name of the carrier.
    contracted : bool
        Whether the insurer contracted this carrier.
    tariff : Tariff
        The carrier's own tariff (what it invoices).
    region : str
        Region whose average contracted and market-conform tariffs apply (``"*"``: any).
    """

    name: str
    contracted: bool
    tariff: Tariff
    region: str = "*"

    def __post_init__(self) -> None:
        if not str(self.name).strip():
            raise InvalidInput("carrier name is empty", field="carrier")
        if not isinstance(self.contracted, bool):
            raise InvalidInput("contracted must be true or false", field="contracted")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "name": self.name,
            "contracted": self.contracted,
            "region": self.region,
            "tariff": self.tariff.to_dict(),
        }


# --- tariff tables ------------------------------------------------------------------------------

KINDS = ("carrier", "average_contracted", "market_conform")
COLUMNS = (
    "kind",
    "name",
    "region",
    "contracted",
    "base_eur",
    "per_km_eur",
    "valid_from",
    "valid_until",
    "example",
    "note",
)
_YES = {"yes", "y", "true", "1", "ja", "j"}
_NO = {"no", "n", "false", "0", "nee", ""}


def _key(text: str) -> str:
    """Compare names ignoring case, accents and surrounding spaces."""
    norm = unicodedata.normalize("NFKD", str(text).strip().casefold())
    return "".join(c for c in norm if not unicodedata.combining(c))


def _bool(text: str, where: str) -> bool:
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise InvalidInput(f"{where}: expected yes or no, got {text!r}", field="contracted")


def _date(text: str, where: str, column: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{where}: {column} must be YYYY-MM-DD", field=column) from None


@dataclass(frozen=True)
class TariffRow:
    """One row of a tariff table (see ``data/tariffs/README.md``)."""

    kind: str
    name: str
    region: str
    contracted: bool
    tariff: Tariff
    valid_from: dt.date | None
    valid_until: dt.date | None
    example: bool

    def holds_on(self, on: dt.date) -> bool:
        """Whether the row's tariff is valid on ``on``."""
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or on <= self.valid_until
        )


@dataclass(frozen=True)
class TariffTable:
    """Carriers and reference tariffs, read from a CSV file a user can replace.

    Attributes
    ----------
    rows : tuple of TariffRow
        All rows of the file.
    source : str
        The file the table was read from.
    """

    rows: tuple[TariffRow, ...]
    source: str = "given"

    @property
    def is_example(self) -> bool:
        """Whether any row is marked as an example (invented figures)."""
        return any(r.example for r in self.rows)

    @cached_property
    def _carrier_index(self) -> dict[str, list[TariffRow]]:
        """Carrier rows by normalised name (built once; a batch looks carriers up many times)."""
        index: dict[str, list[TariffRow]] = {}
        for r in self.rows:
            if r.kind == "carrier":
                index.setdefault(_key(r.name), []).append(r)
        return index

    @classmethod
    def example(cls) -> TariffTable:
        """Return the example table shipped with the package (invented figures)."""
        from routing import settings

        return cls.from_csv(Path(settings.data_dir) / "tariffs" / "example_tariffs.csv")

    @classmethod
    def from_csv(cls, path: str | Path) -> TariffTable:
        """Read a tariff table; lines starting with ``#`` are comments.

        Raises
        ------
        InvalidInput
            For a missing file, a missing column or a malformed row (naming the line).
        """
        path = Path(path)
        if not path.is_file():
            raise InvalidInput(f"tariff table {path.name} not found", field="tariffs")
        lines = [
            ln
            for ln in path.read_text(encoding="utf-8-sig").splitlines()
            if ln.strip() and not ln.lstrip().startswith("#")
        ]
        reader = csv.DictReader(lines)
        missing = [c for c in COLUMNS[:6] if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput(
                f"tariff table {path.name} lacks the column(s) {', '.join(missing)}; "
                f"expected {', '.join(COLUMNS)}",
                field="tariffs",
            )
        rows = []
        for n, raw in enumerate(reader, start=2):
            where = f"{path.name} data row {n - 1}"
            rec = {k: (v or "").strip() for k, v in raw.items() if k}
            kind = rec["kind"].lower()
            if kind not in KINDS:
                raise InvalidInput(f"{where}: kind must be one of {', '.join(KINDS)}", field="kind")
            if kind == "carrier" and not rec["name"]:
                raise InvalidInput(f"{where}: a carrier row needs a name", field="name")
            tariff = Tariff(
                to_decimal(rec["base_eur"] or "0", f"base_eur ({where})", minimum=0),
                to_decimal(rec["per_km_eur"], f"per_km_eur ({where})", minimum=0),
                source=f"{path.name}: {kind} {rec['name'] or rec['region'] or '*'}",
            )
            rows.append(
                TariffRow(
                    kind=kind,
                    name=rec["name"],
                    region=rec["region"] or "*",
                    contracted=_bool(rec["contracted"], where) if kind == "carrier" else True,
                    tariff=tariff,
                    valid_from=_date(rec.get("valid_from", ""), where, "valid_from"),
                    valid_until=_date(rec.get("valid_until", ""), where, "valid_until"),
                    example=_bool(rec.get("example", ""), where) if rec.get("example") else False,
                )
            )
        return cls(tuple(rows), source=path.name)

    def _pick(self, rows: list[TariffRow], on: dt.date, what: str, field_name: str) -> TariffRow:
        valid = [r for r in rows if r.holds_on(on)]
        if not valid:
            raise TariffNotFound(
                f"{self.source} has no {what} valid on {on.isoformat()}", field=field_name
            )
        return valid[-1]

    def carrier(self, name: str, on: dt.date) -> Carrier:
        """Return the carrier ``name`` with its tariff valid on ``on``.

        Raises
        ------
        TariffNotFound
            When the table does not know the carrier, or has no tariff for it on that date.
        """
        rows = self._carrier_index.get(_key(name), [])
        if not rows:
            known = sorted({r.name for r in self.rows if r.kind == "carrier"})
            raise TariffNotFound(
                f"carrier {name!r} is not in {self.source}; known: {', '.join(known) or 'none'}",
                field="carrier",
            )
        row = self._pick(rows, on, f"tariff for carrier {rows[0].name!r}", "carrier")
        return Carrier(row.name, row.contracted, row.tariff, row.region)

    def reference(self, kind: str, region: str, on: dt.date) -> Tariff:
        """Return the ``average_contracted`` or ``market_conform`` tariff of ``region`` on ``on``.

        A row for the region itself wins over a row for all regions (``*``).
        """
        of_kind = [r for r in self.rows if r.kind == kind]
        rows = [r for r in of_kind if _key(r.region) == _key(region)]
        if not any(r.holds_on(on) for r in rows):
            rows = [r for r in of_kind if r.region == "*"]
        label = kind.replace("_", " ")
        return self._pick(rows, on, f"{label} tariff for region {region!r}", "region").tariff


# --- the rule -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateCase:
    """The facts of one ride that decide its price and reimbursement.

    Attributes
    ----------
    ride_date : datetime.date
        Date of the ride.
    mode : Mode
        Taxi, own car or public transport.
    distance : RideDistance
        Exact kilometres of the ride.
    policy_type : PolicyType, optional
        Natura or restitutie; needed for an uncontracted taxi.
    carrier : Carrier, optional
        Needed for a taxi.
    pt_fare_eur : number, optional
        Second-class fare for the whole ride per person; needed for public transport.
    travellers : int
        People travelling who pay a fare: the insured plus companions (public transport).
    covered_travellers : int
        Of those, the insured plus the covered companions.
    """

    ride_date: dt.date
    mode: Mode
    distance: RideDistance
    policy_type: PolicyType | None = None
    carrier: Carrier | None = None
    pt_fare_eur: Number | None = None
    travellers: int = 1
    covered_travellers: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", parse_enum(Mode, self.mode, "mode"))
        if self.policy_type is not None:
            object.__setattr__(
                self, "policy_type", parse_enum(PolicyType, self.policy_type, "policy_type")
            )
        if self.mode is Mode.TAXI and self.carrier is None:
            raise InvalidInput("a taxi ride needs a carrier (name and tariff)", field="carrier")
        if self.mode is Mode.PUBLIC_TRANSPORT:
            if self.pt_fare_eur is None:
                raise InvalidInput(
                    "a public transport ride needs the second-class fare (whole ride, per person)",
                    field="pt_fare_eur",
                )
            object.__setattr__(
                self, "pt_fare_eur", to_decimal(self.pt_fare_eur, "pt_fare_eur", minimum=0)
            )
        if not 1 <= self.covered_travellers <= self.travellers <= 3:
            raise InvalidInput(
                "travellers must be 1..3 and covered_travellers 1..travellers",
                field="travellers",
            )


def check_rate(
    case: RateCase,
    *,
    parameters: ParameterSet | None = None,
    tariffs: TariffTable | None = None,
) -> Decision:
    """Price a ride and cap what the insurer reimburses for it (before the eigen bijdrage).

    Parameters
    ----------
    case : RateCase
        The ride.
    parameters : ParameterSet, optional
        Parameter source (default: the package's files).
    tariffs : TariffTable, optional
        Reference tariffs (average contracted, market-conform); needed for an uncontracted taxi.

    Returns
    -------
    Decision
        Rule ``"rate"``, ``ok`` when the insurer reimburses the full price. ``details``:
        ``price_eur`` and ``reimbursable_eur`` (strings with two decimals, rounded half up once),
        ``cap_eur`` (or ``None``), ``basis``, ``mode``, ``loaded_km``, ``legs``.

    Raises
    ------
    InvalidInput
        When an uncontracted taxi has no policy type or no tariff table.
    TariffNotFound
        When the table lacks the reference tariff.
    ParameterNotInForce
        When a parameter (km rate, share) has no value on the ride date.
    """
    params = parameters or ParameterSet()
    km = case.distance.loaded_km
    legs = case.distance.legs
    on = case.ride_date
    used: list[UsedParameter] = []
    cap: Decimal | None = None
    details: dict[str, Any] = {"mode": case.mode.value, "loaded_km": float(km), "legs": legs}

    if case.mode is Mode.OWN_CAR:
        rate_used = params.used("own_car_km_rate", on)
        used.append(rate_used)
        rate = to_decimal(rate_used.value, "own_car_km_rate")
        price = rate * km
        reimbursable = price
        basis = f"own car: {rate} EUR/km x {km_text(km)} km"
        source = SOURCE_MODES
    elif case.mode is Mode.PUBLIC_TRANSPORT:
        fare = Decimal(case.pt_fare_eur)  # type: ignore[arg-type]
        price = fare * case.travellers
        reimbursable = fare * case.covered_travellers
        basis = f"public transport, second class: {fare} EUR x {case.travellers} traveller(s)"
        if case.covered_travellers < case.travellers:
            basis += f", {case.covered_travellers} covered"
        source = SOURCE_MODES
    else:
        carrier = case.carrier
        assert carrier is not None
        price = carrier.tariff.price(km, legs)
        details["carrier"] = carrier.to_dict()
        if carrier.contracted:
            reimbursable = price
            basis = f"contracted carrier {carrier.name}: its tariff in full"
            source = SOURCE_CONTRACTED
        else:
            if case.policy_type is None:
                raise InvalidInput(
                    "an uncontracted taxi needs the policy type (natura or restitutie)",
                    field="policy_type",
                )
            if tariffs is None:
                raise InvalidInput(
                    "an uncontracted taxi needs a tariff table with the average contracted "
                    "and market-conform tariffs",
                    field="tariffs",
                )
            if case.policy_type is PolicyType.NATURA:
                share_used = params.used("natura_uncontracted_share", on)
                ref = tariffs.reference("average_contracted", carrier.region, on)
                ref_label = "average contracted tariff"
                source = SOURCE_NATURA
            else:
                share_used = params.used("restitutie_market_conform_share", on)
                ref = tariffs.reference("market_conform", carrier.region, on)
                ref_label = "market-conform tariff"
                source = SOURCE_RESTITUTIE
            used.append(share_used)
            share = to_decimal(share_used.value, share_used.name)
            cap = share * ref.price(km, legs)
            reimbursable = min(price, cap)
            details["reference_tariff"] = ref.to_dict()
            basis = (
                f"uncontracted carrier {carrier.name}, {case.policy_type.value}: at most "
                f"{(share * 100).normalize():f}% of the {ref_label} ({ref.base_eur} x {legs} + "
                f"{ref.per_km_eur} x {km_text(km)} km)"
            )
    price_r = round_eur(price)
    reimb_r = round_eur(reimbursable)
    details.update(
        price_eur=eur_json(price_r),
        reimbursable_eur=eur_json(reimb_r),
        cap_eur=eur_json(cap) if cap is not None else None,
        basis=basis,
    )
    full = reimb_r == price_r
    if full:
        reason = Reason("RATE_FULL", f"{basis}: € {price_r} reimbursed in full", source)
    else:
        reason = Reason(
            "RATE_CAPPED",
            f"{basis}: the ride costs € {price_r}, the insurer reimburses at most "
            f"€ {reimb_r}; the insured pays the difference",
            source,
            "0611",
        )
    return Decision("rate", full, (reason,), tuple(used), details)


def ride_amounts(decision: Decision) -> tuple[Decimal, Decimal]:
    """Return ``(price, reimbursable)`` of a :func:`check_rate` decision as exact decimals."""
    return Decimal(decision.details["price_eur"]), Decimal(decision.details["reimbursable_eur"])
