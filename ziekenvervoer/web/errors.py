"""Errors as JSON in the style of OSRM and Valhalla: ``{"code", "message", "field"}``.

HTTP status by error (the same mapping for every endpoint):

========  =====================================================================================
status    errors
========  =====================================================================================
400       malformed or invalid input: request validation (``InvalidInput``), ``InvalidQuery``,
          ``InvalidInput`` and its subclasses (``TariffNotFound``: a carrier the tariff table does
          not know), ``GeocodeAmbiguous`` (say which place), ``GeocodeDisabled``
404       ``GeocodeNotFound``: no configured address source knows the address; unknown paths
413       ``PayloadTooLarge``: the request body exceeds the configured limit
415       ``UnsupportedMediaType``: a JSON endpoint got a body without a JSON content type
422       well-formed input that cannot be answered on this map or date: ``NoSegment``,
          ``OutsideMap``, ``NoRoute`` (the points exist, but no road within reach or no car route
          connects them), ``ParameterNotInForce`` (a rule's parameter has no value on a ride date;
          pass it in the request)
502       ``GeocodeServiceError``: an online geocoder (opt-in only) did not answer usefully
500       anything unexpected: a generic ``InternalError`` without details
========  =====================================================================================

Why 422 and not 404 for routing errors: the resource (the map) exists and the request is valid
JSON, but its content cannot be processed; 404 is kept for "this address is unknown".

Messages never carry personal data: the project's errors describe inputs (``"origin"``) without
repeating them, and request validation errors are rebuilt here from the field path and pydantic's
message, never from the rejected value.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from routing.errors import (
    GeocodeNotFound,
    GeocodeServiceError,
    NoRoute,
    NoSegment,
    ZiekenvervoerError,
)
from ziekenvervoer.web.models import POINT_FORMS

logger = logging.getLogger("ziekenvervoer.web")


class ErrorOut(BaseModel):
    """An error answer (cf. OSRM's ``{"code", "message"}``), with the input field concerned."""

    code: str = Field(description="Machine-readable code: InvalidInput, NoSegment, NoRoute, ...")
    message: str = Field(description="What went wrong and what to fix; never personal data.")
    field: str | None = Field(None, description="The input field concerned (dotted path).")


def status_for(exc: ZiekenvervoerError) -> int:
    """Return the HTTP status for one of the project's typed errors (see the module docstring)."""
    from transport.errors import ParameterNotFound, ParameterNotInForce

    if isinstance(exc, GeocodeNotFound):
        return 404
    if isinstance(exc, NoSegment | NoRoute | ParameterNotInForce):
        return 422
    if isinstance(exc, GeocodeServiceError):
        return 502
    if isinstance(exc, ParameterNotFound):
        return 500
    return 400


#: Where a request may pass a parameter that has no value in force (ParameterNotInForce).
PARAMETER_FIELDS = {"eigen_bijdrage": "eigen_bijdrage", "own_car_km_rate": "km_rate"}


def error_body(exc: ZiekenvervoerError) -> dict[str, Any]:
    """Return the JSON body of a typed error, with a hint for a missing parameter value."""
    from transport.errors import ParameterNotInForce

    body = exc.to_dict()
    if isinstance(exc, ParameterNotInForce):
        field = PARAMETER_FIELDS.get(exc.field or "")
        if field == "eigen_bijdrage":
            body["message"] = (
                f"{exc.message} Pass it in the request: eigen_bijdrage {{YEAR: AMOUNT}}."
            )
        elif field:
            body["message"] = f"{exc.message} Pass it in the request: {field}."
        body["field"] = field or exc.field
    return body


def field_path(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """Return the dotted input field of a pydantic error location (``"home.lat"``).

    Left out: where the value came from (``body``, ``query``), list positions' containers stay
    (``dates.0``), and pydantic's own schema names in a location: the type name or tag of a
    union member (``LatLonIn``, ``Text``), ``str``, ``function-after[...]``,
    ``constrained-str``, ``[key]``.
    """
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    clean = [
        p for p in parts if not p[:1].isupper() and p != "str" and "-" not in p and "[" not in p
    ]
    return ".".join(clean) or None


def error_message(error: Mapping[str, Any]) -> str:
    """Return pydantic's message of one error, cleaned for a user (never the rejected value).

    ``"Value error, "`` (the prefix of every ``ValueError`` a validator raises) is removed, an
    empty text says so plainly, and an error in the text form of a point says what a point
    takes.
    """
    kind = error.get("type", "")
    message = str(error.get("msg") or "invalid value").removeprefix("Value error, ")
    if kind == "string_too_short" and (error.get("ctx") or {}).get("min_length") == 1:
        message = "must not be empty"
    if "Text" in tuple(error.get("loc", ())):  # the text form of a point (models.Point)
        message = f"{message}; {POINT_FORMS}"
    return message


def validation_body(exc: RequestValidationError) -> dict[str, Any]:
    """Return ``{"code", "message", "field"}`` for a request validation error.

    The first error decides; its message is pydantic's (``"Input should be ..."``) without the
    ``"Value error, "`` prefix; the rejected value is never repeated.
    """
    errors = exc.errors()
    if not errors:
        return {"code": "InvalidInput", "message": "the request is not valid", "field": None}
    first = errors[0]
    field = field_path(tuple(first.get("loc", ())))
    kind = first.get("type", "")
    if kind == "json_invalid":
        return {
            "code": "InvalidInput",
            "message": "the request body is not valid JSON",
            "field": None,
        }
    if field is None and kind == "missing":
        message = f"the request needs a JSON body: {JSON_HINT}"
    elif field is None and kind in {"model_attributes_type", "dict_type", "model_type"}:
        message = "the request body must be a JSON object"
    elif kind == "missing":
        message = f"{field} is required"
    else:
        message = f"{field or 'the request'}: {error_message(first)}"
    more = len(errors) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return {"code": "InvalidInput", "message": message, "field": field}


#: What to send, said when a body is not JSON.
JSON_HINT = "send JSON (Content-Type: application/json)"

UNSUPPORTED_MEDIA_TYPE = {
    "code": "UnsupportedMediaType",
    "message": f"the request body is not JSON: {JSON_HINT}",
    "field": None,
}


def _not_json(exc: RequestValidationError) -> bool:
    """Whether a body came with no JSON content type (FastAPI then passes the raw bytes on)."""
    return any(
        tuple(e.get("loc", ())) == ("body",) and isinstance(e.get("input"), bytes | bytearray)
        for e in exc.errors()
    )


async def handle_typed_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer a :class:`~routing.errors.ZiekenvervoerError` with its status and JSON body."""
    assert isinstance(exc, ZiekenvervoerError)
    return JSONResponse(error_body(exc), status_code=status_for(exc))


async def handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer request validation errors with HTTP 400 in the project's error format.

    A body sent without a JSON content type (``text/plain``, a form, none at all) gets 415
    ``UnsupportedMediaType`` saying to send JSON.
    """
    assert isinstance(exc, RequestValidationError)
    if _not_json(exc):
        return JSONResponse(UNSUPPORTED_MEDIA_TYPE, status_code=415)
    return JSONResponse(validation_body(exc), status_code=400)


_HTTP_CODES = {
    404: "NotFound",
    405: "MethodNotAllowed",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
}


async def handle_http_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer Starlette's HTTP errors (unknown path, wrong method) in the same format."""
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "HTTPError")
    message = {
        404: "no such page or endpoint; see /docs",
        405: "this endpoint does not accept that method; see /docs",
    }.get(exc.status_code, str(exc.detail))
    return JSONResponse(
        {"code": code, "message": message, "field": None},
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


INTERNAL_ERROR = {
    "code": "InternalError",
    "message": "an unexpected error occurred; nothing of the request was logged",
    "field": None,
}


def log_unexpected(exc: BaseException, method: str, path: str) -> None:
    """Log an unexpected exception by type and code location only.

    The exception's message and local variables may hold an address or other personal data,
    so neither is logged: only the type, the request's method and path (no query string) and
    the file/line of each frame.
    """
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if "site-packages" not in f.filename
    ][-8:]
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(frames))
    logger.error("unexpected %s in %s %s at %s", type(exc).__name__, method, path, where)
