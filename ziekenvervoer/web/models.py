"""Request and response models of the JSON API (pydantic), with bounds on every input.

Inputs forbid unknown fields (a typo is an error, not silently ignored). Dates lie between
1900-01-01 and 2100-12-31. Amounts in answers are strings with two decimals (exact; a JSON
number would invite float arithmetic); kilometres are numbers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from transport.indications import Indication, Purpose, Therapy
from transport.tariffs import Mode, PolicyType
from transport.workdays import Channel
from ziekenvervoer.web.settings import MAX_DATES, MAX_TEXT

FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)


def _date_in_range(value: dt.date) -> dt.date:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"date must lie between {FIRST_DATE} and {LAST_DATE}")
    return value


ApiDate = Annotated[
    dt.date,
    AfterValidator(_date_in_range),
    Field(description="Date YYYY-MM-DD (1900-01-01 .. 2100-12-31)."),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Year = Annotated[int, Field(ge=1900, le=2100)]
Euro = Annotated[Decimal, Field(ge=0, le=100_000, max_digits=12, decimal_places=4)]
Money = Annotated[
    str, Field(description="Amount in euro with two decimals, e.g. '12.30'.", examples=["12.30"])
]


class Input(BaseModel):
    """Base of request models: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


def _latitude(value: float) -> float:
    if not -90 <= value <= 90:  # also refuses NaN
        raise ValueError(
            "latitude must lie in [-90, 90] (degrees WGS84; were lat and lon swapped?)"
        )
    return value


def _longitude(value: float) -> float:
    if not -180 <= value <= 180:  # also refuses NaN
        raise ValueError("longitude must lie in [-180, 180] (degrees WGS84)")
    return value


# the range is checked by the validators (with a message that says what to fix) and documented
# in the schema; Field(ge=, le=) would answer "Input should be less than or equal to 90"
Latitude = Annotated[
    float,
    AfterValidator(_latitude),
    Field(description="Latitude (WGS84).", json_schema_extra={"minimum": -90, "maximum": 90}),
]
Longitude = Annotated[
    float,
    AfterValidator(_longitude),
    Field(description="Longitude (WGS84).", json_schema_extra={"minimum": -180, "maximum": 180}),
]


class LatLonIn(Input):
    """A point as coordinates."""

    lat: Latitude
    lon: Longitude


#: What a point field takes, said in every error about its type.
POINT_FORMS = "give 'lat,lon' text, an address / postcode / hospital name, or an object {lat, lon}"


def _point_form(value: Any) -> str | None:
    """Which form of point ``value`` is: the tag of the union member that validates it.

    Dispatching on the input's type gives one error from the member that applies (a latitude out
    of range in ``{lat, lon}``) instead of one per member of ``str | LatLonIn``.
    """
    if isinstance(value, str):
        return "Text"
    if isinstance(value, dict | LatLonIn):
        return "LatLon"
    return None


# the tags are capitalised, as pydantic's own type names in an error's location, so that the
# error handlers leave them out of the field path ("home.lat", not "home.LatLon.lat")
Point = Annotated[
    Annotated[Text, Tag("Text")] | Annotated[LatLonIn, Tag("LatLon")],
    Discriminator(_point_form, custom_error_type="point_type", custom_error_message=POINT_FORMS),
    Field(
        description="'lat,lon' text (e.g. '52.2638,6.7708'), {lat, lon}, or an address / "
        "postcode / hospital name when the server has an address source.",
        examples=["52.287907,6.797534"],
    ),
]


# --- routing ------------------------------------------------------------------------------------


class RouteIn(Input):
    """A route from one point to another."""

    origin: Point
    destination: Point
    geometry: bool = Field(True, description="Include the route's line (GeoJSON).")
    sensitivity_s: float | None = Field(
        None,
        ge=0,
        le=300,
        description="Also report the shortest and longest route within this many seconds of "
        "the fastest (near ties).",
    )


class TripIn(Input):
    """A treatment trip: home -> treatment and back."""

    home: Point
    treatment: Point
    geometry: bool = Field(True, description="Include both legs' lines (GeoJSON).")


