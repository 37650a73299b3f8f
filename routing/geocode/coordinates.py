"""Coordinates typed by the user: ``"lat,lon"`` in WGS84 decimal degrees.

Accepted forms (latitude first, as in ``"52.2638,6.7708"``):

- decimal points with a comma, semicolon or spaces between the numbers:
  ``52.2638,6.7708``, ``52.2638, 6.7708``, ``52.2638 6.7708``, ``52.2638;6.7708``,
  optionally in brackets: ``(52.2638, 6.7708)``;
- decimal commas only where the separator leaves no doubt: a semicolon or spaces,
  ``52,2638;6,7708`` or ``52,2638 6,7708``;
- hemisphere letters and degrees/minutes/seconds: ``52.2638 N, 6.7708 E``,
  ``N 52.2638 E 6.7708``, ``52°15'49.7"N 6°46'14.9"E`` (with letters the order may be
  either way; south and west are negative).

Rejected with :class:`~routing.geocode.base.InvalidGeocodeQuery` (code ``InvalidQuery``):

- a latitude outside -90..90 or a longitude outside -180..180 (never wrapped around);
- numbers with decimal commas separated by commas, such as ``52,2638,6,7708``: the split is
  ambiguous (``52,2638 | 6,7708`` or ``52 | 2638,6 ...``), so the user is asked to rewrite it;
- any other text made only of digits and separators that is not two numbers.

Swapped input (``6.7708,52.2638``) is within range and is taken as given: latitude 6.77. The
router then reports the point as outside the map; this provider does not guess.

Text that is not coordinate-like at all (an address) is :class:`~routing.errors.GeocodeNotFound`,
so that a chain of providers goes on to the next one. A single number (``7555``) is not coordinates
either: it may be a postcode.
"""

from __future__ import annotations

import re

from routing.errors import GeocodeNotFound
from routing.geocode.base import Geocoder, InvalidGeocodeQuery, not_found
from routing.results import Location, Precision

_DOT = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_COMMA = r"[+-]?\d+,\d+"
_ANY = rf"(?:{_COMMA}|{_DOT})"

_PAIR_FORMS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"({_DOT})\s*[,;]\s*({_DOT})"),
    re.compile(rf"({_DOT})\s+({_DOT})"),
    re.compile(rf"({_ANY})\s*;\s*({_ANY})"),
    re.compile(rf"({_ANY})\s+({_ANY})"),
)
_NUMERIC_ONLY = re.compile(r"[+\-\d\s.,;]+")
_DMS_CHARS = re.compile(r"[\d\s.,;:°º'\"′″NSEWnsew+\-]+")
_HEMI_OR_DEGREE = re.compile(r"[°º'\"′″NSEWnsew]")
_DEGREES = (
    r"([+-]?\d+(?:\.\d+)?)\s*[°º]?\s*"
    r"(?:(\d+(?:\.\d+)?)\s*['′]\s*)?"
    r"(?:(\d+(?:\.\d+)?)\s*(?:\"|″|'')\s*)?"
)
_SUFFIXED = rf"{_DEGREES}([NSEW])?"
_PREFIXED = rf"([NSEW])?\s*{_DEGREES}"
_DMS_PAIRS = (
    re.compile(rf"\s*{_SUFFIXED}\s*[,;]?\s*{_SUFFIXED}\s*", re.I),
    re.compile(rf"\s*{_PREFIXED}\s*[,;]?\s*{_PREFIXED}\s*", re.I),
)

_HOW = "Write coordinates as 'lat,lon' in decimal degrees with decimal points, e.g. 52.0907,5.1214."


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _check_range(lat: float, lon: float, field: str) -> tuple[float, float]:
    if not -90.0 <= lat <= 90.0:
        raise InvalidGeocodeQuery(
            f"The latitude in {field!r} is outside -90..90. {_HOW}", field=field
        )
    if not -180.0 <= lon <= 180.0:
        raise InvalidGeocodeQuery(
            f"The longitude in {field!r} is outside -180..180. {_HOW}", field=field
        )
    return lat, lon


