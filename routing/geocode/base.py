"""The geocoder interface every provider implements, and the errors they share.

In the spirit of geopy: one small interface, one class per provider. A geocoder turns a query
string into a :class:`routing.results.Location` (WGS84 point, precision, source, label) or raises
a typed error:

- :class:`routing.errors.GeocodeNotFound`: this provider does not know the query (a chain of
  providers then asks the next one);
- :class:`InvalidGeocodeQuery`: the query is malformed in a way no provider can repair (for example
  coordinates with decimal commas that cannot be split unambiguously);
- :class:`GeocodeAmbiguous`: the query matches several places and the user has to choose;
- :class:`routing.errors.GeocodeDisabled`: an online provider was asked without opt-in;
- :class:`routing.errors.GeocodeServiceError`: an online service did not answer usefully;
- :class:`GeocodeDataError`: a file the user supplied (address table, PC4 file, hospital list)
  cannot be read.

Privacy: patient addresses are special-category personal data. No geocoder logs a query or a
result, and error messages describe the input (``"the address"``) without repeating it. Hospital
names and bare four-digit postcodes are not personal data and may appear in messages.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, Protocol, runtime_checkable

from routing.errors import (  # noqa: F401 - re-exported: the geocoders raise these
    GeocodeAmbiguous,
    GeocodeDataError,
    GeocodeError,
    GeocodeNotFound,
    InvalidGeocodeQuery,
    InvalidQuery,
)
from routing.results import Location, Precision

#: Field name used in errors when the caller does not name the input field.
DEFAULT_FIELD = "address"

#: Longest query accepted (a postal address is far shorter; this stops accidental pastes).
MAX_QUERY_LENGTH = 300

#: Precision ranks, most precise first (``Precision`` is a ``StrEnum`` without an order).
PRECISION_RANK: dict[Precision, int] = {
    Precision.POINT: 0,
    Precision.ADDRESS: 1,
    Precision.POSTCODE6: 2,
    Precision.POSTCODE4: 3,
}


def more_precise(a: Precision, b: Precision) -> bool:
    """Return whether precision ``a`` is strictly more precise than ``b``."""
    return PRECISION_RANK[a] < PRECISION_RANK[b]


def not_found(field: str, what: str = "the address", hint: str = "") -> GeocodeNotFound:
    """Build a :class:`GeocodeNotFound` that describes the input without repeating it."""
    message = f"No location found for {what} in {field!r}."
    if hint:
        message = f"{message} {hint}"
    return GeocodeNotFound(message, field=field)


def check_query(query: object, field: str) -> str:
    """Return the stripped query, or raise :class:`InvalidGeocodeQuery` for unusable input."""
    if not isinstance(query, str):
        raise InvalidGeocodeQuery(
            f"{field!r} must be text (an address, postcode, hospital name or 'lat,lon'), "
            f"not {type(query).__name__}.",
            field=field,
        )
    text = " ".join(query.split())
    if not text:
        raise InvalidGeocodeQuery(f"{field!r} is empty: give an address or 'lat,lon'.", field=field)
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidGeocodeQuery(
            f"{field!r} is longer than {MAX_QUERY_LENGTH} characters; give one address.",
            field=field,
        )
    return text


class Geocoder(ABC):
    """A geocoding provider: query text in, :class:`~routing.results.Location` out.

    Subclasses set :attr:`source` (reported in every result) and :attr:`best_precision` (the most
    precise answer they can give, used by :class:`routing.geocode.chain.GeocoderChain` to skip a
    provider that cannot improve on an answer already found), and implement :meth:`_geocode`.
    """

    #: Name of the provider, reported as ``Location.source``.
    source: ClassVar[str] = "geocoder"
    #: The most precise answer this provider can give.
    best_precision: ClassVar[Precision] = Precision.ADDRESS
    #: Whether the provider sends queries over the network.
    online: ClassVar[bool] = False

    def geocode(self, query: str, *, field: str | None = None) -> Location:
        """Geocode one query.

        Parameters
        ----------
        query : str
            Coordinates ``"lat,lon"``, an address, a postcode or a hospital name, depending on
            the provider.
        field : str, optional
            Name of the input field, reported in errors (``"origin"``, ``"home"``, ...).
            Defaults to ``"address"``.

        Returns
        -------
        routing.results.Location
            The point with its precision and source.

        Raises
        ------
        routing.errors.GeocodeNotFound
            The provider does not know the query.
        routing.errors.GeocodeError
            A subclass for malformed, ambiguous, disabled or failed lookups.
        """
        name = field or DEFAULT_FIELD
        return self._geocode(check_query(query, name), name)

    @abstractmethod
    def _geocode(self, text: str, field: str) -> Location:
        """Geocode a stripped, non-empty query (implemented by each provider)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


@runtime_checkable
class Suggester(Protocol):
    """A provider that can complete a typed prefix (for autocomplete on the web page)."""

    def suggest(self, prefix: str, limit: int = 10) -> list[Location]:
        """Return up to ``limit`` places whose label completes ``prefix``."""
        ...