class MapOut(BaseModel):
    """The map (and speed profile) a result was computed on."""

    source: str
    sha256: str
    profile: str
    query: str | None = None
    downloaded: str | None = None


class LocationOut(BaseModel):
    """Where an input point was located (geocoding)."""

    lat: float
    lon: float
    precision: str
    source: str
    label: str | None = None


class WaypointOut(BaseModel):
    """Where a point was placed on the road (as OSRM's waypoints)."""

    input: list[float] = Field(description="[lat, lon] as given (after geocoding).")
    snapped: list[float] = Field(description="[lat, lon] on the road.")
    snap_distance_m: float
    way_id: int
    name: str | None = None
    location: LocationOut | None = None


class AlternativeOut(BaseModel):
    """The best different route."""

    distance_m: float
    duration_s: float
    extra_s: float


class SensitivityOut(BaseModel):
    """Lengths of plausible routes nearly as fast as the chosen one."""

    tolerance_s: float
    distance_m: float
    min_distance_m: float
    max_distance_m: float
    alternatives: int
    spread: float


class RouteOut(BaseModel):
    """The fastest car route."""

    distance_m: float = Field(description="Exact metres along the road.")
    duration_s: float
    distance_km: float = Field(description="Kilometres rounded to one decimal (display).")
    origin: WaypointOut
    destination: WaypointOut
    map: MapOut
    way_ids: list[int]
    alternative: AlternativeOut | None = None
    geometry: dict[str, Any] | None = Field(
        None, description="GeoJSON LineString (lon, lat), when asked for."
    )
    sensitivity: SensitivityOut | None = None


class TripOut(BaseModel):
    """Both legs of a trip; loaded kilometres are their sum."""

    loaded_m: float = Field(description="Exact loaded metres (outbound + inbound).")
    loaded_km: float = Field(description="Loaded kilometres rounded to one decimal (display).")
    single_trip_km: float = Field(description="Home -> treatment in km, unrounded.")
    outbound: RouteOut
    inbound: RouteOut
    map: MapOut


# --- quotes -------------------------------------------------------------------------------------


class Weekday(StrEnum):
    """Day of the week."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


class SeriesIn(Input):
    """Rides on fixed weekdays over a period (at most 24 months)."""

    start: ApiDate
    weekdays: list[Weekday] = Field(min_length=1, max_length=7)
    months: int | None = Field(None, ge=1, le=24, description="Length in calendar months.")
    until: ApiDate | None = Field(None, description="Last day (inclusive), instead of months.")
    skip: list[ApiDate] = Field(
        default_factory=list, max_length=MAX_DATES, description="Dates without a ride."
    )

    @model_validator(mode="after")
    def _period(self) -> SeriesIn:
        if (self.months is None) == (self.until is None):
            raise ValueError("give exactly one of months and until")
        if self.until is not None and not self.start <= self.until <= self.start + dt.timedelta(
            days=731
        ):
            raise ValueError("until must lie 0 to 731 days after start")
        return self


class AuthorisationIn(Input):
    """The authorisation (machtiging); validity defaults to the rides' period."""

    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=15)]
    valid_from: ApiDate | None = None
    valid_to: ApiDate | None = None
    indication: Indication | None = Field(None, description="Default: the rides' indication.")
    mode: Mode | None = Field(None, description="Default: the rides' mode.")
    carrier: ShortText | None = Field(None, description="Carrier named in the authorisation.")
    max_rides: int | None = Field(None, ge=1, le=10_000)
    rides_used: int = Field(0, ge=0, le=10_000)


