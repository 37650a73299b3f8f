"""The JSON API under ``/api`` (OpenAPI at ``/docs``).

Endpoints that take an address or a patient's facts take them in a POST body (never logged);
GET is used only for answers without personal data.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from transport.workdays import Channel
from ziekenvervoer.web.errors import ErrorOut
from ziekenvervoer.web.models import (
    ApiDate,
    HardshipIn,
    HardshipOut,
    HealthOut,
    InfoOut,
    PaymentDateOut,
    QuoteIn,
    QuoteOut,
    RouteIn,
    RouteOut,
    SuggestIn,
    SuggestOut,
    TripIn,
    TripOut,
)
from ziekenvervoer.web.service import Service, trip_dict


def get_service(request: Request) -> Service:
    """Return the app's loaded :class:`~ziekenvervoer.web.service.Service`."""
    return request.app.state.service  # type: ignore[no-any-return]


ServiceDep = Annotated[Service, Depends(get_service)]

_ERR = {"model": ErrorOut}
INPUT_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {**_ERR, "description": "Invalid input (InvalidInput, InvalidQuery, ...)."},
    413: {**_ERR, "description": "Request body too large (PayloadTooLarge)."},
    500: {**_ERR, "description": "Unexpected error (InternalError), without details."},
}
BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    **INPUT_ERRORS,
    415: {**_ERR, "description": "The body is not JSON (UnsupportedMediaType)."},
}
ROUTING_ERRORS: dict[int | str, dict[str, Any]] = {
    **BODY_ERRORS,
    404: {**_ERR, "description": "Address not found (GeocodeNotFound)."},
    422: {
        **_ERR,
        "description": "Cannot be answered on this map or date: NoSegment, OutsideMap, NoRoute, "
        "ParameterNotInForce.",
    },
    502: {**_ERR, "description": "An online geocoder (opt-in) failed (GeocodeServiceError)."},
}

api = APIRouter(prefix="/api")


@api.post(
    "/route",
    response_model=RouteOut,
    responses=ROUTING_ERRORS,
    tags=["routing"],
    summary="Fastest car route",
)
def route(body: RouteIn, service: ServiceDep) -> Any:
    """Return the fastest car route, with where each point met the road."""
    return service.route(body)


@api.post(
    "/trip",
    response_model=TripOut,
    responses=ROUTING_ERRORS,
    tags=["routing"],
    summary="Trip: home -> treatment and back",
)
def trip(body: TripIn, service: ServiceDep) -> Any:
    """Route both legs of a treatment trip; loaded km is their sum."""
    return trip_dict(service.trip(body), geometry=body.geometry)


@api.post(
    "/quote",
    response_model=QuoteOut,
    responses=ROUTING_ERRORS,
    tags=["quotes"],
    summary="Quote a ride or a series",
)
def quote(body: QuoteIn, service: ServiceDep) -> Any:
    """Quote rides: what the carrier charges, the insurer pays and the patient pays.

    Per ride and in total, with every rule's decision and the hardheidsclausule computation.
    """
    result, routed = service.quote(body)
    return service.quote_dict(result, routed)


@api.post(
    "/hardheid",
    response_model=HardshipOut,
    responses=ROUTING_ERRORS,
    tags=["quotes"],
    summary="Hardheidsclausule",
)
def hardheid(body: HardshipIn, service: ServiceDep) -> Any:
    """Test months (max. 12) x rides per week x single-trip km >= 250 (unrounded km)."""
    return service.hardship(body)


@api.get(
    "/betaaldatum",
    response_model=PaymentDateOut,
    responses={**INPUT_ERRORS, 422: ROUTING_ERRORS[422]},
    tags=["claims"],
    summary="Expected payment date of a claim",
)
def betaaldatum(
    service: ServiceDep,
    received: Annotated[ApiDate, Query(description="Day the claim was received.")],
    channel: Annotated[Channel, Query(description="How the claim came in.")],
    closing_days: Annotated[
        list[ApiDate],
        Query(max_length=50, description="Extra days the insurer does not work."),
    ] = [],  # noqa: B006 -- FastAPI copies defaults per request
    working_days: Annotated[
        int | None, Query(ge=1, le=60, description="Term instead of the parameter (6 / 10).")
    ] = None,
) -> Any:
    """Return the N-th working day after receipt (6 online, 10 by post; Atw art. 3)."""
    return service.payment_date(received, channel.value, closing_days, working_days)


@api.post(
    "/suggest",
    response_model=SuggestOut,
    responses=BODY_ERRORS,
    tags=["addresses"],
    summary="Address and hospital suggestions",
)
def suggest(body: SuggestIn, service: ServiceDep) -> Any:
    """Complete a typed prefix from the offline address table and hospital list.

    POST, so that a typed address never appears in a URL or an access log.
    """
    return service.suggest(body)


@api.get(
    "/network",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}, "description": "GeoJSON"}},
    tags=["map"],
    summary="Roads of the loaded map",
)
def network(request: Request, service: ServiceDep) -> Response:
    """Return the loaded map's roads as GeoJSON: a background layer without tiles."""
    plain, packed = service.network_geojson()
    headers = {"Cache-Control": "public, max-age=3600", "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(packed, media_type="application/geo+json", headers=headers)
    return Response(plain, media_type="application/geo+json", headers=headers)


@api.get("/info", response_model=InfoOut, tags=["map"], summary="Map, limits and choices")
def info(service: ServiceDep) -> Any:
    """Return the map this server computes on, its limits and the quote form's choices."""
    return service.info()


@api.get("/health", response_model=HealthOut, tags=["map"], summary="Liveness")
def health(service: ServiceDep) -> Any:
    """Return ``ok`` and the loaded map."""
    return {"status": "ok", "map": service.router.map.short}