def _dms_value(
    degrees: str, minutes: str | None, seconds: str | None, letter: str | None, field: str
) -> tuple[float, str | None]:
    letter = letter.upper() if letter else None
    if letter and degrees.startswith(("-", "+")):
        raise InvalidGeocodeQuery(
            f"A coordinate in {field!r} has both a sign and a hemisphere letter. {_HOW}",
            field=field,
        )
    value = abs(float(degrees))
    for part, scale in ((minutes, 60.0), (seconds, 3600.0)):
        if part is None:
            continue
        amount = float(part)
        if amount >= 60.0:
            raise InvalidGeocodeQuery(
                f"Minutes and seconds in {field!r} must be below 60. {_HOW}", field=field
            )
        value += amount / scale
    negative = degrees.startswith("-") or letter in {"S", "W"}
    return (-value if negative else value), letter


def _parse_dms(text: str, field: str) -> tuple[float, float]:
    values: list[tuple[float, str | None]] = []
    for number, pattern in enumerate(_DMS_PAIRS):
        match = pattern.fullmatch(text)
        if not match:
            continue
        g = match.groups()
        if number == 0:  # suffixed: degrees, minutes, seconds, letter
            values = [_dms_value(*g[0:4], field), _dms_value(*g[4:8], field)]
        else:  # prefixed: letter, degrees, minutes, seconds
            values = [
                _dms_value(g[1], g[2], g[3], g[0], field),
                _dms_value(g[5], g[6], g[7], g[4], field),
            ]
        break
    if not values:
        raise InvalidGeocodeQuery(
            f"The coordinates in {field!r} cannot be read. {_HOW}", field=field
        )
    (first, first_letter), (second, second_letter) = values
    if first_letter is None and second_letter is None:
        return _check_range(first, second, field)
    axes = {"N": "lat", "S": "lat", "E": "lon", "W": "lon"}
    if first_letter is None or second_letter is None or axes[first_letter] == axes[second_letter]:
        raise InvalidGeocodeQuery(
            f"The coordinates in {field!r} need one N/S and one E/W letter, or none. {_HOW}",
            field=field,
        )
    if axes[first_letter] == "lat":
        return _check_range(first, second, field)
    return _check_range(second, first, field)


def parse_coordinates(text: str, field: str = "address") -> tuple[float, float] | None:
    """Read ``"lat,lon"`` coordinates from text.

    Parameters
    ----------
    text : str
        The query.
    field : str
        Input field name for error messages.

    Returns
    -------
    tuple of float or None
        ``(lat, lon)``, or ``None`` when the text is not coordinate-like at all.

    Raises
    ------
    InvalidGeocodeQuery
        Coordinate-like text that is out of range, ambiguous or unreadable.
    """
    stripped = text.strip()
    if len(stripped) >= 2 and stripped[0] + stripped[-1] in {"()", "[]"}:
        stripped = stripped[1:-1].strip()
    for form in _PAIR_FORMS:
        match = form.fullmatch(stripped)
        if match:
            return _check_range(_number(match.group(1)), _number(match.group(2)), field)
    if _NUMERIC_ONLY.fullmatch(stripped):
        if not re.search(r"\d[\s,;]+[+\-.\d]", stripped):
            return None  # a single number: maybe a postcode, not coordinates
        if stripped.count(",") >= 2 or re.search(r"\d,\d+\s*,", stripped):
            raise InvalidGeocodeQuery(
                f"The coordinates in {field!r} use decimal commas and commas between the numbers, "
                f"so they cannot be split unambiguously. {_HOW} "
                "(Decimal commas are accepted with a space or ';' between the numbers: "
                "52,0907;5,1214.)",
                field=field,
            )
        raise InvalidGeocodeQuery(
            f"{field!r} looks like coordinates but is not two numbers. {_HOW}", field=field
        )
    if (
        _DMS_CHARS.fullmatch(stripped)
        and _HEMI_OR_DEGREE.search(stripped)
        and re.search(r"\d", stripped)
    ):
        return _parse_dms(stripped, field)
    return None


class CoordinatesGeocoder(Geocoder):
    """Coordinates typed as text: ``"52.2638,6.7708"`` -> a :class:`Location` of precision POINT.

    See the module docstring for the accepted and rejected forms.
    """

    source = "coordinates"
    best_precision = Precision.POINT

    def _geocode(self, text: str, field: str) -> Location:
        pair = parse_coordinates(text, field)
        if pair is None:
            raise self._not_coordinates(field)
        lat, lon = pair
        return Location(lat=lat, lon=lon, precision=Precision.POINT, source=self.source)

    @staticmethod
    def _not_coordinates(field: str) -> GeocodeNotFound:
        return not_found(field, "the input", "It is not 'lat,lon' coordinates.")
