"""The dispatcher's web page and JSON API (FastAPI), on top of :mod:`routing` and :mod:`transport`.

:func:`create_app` builds the app on an already-loaded :class:`routing.router.Router`; the
command ``ziekenvervoer serve --map FILE`` runs it under uvicorn. Like the command line, the app
holds no rules: it validates input, calls the router and the rules, and presents their results.
"""

from ziekenvervoer.web.app import create_app
from ziekenvervoer.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
