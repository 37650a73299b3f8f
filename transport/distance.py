"""The kilometres a ride is judged on, and the 200 km single-trip cap.

Kilometres come from a routed :class:`routing.results.Trip` (routed once by the caller and reused
for every ride of a series) or are given directly. They stay exact: metres / 1000 as a
:class:`~decimal.Decimal`, never rounded before a rule compares them. Rounding to one decimal
happens only for display (:func:`routing.results.km_display`).

The single-trip distance is the home -> treatment leg (the outbound leg of the Trip). The
loaded distance of a ride is the sum of both legs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from routing.results import Trip
from transport.decisions import Decision, Reason
from transport.errors import InvalidInput
from transport.inputs import Number, km_text, to_decimal
from transport.parameters import ParameterSet

SOURCE_CAP = "Besluit zorgverzekering art. 2.14 lid 1 (enkele reisafstand ten hoogste 200 km)"


def metres_to_km(metres: float | int | Decimal) -> Decimal:
    """Return exact kilometres from metres (``41650.3`` -> ``Decimal("41.6503")``), unrounded."""
    return to_decimal(metres, "distance_m", minimum=0) / 1000


@dataclass(frozen=True)
class RideDistance:
    """Exact kilometres of one ride (home -> treatment -> home).

    Attributes
    ----------
    single_trip_km : Decimal
        Home -> treatment, unrounded.
    loaded_km : Decimal
        Loaded kilometres of the whole ride (both legs), unrounded.
    legs : int
        Number of loaded legs (2 for a return ride, 1 for one way); base tariffs count per leg.
    source : str
        ``"router"`` (with the map's identity) or ``"given"``.
    """

    single_trip_km: Decimal
    loaded_km: Decimal
    legs: int = 2
    source: str = "given"

    def __post_init__(self) -> None:
        single = to_decimal(self.single_trip_km, "single_trip_km", strictly_positive=True)
        loaded = to_decimal(self.loaded_km, "loaded_km", strictly_positive=True)
        if isinstance(self.legs, bool) or self.legs not in (1, 2):
            raise InvalidInput("legs must be 1 (one way) or 2 (return ride)", field="legs")
        if loaded < single:
            raise InvalidInput(
                f"loaded_km ({loaded}) is shorter than the single trip ({single}); "
                "loaded km are the sum of the loaded legs",
                field="loaded_km",
            )
        object.__setattr__(self, "single_trip_km", single)
        object.__setattr__(self, "loaded_km", loaded)

    @classmethod
    def from_trip(cls, trip: Trip) -> RideDistance:
        """Take the exact kilometres of a routed trip (outbound leg = single trip)."""
        if not isinstance(trip, Trip):
            raise InvalidInput("trip must be a routing.results.Trip", field="trip")
        return cls(
            single_trip_km=metres_to_km(trip.outbound.distance_m),
            loaded_km=metres_to_km(trip.outbound.distance_m)
            + metres_to_km(trip.inbound.distance_m),
            legs=2,
            source=f"router ({trip.map.short})",
        )

    @classmethod
    def given(cls, single_trip_km: Number, loaded_km: Number, legs: int = 2) -> RideDistance:
        """Take kilometres given by the user (e.g. from another route planner)."""
        return cls(
            single_trip_km=to_decimal(single_trip_km, "single_trip_km", strictly_positive=True),
            loaded_km=to_decimal(loaded_km, "loaded_km", strictly_positive=True),
            legs=legs,
            source="given",
        )

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict (exact kilometres as numbers)."""
        return {
            "single_trip_km": float(self.single_trip_km),
            "loaded_km": float(self.loaded_km),
            "legs": self.legs,
            "source": self.source,
        }


def check_single_trip_cap(
    single_trip_km: Number,
    on: dt.date,
    *,
    provider_approved: bool = False,
    parameters: ParameterSet | None = None,
) -> Decision:
    """Check the 200 km single-trip cap (inclusive: exactly 200 km is within it).

    Parameters
    ----------
    single_trip_km : number
        Home -> treatment distance, unrounded.
    on : datetime.date
        Ride date (the cap is looked up on it).
    provider_approved : bool
        Whether the insurer approved a provider farther away; then the cap does not apply.
    parameters : ParameterSet, optional
        Parameter source (default: the package's files).

    Returns
    -------
    Decision
        Rule ``"single_trip_cap"``; ``details`` hold the distance, the cap and the margin.
    """
    params = parameters or ParameterSet()
    km = to_decimal(single_trip_km, "single_trip_km", strictly_positive=True)
    used = params.used("single_trip_km_cap", on)
    cap = to_decimal(used.value, "single_trip_km_cap")
    details = {
        "single_trip_km": float(km),
        "cap_km": float(cap),
        "margin_km": float(cap - km),
        "provider_approved": provider_approved,
    }
    if km <= cap:
        reason = Reason(
            "DISTANCE_WITHIN_CAP",
            f"single trip {km_text(km)} km is within the {cap} km cap",
            SOURCE_CAP,
        )
        return Decision("single_trip_cap", True, (reason,), (used,), details)
    if provider_approved:
        reason = Reason(
            "DISTANCE_OVER_CAP_APPROVED",
            f"single trip {km_text(km)} km exceeds the {cap} km cap, but the insurer approved"
            " this provider",
            SOURCE_CAP,
        )
        return Decision("single_trip_cap", True, (reason,), (used,), details)
    reason = Reason(
        "DISTANCE_OVER_CAP",
        f"single trip {km_text(km)} km exceeds the {cap} km cap and the insurer did not approve a "
        "provider this far away",
        SOURCE_CAP,
    )
    return Decision("single_trip_cap", False, (reason,), (used,), details)