class QuoteIn(Input):
    """A quote for one ride or a series; the same inputs as ``ziekenvervoer quote``.

    Give the kilometres either by ``home`` and ``treatment`` (routed on the server's map) or as
    ``single_trip_km`` and ``loaded_km``; the rides either as ``dates`` or as a ``series``.
    """

    home: Point | None = None
    treatment: Point | None = None
    single_trip_km: Decimal | None = Field(None, gt=0, le=2000, max_digits=12, decimal_places=6)
    loaded_km: Decimal | None = Field(None, gt=0, le=4000, max_digits=12, decimal_places=6)
    one_way: bool = Field(False, description="With given km: one loaded leg, not two.")
    dates: list[ApiDate] | None = Field(None, min_length=1, max_length=MAX_DATES)
    series: SeriesIn | None = None
    indication: Indication
    mode: Mode = Mode.TAXI
    purpose: Purpose = Purpose.TREATMENT
    therapy: Therapy | None = None
    can_travel_alone: bool = Field(False, description="Visually impaired but able to travel alone.")
    birth_date: ApiDate | None = Field(None, description="Insured's birth date (age rules).")
    insurer: ShortText | None = Field(None, description="Brand label: VGZ, IZA, Univé, ...")
    product: ShortText | None = Field(None, description="Product, e.g. 'Ruime Keuze'.")
    policy_type: PolicyType | None = None
    carrier: ShortText | None = Field(None, description="Taxi carrier name in the tariff table.")
    carrier_contracted: bool | None = Field(
        None, description="Override whether the carrier is contracted (default: the table's)."
    )
    pt_fare_eur: Euro | None = Field(
        None, description="Public transport: 2nd-class fare per person for the whole ride."
    )
    km_rate: Euro | None = Field(None, description="Own car EUR/km, overriding the parameter.")
    companions: int = Field(0, ge=0, le=2)
    companion_necessary: bool = False
    two_companions_approved: bool = False
    authorisation: AuthorisationIn | None = None
    hardship_months: int | None = Field(None, ge=1, le=120)
    hardship_per_week: Decimal | None = Field(None, gt=0, le=14, max_digits=8, decimal_places=4)
    over_200_approved: bool = Field(False, description="Insurer approved a provider > 200 km.")
    contribution_paid: dict[Year, Euro] = Field(
        default_factory=dict, max_length=10, description="Eigen bijdrage already paid per year."
    )
    eigen_bijdrage: dict[Year, Euro] = Field(
        default_factory=dict,
        max_length=10,
        description="Yearly eigen bijdrage per year, for years the parameter file lacks.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> QuoteIn:
        routed = self.home is not None or self.treatment is not None
        given = self.single_trip_km is not None or self.loaded_km is not None
        if routed and given:
            raise ValueError("give either home and treatment or single_trip_km and loaded_km")
        if routed and (self.home is None or self.treatment is None):
            raise ValueError("routing needs both home and treatment")
        if not routed and (self.single_trip_km is None or self.loaded_km is None):
            raise ValueError("give home and treatment, or single_trip_km and loaded_km")
        if (self.dates is None) == (self.series is None):
            raise ValueError("give either dates or a series")
        return self


class ReasonOut(BaseModel):
    """One reason behind a decision."""

    code: str
    text: str
    source: str | None = None
    vektis: str | None = None


class ParameterOut(BaseModel):
    """A parameter value a rule used, with its date and source."""

    name: str
    value: Any
    on: str
    since: str | None = None
    source: str


class DecisionOut(BaseModel):
    """The outcome of one rule."""

    rule: str
    ok: bool
    reasons: list[ReasonOut]
    parameters: list[ParameterOut]
    details: dict[str, Any]


class RideOut(BaseModel):
    """One ride of a quote."""

    ride: int
    date: str
    covered: bool
    mode: str
    carrier: str | None = None
    single_trip_km: float
    loaded_km: float
    loaded_km_display: float
    price_eur: Money
    reimbursable_eur: Money
    contribution_eur: Money
    insurer_pays_eur: Money
    patient_pays_eur: Money
    reasons: list[ReasonOut]
    decisions: list[DecisionOut]


class TotalsOut(BaseModel):
    """Sums over the rides (each the sum of the rides' rounded amounts)."""

    rides: int
    covered_rides: int
    loaded_km: float
    price_eur: Money
    reimbursable_eur: Money
    contribution_eur: Money
    insurer_pays_eur: Money
    patient_pays_eur: Money


class InsurerOut(BaseModel):
    """The resolved insurer brand."""

    brand: str
    concern: str
    product: str | None = None
    policy_type: str | None = None


class QuoteOut(BaseModel):
    """A quote: per ride and in total, what the carrier charges, the insurer and patient pay."""

    schedule: str
    distance: dict[str, Any]
    map: MapOut | None = None
    insurer: InsurerOut | None = None
    policy_type: str | None = None
    tariffs: str | None = None
    totals: TotalsOut
    hardship: DecisionOut | None = Field(None, description="The hardheidsclausule computation.")
    rides: list[RideOut]
    parameters: list[ParameterOut]
    notes: list[str]
    trip: TripOut | None = Field(None, description="The routed trip, when home/treatment given.")


# --- hardheidsclausule, payment date ------------------------------------------------------------


class HardshipIn(Input):
    """The hardheidsclausule test: months (max. 12) x rides per week x single-trip km >= 250.

    Give ``single_trip_km``, or ``home`` and ``treatment`` to route the single trip.
    """

    months: int = Field(ge=1, le=120, description="Consecutive months of treatment.")
    per_week: Decimal = Field(gt=0, le=14, max_digits=8, decimal_places=4)
    single_trip_km: Decimal | None = Field(None, gt=0, le=2000, max_digits=12, decimal_places=6)
    home: Point | None = None
    treatment: Point | None = None
    on: ApiDate | None = Field(None, description="Date the threshold is looked up on (today).")

    @model_validator(mode="after")
    def _one_source(self) -> HardshipIn:
        routed = self.home is not None and self.treatment is not None
        if (self.single_trip_km is not None) == routed or (
            (self.home is None) != (self.treatment is None)
        ):
            raise ValueError("give either single_trip_km or both home and treatment")
        return self


class HardshipOut(BaseModel):
    """The hardheidsclausule computation."""

    qualifies: bool
    score: float
    threshold: float
    margin: float
    months: int
    months_counted: int
    months_capped: bool
    per_week: float
    single_trip_km: float
    km_needed: float
    m_needed: int
    km_margin: float
    close: bool
    formula: str
    decision: DecisionOut
    trip: TripOut | None = None


class SkippedDayOut(BaseModel):
    """A day not counted as a working day."""

    model_config = ConfigDict(extra="allow")

    date: str
    reason: str
    name: str | None = None


class PaymentDateOut(BaseModel):
    """The latest expected payment date of a claim."""

    received: str
    channel: Channel
    working_days: int
    payment_date: str
    counted_days: list[str]
    skipped_days: list[SkippedDayOut]
    holidays_skipped: list[SkippedDayOut]
    parameter: ParameterOut
    calendar: dict[str, Any]


# --- suggestions, info --------------------------------------------------------------------------


class SuggestIn(Input):
    """A typed prefix of an address or hospital name."""

    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    limit: int = Field(8, ge=1, le=20)


class SuggestionOut(BaseModel):
    """A place that completes the prefix; ``label`` geocodes back to it."""

    label: str
    lat: float
    lon: float
    precision: str
    source: str
    on_map: bool = Field(
        description="Whether a route can start here on the loaded map; places on the map come "
        "first, places off it last."
    )


class SuggestOut(BaseModel):
    """Suggestions, and whether the server has a source for them at all."""

    available: bool = Field(description="False when no address table or hospital list is set.")
    suggestions: list[SuggestionOut]


class Choice(BaseModel):
    """A value with its Dutch label."""

    value: str
    label: str


class CarrierOut(BaseModel):
    """A carrier from the tariff table."""

    name: str
    contracted: bool
    region: str


class InsurerBrandOut(BaseModel):
    """An insurer brand and its known products."""

    brand: str
    concern: str
    products: dict[str, str]


class LimitsOut(BaseModel):
    """Limits of this server."""

    max_body_bytes: int
    max_rides: int
    max_dates: int


class InfoOut(BaseModel):
    """What this server computes on, its limits and the choices of the quote form."""

    map: MapOut
    bounds: list[float] = Field(description="[min_lon, min_lat, max_lon, max_lat] of the map.")
    limits: LimitsOut
    suggestions: bool
    tile_url: str | None = None
    tariffs: str
    tariffs_example: bool
    indications: list[Choice]
    modes: list[Choice]
    policy_types: list[Choice]
    insurers: list[InsurerBrandOut]
    carriers: list[CarrierOut]


class HealthOut(BaseModel):
    """Liveness."""

    status: str
    map: str
