"""The dispatcher's page (Dutch, server-rendered): the quote form and its result.

``GET /`` shows the form; ``POST /`` validates the form through the same request model as
``POST /api/quote`` (:class:`~ziekenvervoer.web.models.QuoteIn`), computes the same quote and
renders it, so the page and the API always agree. The page's JavaScript only adds suggestions,
shows and hides fields, and draws the map.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from routing.errors import ZiekenvervoerError
from transport.workdays import parse_date
from ziekenvervoer.web.errors import error_body, error_message, field_path, status_for
from ziekenvervoer.web.models import QuoteIn
from ziekenvervoer.web.service import Service

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))

pages = APIRouter(include_in_schema=False)

WEEKDAYS = (
    ("mon", "ma", "maandag"),
    ("tue", "di", "dinsdag"),
    ("wed", "wo", "woensdag"),
    ("thu", "do", "donderdag"),
    ("fri", "vr", "vrijdag"),
    ("sat", "za", "zaterdag"),
    ("sun", "zo", "zondag"),
)

RULE_LABELS = {
    "indication": "Indicatie",
    "single_trip_cap": "Afstand (200 km enkele reis)",
    "authorisation": "Machtiging",
    "companion": "Begeleiding",
    "rate": "Tarief en vergoeding",
    "contribution": "Eigen bijdrage",
    "hardship": "Hardheidsclausule",
}

#: Dutch label of each reason code a quote's rules give (``transport``'s texts are English and
#: carry the numbers; the page shows this label, the code and the English text as detail). The
#: JSON API keeps the English texts. A code missing here is shown with its English text only.
REASON_LABELS: dict[str, str] = {
    # indication (Bzv art. 2.14)
    "INDICATION_OK": "Indicatie voor zittend ziekenvervoer",
    "INDICATION_CONSULTATION_NOT_YET_COVERED": (
        "Consulten, onderzoeken en controles vallen op deze datum nog niet onder de indicatie"
    ),
    "INDICATION_ONCOLOGY_WITHOUT_THERAPY": (
        "Oncologie is alleen een indicatie bij chemo-, radio- of immunotherapie; geen therapie "
        "opgegeven"
    ),
    "INDICATION_IMMUNOTHERAPY_NOT_YET_COVERED": (
        "Immunotherapie is op deze datum nog geen indicatie"
    ),
    "INDICATION_VISUAL_CAN_TRAVEL_ALONE": (
        "Visuele beperking is alleen een indicatie als de verzekerde niet zonder begeleiding kan "
        "reizen"
    ),
    "INDICATION_CHILD_CARE_NOT_YET_COVERED": (
        "Intensieve kindzorg is op deze datum nog geen indicatie"
    ),
    "INDICATION_CHILD_TOO_OLD": (
        "Intensieve kindzorg: de verzekerde is niet jonger dan de leeftijdsgrens"
    ),
    "INDICATION_HARDSHIP_NOT_MET": "Niet voldaan aan de hardheidsclausule",
    # single trip cap
    "DISTANCE_WITHIN_CAP": "Enkele reis binnen de kilometergrens",
    "DISTANCE_OVER_CAP_APPROVED": (
        "Enkele reis boven de kilometergrens, met toestemming van de zorgverzekeraar"
    ),
    "DISTANCE_OVER_CAP": (
        "Enkele reis boven de kilometergrens, zonder toestemming van de zorgverzekeraar"
    ),
    # authorisation
    "AUTH_VALID": "De machtiging dekt deze rit",
    "AUTH_PROCEDURE": "Wie de machtiging aanvraagt",
    "AUTH_MISSING": "Geen machtiging: vergoeding alleen met vooraf gevraagde toestemming",
    "AUTH_OUTSIDE_VALIDITY": "Ritdatum valt buiten de geldigheid van de machtiging",
    "AUTH_INDICATION_MISMATCH": "Machtiging is voor een andere indicatie",
    "AUTH_MODE_MISMATCH": "Machtiging is voor een andere vervoerswijze",
    "AUTH_CARRIER_MISMATCH": "Machtiging noemt een andere vervoerder",
    "AUTH_INSURED_MISMATCH": "Machtiging is voor een andere verzekerde",
    "AUTH_MAX_RIDES_EXCEEDED": "Meer ritten dan de machtiging toestaat",
    # companion
    "COMPANION_NONE": "Geen begeleider",
    "COMPANION_NECESSARY": "Begeleiding is noodzakelijk",
    "COMPANION_UNDER_AGE_LIMIT": "Verzekerde is jonger dan de leeftijdsgrens voor begeleiding",
    "COMPANION_NOT_COVERED": (
        "Begeleider niet vergoed: begeleiding is niet noodzakelijk en de verzekerde is niet "
        "jonger dan de leeftijdsgrens"
    ),
    "COMPANION_TWO_APPROVED": "Twee begeleiders, goedgekeurd door de zorgverzekeraar",
    "COMPANION_SECOND_NOT_APPROVED": (
        "Tweede begeleider alleen in bijzondere gevallen met goedkeuring van de zorgverzekeraar"
    ),
    # rate
    "RATE_FULL": "Ritprijs volledig vergoed",
    "RATE_CAPPED": "Vergoeding begrensd: de verzekerde betaalt het verschil",
    # eigen bijdrage
    "CONTRIBUTION_NOT_APPLICABLE": "Niets vergoed op deze rit, dus geen eigen bijdrage",
    "CONTRIBUTION_REACHED": "Eigen bijdrage voor dit jaar al bereikt",
    "CONTRIBUTION_COMPLETED": "Eigen bijdrage: deze rit maakt het jaarbedrag vol",
    "CONTRIBUTION_CHARGED": (
        "Eigen bijdrage: de verzekerde betaalt het hele vergoedbare bedrag van deze rit"
    ),
    # hardheidsclausule
    "HARDSHIP_QUALIFIES": "Voldoet aan de hardheidsclausule",
    "HARDSHIP_BELOW_THRESHOLD": "Voldoet niet aan de hardheidsclausule",
    "HARDSHIP_MONTHS_CAPPED": "Meer maanden opgegeven dan er meetellen",
    "HARDSHIP_CLOSE_TO_THRESHOLD": (
        "Dicht bij de grens: controleer de adressen (postcode of volledig adres, andere route)"
    ),
}

#: Form field for each request field path that an error may name.
FORM_FIELDS = {
    "origin": "home",
    "destination": "treatment",
    "dates": "ride_date",
    "series": "series_start",
    "series.start": "series_start",
    "start": "series_start",
    "series.weekdays": "weekdays",
    "weekdays": "weekdays",
    "series.months": "series_months",
    "months": "series_months",
    "series.until": "series_until",
    "until": "series_until",
    "series.skip": "series_skip",
    "own_car_km_rate": "km_rate",
    "tariffs": "carrier",
    "travellers": "companions",
    "single_trip_km": "home",
    "loaded_km": "home",
}


def _form_field(path: str | None) -> str | None:
    if not path:
        return None
    if path in FORM_FIELDS:
        return FORM_FIELDS[path]
    if path.startswith("authorisation."):
        name = path.split(".", 1)[1]
        return {"indication": "auth_number", "mode": "auth_number"}.get(name, f"auth_{name}")
    root = path.split(".", 1)[0]
    return FORM_FIELDS.get(root, root)


# --- formatting ---------------------------------------------------------------------------------


def eur(value: Any) -> str:
    """Format an amount the Dutch way: ``"1234.5"`` -> ``"€ 1.234,50"``."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    text = f"{abs(amount):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{'-' if amount < 0 else ''}€ {text}"


def num(value: Any, places: int = 1) -> str:
    """Format a number with a decimal comma, rounded half up (``12.25`` -> ``"12,3"``)."""
    try:
        d = Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation:
        return str(value)
    q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{q:,.{places}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def dutch_date(value: str | dt.date) -> str:
    """``2025-09-01`` -> ``"ma 1-9-2025"``."""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    return f"{WEEKDAYS[day.weekday()][1]} {day.day}-{day.month}-{day.year}"


def minutes(seconds: float) -> str:
    """Seconds as whole minutes (``"14 min"``)."""
    return f"{round(seconds / 60)} min"


templates.env.filters.update(eur=eur, num=num, dutch_date=dutch_date, minutes=minutes)
templates.env.globals.update(
    RULE_LABELS=RULE_LABELS, REASON_LABELS=REASON_LABELS, WEEKDAYS=WEEKDAYS
)


# --- form -> request ----------------------------------------------------------------------------


def _text(form: Any, name: str) -> str | None:
    value = form.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def _dates(text: str | None, field: str) -> list[str]:
    if not text:
        return []
    return [
        parse_date(part, field=field).isoformat() for part in re.split(r"[\s,;]+", text) if part
    ]


def _years(data: dict[str, Any]) -> list[int]:
    """Calendar years the rides of a form span (for yearly amounts)."""
    if data.get("dates"):
        days = [dt.date.fromisoformat(d) for d in data["dates"]]
        return list(range(min(days).year, max(days).year + 1))
    series = data.get("series") or {}
    try:
        start = dt.date.fromisoformat(series["start"])
        if series.get("until"):
            end = dt.date.fromisoformat(series["until"])
        else:
            end = start + relativedelta(months=int(series.get("months") or 1))
    except (KeyError, TypeError, ValueError, OverflowError):
        return []
    return list(range(start.year, max(end.year, start.year) + 1))[:10]


def form_to_request(form: Any) -> dict[str, Any]:
    """Turn the page's form fields into a ``QuoteIn`` dict (not yet validated).

    Raises
    ------
    InvalidInput
        For a date the form's text fields cannot read.
    """
    data: dict[str, Any] = {
        "home": _text(form, "home"),
        "treatment": _text(form, "treatment"),
        "indication": _text(form, "indication"),
        "mode": _text(form, "mode") or "taxi",
        "purpose": _text(form, "purpose") or "treatment",
        "therapy": _text(form, "therapy"),
        "can_travel_alone": bool(_text(form, "can_travel_alone")),
        "birth_date": _text(form, "birth_date"),
        "insurer": _text(form, "insurer"),
        "product": _text(form, "product"),
        "policy_type": _text(form, "policy_type"),
        "companions": _text(form, "companions") or 0,
        "companion_necessary": bool(_text(form, "companion_necessary")),
        "two_companions_approved": bool(_text(form, "two_companions_approved")),
        "hardship_months": _text(form, "hardship_months"),
        "hardship_per_week": _text(form, "hardship_per_week"),
        "over_200_approved": bool(_text(form, "over_200_approved")),
    }
    mode = data["mode"]
    if mode == "taxi":
        data["carrier"] = _text(form, "carrier")
        contracted = _text(form, "carrier_contracted")
        data["carrier_contracted"] = {"yes": True, "no": False}.get(contracted or "")
    elif mode == "public_transport":
        data["pt_fare_eur"] = _comma(_text(form, "pt_fare_eur"))
    elif mode == "own_car":
        data["km_rate"] = _comma(_text(form, "km_rate"))
    if _text(form, "plan") == "series":
        data["series"] = {
            "start": _text(form, "series_start"),
            "weekdays": [w for w in form.getlist("weekdays") if isinstance(w, str)],
            "months": _text(form, "series_months") if not _text(form, "series_until") else None,
            "until": _text(form, "series_until"),
            "skip": _dates(_text(form, "series_skip"), "series.skip"),
        }
    else:
        first = _text(form, "ride_date")
        data["dates"] = ([first] if first else []) + _dates(_text(form, "more_dates"), "dates")
        data["dates"] = data["dates"] or None
    number = _text(form, "auth_number")
    if number:
        data["authorisation"] = {
            "number": number,
            "valid_from": _text(form, "auth_valid_from"),
            "valid_to": _text(form, "auth_valid_to"),
            "max_rides": _text(form, "auth_max_rides"),
            "rides_used": _text(form, "auth_rides_used") or 0,
        }
    years = _years(data)
    paid = _comma(_text(form, "contribution_paid"))
    if paid is not None and years:
        data["contribution_paid"] = {str(years[0]): paid}
    yearly = _comma(_text(form, "eigen_bijdrage"))
    if yearly is not None and years:
        data["eigen_bijdrage"] = {str(y): yearly for y in years}
    return {k: v for k, v in data.items() if v is not None}


def _comma(text: str | None) -> str | None:
    return text.replace(",", ".") if text else None


def _validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        path = field_path([p for p in err.get("loc", ()) if not isinstance(p, int)])
        message = error_message(err)
        out.append({"field": _form_field(path), "message": message, "code": "InvalidInput"})
    return out


def _defaults() -> dict[str, Any]:
    today = dt.date.today()
    return {
        "plan": "dates",
        "ride_date": (today + dt.timedelta(days=1)).isoformat(),
        "mode": "taxi",
        "indication": "dialysis",
        "purpose": "treatment",
        "companions": "0",
        "series_months": "3",
    }


def _render(
    request: Request,
    values: dict[str, Any],
    errors: list[dict[str, Any]] | None = None,
    result: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    service: Service = request.app.state.service
    errors = errors or []
    context = {
        "info": service.info(),
        "values": values,
        "weekdays_checked": set(values.get("weekdays_list", [])),
        "errors": errors,
        "field_errors": {e["field"]: e["message"] for e in errors if e.get("field")},
        "result": result,
        "now_text": dutch_date(dt.date.today()),
        "tile_url": service.settings.tile_url,
        "tile_attribution": service.settings.tile_attribution or "",
    }
    return templates.TemplateResponse(request, "index.html", context, status_code=status)


@pages.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    """Show the empty form (HEAD: the same headers, no body, e.g. for a monitor)."""
    return _render(request, _defaults())


@pages.post("/", response_class=HTMLResponse)
async def submit(request: Request) -> HTMLResponse:
    """Validate the form, quote, and render the form with its result (or its errors)."""
    from starlette.concurrency import run_in_threadpool

    service: Service = request.app.state.service
    form = await request.form()
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    values["weekdays_list"] = [w for w in form.getlist("weekdays") if isinstance(w, str)]
    try:
        body = QuoteIn.model_validate(form_to_request(form))
        result, trip = await run_in_threadpool(service.quote, body)
    except ValidationError as exc:
        return _render(request, values, _validation_errors(exc), status=400)
    except ZiekenvervoerError as exc:
        err = error_body(exc)
        err["field"] = _form_field(err.get("field"))
        return _render(request, values, [err], status=status_for(exc))
    data = service.quote_dict(result, trip)
    return _render(request, values, result=data)
