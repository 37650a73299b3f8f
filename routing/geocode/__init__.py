"""Geocoding: address text, postcodes, hospital names or coordinates -> a located point.

One interface (:class:`Geocoder`, in the spirit of geopy), one module per provider:

- :class:`CoordinatesGeocoder` (:mod:`.coordinates`): ``"52.2638,6.7708"`` -> POINT;
- :class:`HospitalGeocoder` (:mod:`.hospitals`): hospital names from a locations file -> ADDRESS;
- :class:`AddressTable` (:mod:`.table`): a user-supplied CSV (BAG extract) -> ADDRESS/POSTCODE6;
- :class:`PC4Geocoder` (:mod:`.pc4`): four-digit postcode centres -> POSTCODE4;
- :class:`PDOKGeocoder` (:mod:`.pdok`) and :class:`NominatimGeocoder` (:mod:`.nominatim`):
  online services, only when the user opts in (:mod:`.online`), rate-limited and cached
  (:mod:`.cache`);
- :class:`GeocoderChain` and :func:`build_geocoder` (:mod:`.chain`): providers in order, the most
  precise answer wins.

Every result is a :class:`routing.results.Location` carrying its precision and source. Nothing here
logs a query or a result, and error messages never repeat an address.
"""

from routing.geocode.address import ParsedAddress, parse_address
from routing.geocode.base import (
    GeocodeAmbiguous,
    GeocodeDataError,
    Geocoder,
    InvalidGeocodeQuery,
    Suggester,
)
from routing.geocode.cache import DiskCache, GeocodeCache, MemoryCache
from routing.geocode.chain import GeocoderChain, build_geocoder
from routing.geocode.coordinates import CoordinatesGeocoder, parse_coordinates
from routing.geocode.hospitals import Hospital, HospitalGeocoder
from routing.geocode.nominatim import NominatimGeocoder
from routing.geocode.online import OnlineGeocoder
from routing.geocode.pc4 import PC4Geocoder
from routing.geocode.pdok import PDOKGeocoder
from routing.geocode.table import AddressTable

__all__ = [
    "AddressTable",
    "CoordinatesGeocoder",
    "DiskCache",
    "GeocodeAmbiguous",
    "GeocodeCache",
    "GeocodeDataError",
    "Geocoder",
    "GeocoderChain",
    "Hospital",
    "HospitalGeocoder",
    "InvalidGeocodeQuery",
    "MemoryCache",
    "NominatimGeocoder",
    "OnlineGeocoder",
    "PC4Geocoder",
    "PDOKGeocoder",
    "ParsedAddress",
    "Suggester",
    "build_geocoder",
    "parse_address",
    "parse_coordinates",
]
