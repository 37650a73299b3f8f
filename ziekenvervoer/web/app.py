"""The app factory: a FastAPI app on an already-loaded router.

::

    from routing.router import Router
    from ziekenvervoer.web import create_app

    app = create_app(Router.from_file("hengelo.osm.pbf"))

The map is chosen when the app is created, never by a request.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from routing.errors import ZiekenvervoerError
from transport.insurers import InsurerConfig
from transport.parameters import ParameterSet
from transport.tariffs import TariffTable
from ziekenvervoer.web.api import api
from ziekenvervoer.web.errors import (
    handle_http_error,
    handle_typed_error,
    handle_validation_error,
)
from ziekenvervoer.web.pages import pages, templates
from ziekenvervoer.web.security import BodySizeLimit, CatchAll, SecurityHeaders
from ziekenvervoer.web.service import Service, Suggester
from ziekenvervoer.web.settings import WebSettings

if TYPE_CHECKING:
    from routing.router import Router

STATIC = Path(__file__).resolve().parent / "static"

DESCRIPTION = """\
Loaded kilometres and reimbursement for Dutch patient transport (zittend ziekenvervoer) on
the OpenStreetMap extract this server was started with.

Errors come as `{"code", "message", "field"}` (as in OSRM and Valhalla): **400** invalid input,
**404** address not found, **413** body too large, **415** body not JSON, **422** cannot be
answered on this map or date (`NoSegment`, `OutsideMap`, `NoRoute`, `ParameterNotInForce`),
**500** unexpected (no details). Amounts are strings with two decimals. Address suggestions
that can be routed on this map come first (`on_map`). Map data © OpenStreetMap contributors
(ODbL).
"""


def _can_suggest(geocoder: object) -> bool:
    """Whether a geocoder (or one offline provider of a chain) can complete prefixes."""
    providers = getattr(geocoder, "providers", None)
    if providers is not None:
        return any(isinstance(p, Suggester) and not getattr(p, "online", False) for p in providers)
    return isinstance(geocoder, Suggester)


def create_app(
    router: Router,
    *,
    settings: WebSettings | None = None,
    parameters: ParameterSet | None = None,
    tariffs: TariffTable | None = None,
    insurers: InsurerConfig | None = None,
    suggester: Suggester | None = None,
) -> FastAPI:
    """Return the web app (page and JSON API) on ``router``'s map.

    Parameters
    ----------
    router : routing.router.Router
        A loaded router; its map is the only map the app computes on.
    settings : WebSettings, optional
        Limits, CORS origins and map tiles (defaults: 64 KiB bodies, 400 rides, no CORS, no
        tiles).
    parameters : ParameterSet, optional
        Parameter source (default: the package's files).
    tariffs : TariffTable, optional
        Carriers and reference tariffs (default: the package's EXAMPLE table).
    insurers : InsurerConfig, optional
        Insurer brands (default: ``data/insurers.yaml``).
    suggester : object with ``suggest(prefix, limit)``, optional
        Address and hospital suggestions; default: the router's geocoder when it can suggest.

    Returns
    -------
    fastapi.FastAPI
    """
    settings = settings or WebSettings()
    if suggester is None and _can_suggest(getattr(router, "geocoder", None)):
        suggester = router.geocoder
    service = Service(
        router=router,
        settings=settings,
        parameters=parameters or ParameterSet(),
        tariffs=tariffs or TariffTable.example(),
        insurers=insurers or InsurerConfig.load(),
        suggester=suggester,
    )
    from ziekenvervoer import __version__

    app = FastAPI(
        title="ziekenvervoer",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.service = service
    app.add_exception_handler(ZiekenvervoerError, handle_typed_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.include_router(api)
    app.include_router(pages)

    @app.api_route(
        "/docs", methods=["GET", "HEAD"], include_in_schema=False, response_class=HTMLResponse
    )
    def docs(request: Request) -> HTMLResponse:
        """Swagger UI, served from this origin (the static files of fastapi-offline)."""
        return templates.TemplateResponse(request, "docs.html", {})

    from importlib.resources import files

    app.mount(
        "/static/vendor/swagger-ui",
        StaticFiles(directory=str(files("fastapi_offline") / "static")),
        name="swagger-ui",
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    # innermost first: the body limit sees the request before anything reads it; the catch-all
    # answers unexpected errors; security headers go on every answer, errors included
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            max_age=600,
        )
    app.add_middleware(CatchAll)
    app.add_middleware(SecurityHeaders, tile_source=settings.tile_source())
    return app
