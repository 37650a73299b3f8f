"""Typed errors of ziekenvervoer, in the spirit of the OSRM and Valhalla HTTP APIs.

Every error carries a short machine-readable ``code`` (``NoSegment``, ``NoRoute``, ...), a message
that says what to fix, and optionally the ``field`` of the input it concerns. Interfaces (CLI, web,
batch files) show the code and message; they never need to parse the text.

Messages never contain personal data: an address or a coordinate pair of a patient is described
(``"origin"``), not repeated.
"""

from __future__ import annotations


class ZiekenvervoerError(Exception):
    """Base class of every error this project raises on purpose.

    Parameters
    ----------
    message : str
        What went wrong and what to fix, without personal data.
    field : str, optional
        Name of the input field the error concerns (``"origin"``, ``"ride_date"``, ...).
    """

    code: str = "Error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, str | None]:
        """Return ``{"code", "message", "field"}`` for JSON output."""
        return {"code": self.code, "message": self.message, "field": self.field}


# --- maps -------------------------------------------------------------------------------------


class MapError(ZiekenvervoerError):
    """A map cannot be read or holds no usable car network."""

    code = "InvalidMap"


class DownloadError(MapError):
    """A map download (Overpass) failed."""

    code = "DownloadFailed"


# --- routing ----------------------------------------------------------------------------------


class RoutingError(ZiekenvervoerError):
    """Base class of errors answering a route query."""

    code = "RoutingError"


class InvalidQuery(RoutingError):
    """The query itself is malformed (coordinates out of range, not numbers, ...)."""

    code = "InvalidQuery"


class NoSegment(RoutingError):
    """No drivable road lies within the snapping limit of a point."""

    code = "NoSegment"


class OutsideMap(NoSegment):
    """A point lies outside the area the loaded map covers."""

    code = "OutsideMap"


class NoRoute(RoutingError):
    """Origin and destination lie in parts of the network that no car can connect."""

    code = "NoRoute"


# --- addresses --------------------------------------------------------------------------------


class GeocodeError(ZiekenvervoerError):
    """Base class of geocoding errors."""

    code = "GeocodeError"


class GeocodeNotFound(GeocodeError):
    """No provider knows the address, postcode or place."""

    code = "GeocodeNotFound"


class GeocodeDisabled(GeocodeError):
    """An online geocoder was asked for without the user opting in to online geocoding."""

    code = "GeocodeDisabled"


class GeocodeServiceError(GeocodeError):
    """An online geocoding service did not answer usefully (HTTP error, timeout, bad JSON)."""

    code = "GeocodeServiceError"


class InvalidGeocodeQuery(GeocodeError, InvalidQuery):
    """The query is malformed: empty, too long, or coordinates that cannot be read unambiguously.

    It is both a :class:`~routing.errors.GeocodeError` and an
    :class:`~routing.errors.InvalidQuery`, so callers catching either see it.
    """

    code = "InvalidQuery"


class GeocodeAmbiguous(GeocodeError):
    """The query matches several places; the user has to say which one.

    Parameters
    ----------
    message : str
        What to do, without personal data.
    field : str, optional
        The input field.
    candidates : sequence of str, optional
        Display names of the candidates, only where they are not personal data (hospital names).
    """

    code = "GeocodeAmbiguous"

    def __init__(
        self, message: str, *, field: str | None = None, candidates: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message, field=field)
        self.candidates = tuple(candidates)


class GeocodeDataError(GeocodeError):
    """A file the user supplied to a geocoder cannot be read or holds no usable row."""

    code = "InvalidGeocodeData"
