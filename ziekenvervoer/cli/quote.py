"""Commands ``quote`` and ``hardheid``: presentation only, the rules live in :mod:`transport`.

``quote`` prices a ride or a series (what the carrier charges, the insurer pays and the patient
pays); ``hardheid`` runs the hardheidsclausule test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from routing.errors import ZiekenvervoerError
from ziekenvervoer.cli._common import (
    AddressesOption,
    HospitalsOption,
    JsonOption,
    OnlineOption,
    ParametersOption,
    PC4Option,
    load_router,
)
from ziekenvervoer.cli._output import console, emit, fail
from ziekenvervoer.quote_request import (
    authorisation_for,
    parameter_set,
    parse_iso_date,
    ride_schedule,
    year_amounts,
)


def _every_or_per_year(items: list[str] | None, field: str) -> Any:
    """Read ``AMOUNT`` (every year) or ``YEAR=AMOUNT`` items (per calendar year)."""
    from transport.errors import InvalidInput

    items = items or []
    per_year = [i for i in items if "=" in i]
    if per_year and len(per_year) != len(items):
        raise InvalidInput(f"give {field} either as AMOUNT or as YEAR=AMOUNT items", field=field)
    if per_year:
        return year_amounts(per_year, field)
    if len(items) > 1:
        raise InvalidInput(f"give one {field} AMOUNT, or YEAR=AMOUNT per year", field=field)
    return items[0] if items else None


_OPTION_FOR_PARAMETER = {
    "eigen_bijdrage": "--eigen-bijdrage YEAR=AMOUNT",
    "own_car_km_rate": "--km-rate YEAR=AMOUNT",
}


def _with_hint(err: ZiekenvervoerError) -> ZiekenvervoerError:
    """Name the command-line option that passes a missing parameter value."""
    from transport.errors import ParameterNotInForce

    option = _OPTION_FOR_PARAMETER.get(err.field or "")
    if isinstance(err, ParameterNotInForce) and option:
        return ParameterNotInForce(f"{err.message} On the command line: {option}.", field=err.field)
    if isinstance(err, ParameterNotInForce):
        return ParameterNotInForce(
            f"{err.message} On the command line: --parameters DIR with your own {err.field}.yaml.",
            field=err.field,
        )
    return err


def hardheid(
    months: Annotated[
        int, typer.Option("--months", help="Consecutive months of treatment (you check they are).")
    ],
    per_week: Annotated[float, typer.Option("--per-week", help="Rides per week (may be 0.5).")],
    km: Annotated[float, typer.Option("--km", help="Single-trip km home -> treatment, unrounded.")],
    on: Annotated[
        str | None,
        typer.Option("--on", help="Date the threshold is looked up on (default: today)."),
    ] = None,
    parameters_dir: ParametersOption = None,
    as_json: JsonOption = False,
) -> None:
    """Test the hardheidsclausule: months (max. 12) x rides per week x single-trip km >= 250."""
    from transport.hardship import check_hardship

    try:
        day = parse_iso_date(on, "on") if on else dt.date.today()
        decision = check_hardship(
            months, per_week, km, day, parameters=parameter_set(parameters_dir)
        )
    except ZiekenvervoerError as err:
        fail(_with_hint(err), as_json)
    d = decision.details
    data = {
        "qualifies": d["qualifies"],
        "score": d["score"],
        "threshold": d["threshold"],
        "margin": d["margin"],
        "months": d["months"],
        "months_counted": d["months_counted"],
        "months_capped": d["months_capped"],
        "per_week": d["per_week"],
        "single_trip_km": d["single_trip_km"],
        "km_needed": d["km_needed"],
        "m_needed": d["m_needed"],
        "km_margin": d["km_margin"],
        "close": d["close"],
        "formula": d["formula"],
        "decision": decision.to_dict(),
    }

    def render() -> None:
        verdict = "[bold green]qualifies[/]" if d["qualifies"] else "[bold red]does not qualify[/]"
        console.print(f"Hardheidsclausule: {verdict}")
        console.print(f"  {d['formula']}")
        console.print(
            f"  margin {d['margin']:+.4g}; single trip needed at this schedule: "
            f"{d['km_needed']:.3f} km (at least {d['m_needed']} m); this case: "
            f"{d['single_trip_km']:.3f} km ({d['km_margin']:+.3f} km)"
        )
        for r in decision.reasons[1:]:
            console.print(f"  [yellow]{r.code}[/]: {r.text}")
        console.print(f"  [dim]{decision.reasons[0].source}[/]")

    emit(data, as_json, render)


# --- quote --------------------------------------------------------------------------------------


def _route(map_file: Path, home: str, treatment: str, as_json: bool, **sources: Any) -> Any:
    """Route home -> treatment and back once."""
    return load_router(map_file, as_json, **sources).trip(home, treatment)


def quote_command(
    indication: Annotated[
        str,
        typer.Option(
            "--indication",
            help="dialysis, oncology, wheelchair, visually_impaired, child_intensive_care, "
            "geriatric_rehabilitation, gzsp_group_day_treatment, hardship.",
        ),
    ],
    mode: Annotated[
        str, typer.Option("--mode", help="taxi, own_car or public_transport.")
    ] = "taxi",
    map_file: Annotated[
        Path | None, typer.Option("--map", help="OSM extract to route on (.osm.pbf).")
    ] = None,
    home: Annotated[
        str | None, typer.Option("--home", help="Home: 'lat,lon', address or postcode.")
    ] = None,
    treatment: Annotated[
        str | None, typer.Option("--treatment", help="Treatment address or 'lat,lon'.")
    ] = None,
    addresses: AddressesOption = None,
    pc4: PC4Option = None,
    hospitals: HospitalsOption = None,
    online: OnlineOption = False,
    single_km: Annotated[
        float | None, typer.Option("--single-km", help="Single-trip km, instead of routing.")
    ] = None,
    loaded_km: Annotated[
        float | None, typer.Option("--loaded-km", help="Loaded km of the whole ride.")
    ] = None,
    one_way: Annotated[
        bool, typer.Option("--one-way", help="With given km: one loaded leg, not two.")
    ] = False,
    dates: Annotated[
        list[str] | None, typer.Option("--date", help="A ride date (repeat for several).")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--start", help="Series: first day (YYYY-MM-DD).")
    ] = None,
    weekdays: Annotated[
        str | None, typer.Option("--weekdays", help="Series: e.g. mon,wed,fri (or ma,wo,vr).")
    ] = None,
    months: Annotated[
        int | None, typer.Option("--months", help="Series: length in months.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Series: last day, instead of --months.")
    ] = None,
    skip: Annotated[
        list[str] | None, typer.Option("--skip", help="Series: a date without a ride.")
    ] = None,
    policy: Annotated[str | None, typer.Option("--policy", help="natura or restitutie.")] = None,
    insurer: Annotated[
        str | None, typer.Option("--insurer", help="Brand label: VGZ, IZA, Univé, ...")
    ] = None,
    product: Annotated[
        str | None, typer.Option("--product", help="Product, e.g. 'Ruime Keuze'.")
    ] = None,
    carrier: Annotated[
        str | None, typer.Option("--carrier", help="Taxi carrier name in the tariff table.")
    ] = None,
    tariffs_file: Annotated[
        Path | None, typer.Option("--tariffs", help="Your tariff table (CSV).")
    ] = None,
    insurers_file: Annotated[
        Path | None, typer.Option("--insurers", help="Your insurer brand configuration.")
    ] = None,
    pt_fare: Annotated[
        float | None,
        typer.Option("--pt-fare", help="Public transport: 2nd-class fare per person, per ride."),
    ] = None,
    purpose: Annotated[
        str, typer.Option("--purpose", help="treatment or consultation.")
    ] = "treatment",
    therapy: Annotated[
        str | None,
        typer.Option("--therapy", help="Oncology: chemotherapy, radiotherapy, immunotherapy."),
    ] = None,
    can_travel_alone: Annotated[
        bool,
        typer.Option("--can-travel-alone", help="Visually impaired but able to travel alone."),
    ] = False,
    birth_date: Annotated[
        str | None, typer.Option("--birth-date", help="Insured's birth date (age rules).")
    ] = None,
    companions: Annotated[
        int, typer.Option("--companions", help="Companions travelling along (0-2).")
    ] = 0,
    companion_necessary: Annotated[
        bool, typer.Option("--companion-necessary", help="Accompaniment is necessary.")
    ] = False,
    two_companions_approved: Annotated[
        bool, typer.Option("--two-companions-approved", help="Insurer approved two.")
    ] = False,
    auth_number: Annotated[
        str | None, typer.Option("--auth-number", help="Authorisation (machtiging) number.")
    ] = None,
    auth_from: Annotated[
        str | None, typer.Option("--auth-from", help="Valid from (default: first ride).")
    ] = None,
    auth_to: Annotated[
        str | None, typer.Option("--auth-to", help="Valid to (default: last ride).")
    ] = None,
    auth_mode: Annotated[
        str | None, typer.Option("--auth-mode", help="Mode authorised (default: --mode).")
    ] = None,
    auth_indication: Annotated[
        str | None, typer.Option("--auth-indication", help="Default: --indication.")
    ] = None,
    auth_carrier: Annotated[
        str | None, typer.Option("--auth-carrier", help="Carrier named in the authorisation.")
    ] = None,
    auth_max_rides: Annotated[
        int | None, typer.Option("--auth-max-rides", help="Maximum number of rides.")
    ] = None,
    auth_rides_used: Annotated[
        int, typer.Option("--auth-rides-used", help="Rides already made under it.")
    ] = 0,
    hardship_months: Annotated[
        int | None, typer.Option("--hardship-months", help="Hardheidsclausule months.")
    ] = None,
    hardship_per_week: Annotated[
        float | None, typer.Option("--hardship-per-week", help="Hardheidsclausule per week.")
    ] = None,
    over_200_approved: Annotated[
        bool, typer.Option("--over-200-approved", help="Insurer approved a provider > 200 km.")
    ] = False,
    paid: Annotated[
        list[str] | None,
        typer.Option("--paid", help="Eigen bijdrage already paid: YEAR=AMOUNT (repeatable)."),
    ] = None,
    eigen_bijdrage: Annotated[
        list[str] | None,
        typer.Option(
            "--eigen-bijdrage",
            help="Yearly eigen bijdrage: AMOUNT (every year) or YEAR=AMOUNT (repeatable).",
        ),
    ] = None,
    km_rate: Annotated[
        list[str] | None,
        typer.Option(
            "--km-rate",
            help="Own-car EUR/km: AMOUNT (every year) or YEAR=AMOUNT (repeatable).",
        ),
    ] = None,
    parameters_dir: ParametersOption = None,
    as_json: JsonOption = False,
) -> None:
    """Quote a ride or a series: price, what the insurer pays and what the patient pays."""
    from transport.errors import InvalidInput
    from transport.insurers import InsurerConfig
    from transport.quote import QuoteRequest, quote
    from transport.tariffs import TariffTable

    try:
        per_year = year_amounts([i for i in eigen_bijdrage or [] if "=" in i], "eigen_bijdrage")
        every_year = [i for i in eigen_bijdrage or [] if "=" not in i]
        params = parameter_set(
            parameters_dir,
            eigen_bijdrage=every_year[-1] if every_year else None,
            km_rate=_every_or_per_year(km_rate, "km_rate"),
        )
        ride_dates = ride_schedule(
            dates=[parse_iso_date(d, "date") for d in dates or []],
            start=parse_iso_date(start, "start") if start else None,
            weekdays=weekdays,
            months=months,
            until=parse_iso_date(until, "until") if until else None,
            skip=[parse_iso_date(s, "skip") for s in skip or []],
            field="date",
        )

        trip = None
        routed = map_file is not None or home is not None or treatment is not None
        if routed and (single_km is not None or loaded_km is not None):
            raise InvalidInput(
                "give either --map/--home/--treatment or --single-km/--loaded-km", field="map"
            )
        if not routed and (single_km is None or loaded_km is None):
            raise InvalidInput(
                "give the kilometres as --single-km and --loaded-km (with --one-way for one"
                " loaded leg), or route them with --map, --home and --treatment",
                field="single_km" if single_km is None else "loaded_km",
            )
        if routed:
            if map_file is None or home is None or treatment is None:
                raise InvalidInput("routing needs --map, --home and --treatment", field="map")
            trip = _route(
                map_file,
                home,
                treatment,
                as_json,
                addresses=addresses,
                pc4=pc4,
                hospitals=hospitals,
                online=online,
            )

        auth = authorisation_for(
            auth_number,
            dates=ride_dates,
            indication=indication,
            mode=mode,
            valid_from=parse_iso_date(auth_from, "auth_from") if auth_from else None,
            valid_to=parse_iso_date(auth_to, "auth_to") if auth_to else None,
            auth_indication=auth_indication,
            auth_mode=auth_mode,
            carrier=auth_carrier,
            max_rides=auth_max_rides,
            rides_used=auth_rides_used,
        )

        request = QuoteRequest(
            dates=ride_dates,
            indication=indication,
            mode=mode,
            trip=trip,
            single_trip_km=single_km,
            loaded_km=loaded_km,
            legs=1 if one_way else 2,
            policy_type=policy,
            insurer=insurer,
            product=product,
            carrier=carrier,
            pt_fare_eur=pt_fare,
            purpose=purpose,
            therapy=therapy,
            cannot_travel_alone=not can_travel_alone,
            birth_date=parse_iso_date(birth_date, "birth_date") if birth_date else None,
            companions=companions,
            companion_necessary=companion_necessary,
            two_companions_approved=two_companions_approved,
            authorisation=auth,
            hardship_months=hardship_months,
            hardship_per_week=hardship_per_week,
            provider_approved=over_200_approved,
            contribution_paid=year_amounts(paid or [], "paid"),
            eigen_bijdrage=per_year,
        )
        result = quote(
            request,
            parameters=params,
            tariffs=TariffTable.from_csv(tariffs_file) if tariffs_file else None,
            insurers=InsurerConfig.load(insurers_file) if insurers_file else None,
        )
    except ZiekenvervoerError as err:
        fail(_with_hint(err), as_json)

    def render() -> None:
        _render_quote(result)

    emit(result.to_dict(), as_json, render)


def _render_quote(result: Any) -> None:
    """Print a quote: header, hardheidsclausule, one row per ride, totals, notes."""
    from transport.money import eur_text

    dist = result.distance
    console.print(f"[bold]Quote[/] {result.schedule}")
    console.print(
        f"  single trip {dist.single_trip_km:.3f} km, loaded {dist.loaded_km:.3f} km per ride "
        f"({dist.legs} leg(s), {dist.source})"
    )
    if result.insurer or result.policy_type:
        brand = result.insurer.brand if result.insurer else "-"
        policy = result.policy_type.value if result.policy_type else "-"
        console.print(f"  insurer {brand}, policy {policy}")
    if result.hardship is not None:
        h = result.hardship.details
        verdict = "qualifies" if h["qualifies"] else "does not qualify"
        console.print(
            f"  hardheidsclausule: {h['formula']} ({verdict}; needed {h['km_needed']:.3f} km)"
        )
    # narrow enough for an 80-column terminal; the reasons follow below the table
    t = result.totals
    table = Table(
        show_lines=False,
        caption=f"{t.covered_rides} of {t.rides} rides covered; amounts in € (euro);"
        " e.b. = eigen bijdrage",
        caption_justify="right",
    )
    for col, justify in (
        ("#", "right"), ("date", "left"), ("ok", "center"), ("km", "right"),
        ("price", "right"), ("insurer", "right"), ("e.b.", "right"), ("patient", "right"),
    ):  # fmt: skip
        table.add_column(col, justify=justify, no_wrap=True)  # type: ignore[arg-type]

    def amount(value: Any) -> str:
        return eur_text(value).replace("€", "").strip()

    for r in result.rides:
        table.add_row(
            str(r.number),
            r.ride_date.isoformat(),
            "[green]yes[/]" if r.covered else "[red]no[/]",
            f"{r.distance.loaded_km:.1f}",
            amount(r.price_eur),
            amount(r.insurer_pays_eur),
            amount(r.contribution_eur),
            amount(r.patient_pays_eur),
        )
    table.add_section()
    table.add_row(
        "",
        "total",
        "",
        f"{t.loaded_km:.1f}",
        amount(t.price_eur),
        amount(t.insurer_pays_eur),
        amount(t.contribution_eur),
        amount(t.patient_pays_eur),
        style="bold",
    )
    console.print(table)
    failing: dict[str, str] = {}
    for r in result.rides:
        for reason in r.reasons:
            failing.setdefault(reason.code, reason.text)
    for code, text in failing.items():
        console.print(f"  [yellow]{code}[/]: {text}")
    for note in result.notes:
        console.print(f"  [dim]{note}[/]")


def register(app: typer.Typer) -> None:
    """Add ``quote`` and ``hardheid`` to the command line."""
    app.command("quote")(quote_command)
    app.command("hardheid")(hardheid)
