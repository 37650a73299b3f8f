"""Normalising and parsing Dutch address text, shared by the offline and online providers.

Accepted forms (case-insensitive, extra spaces and commas ignored)::

    7555 DL 141            7555DL 141a           141-2, 7555 dl
    Geerdinksweg 141, 7555 DL Hengelo            Geerdinksweg 141 Hengelo
    Geerdinksweg 141A Hengelo                    Hengelo, Geerdinksweg 141 bis
    Geerdinksweg 141, 7555 Hengelo (PC4 + town)  7555 (a bare PC4)

House numbers follow the BAG: a number (1-99999), an optional *huisletter* (one letter, ``141A``
or ``141 A``) and an optional *huisnummertoevoeging* (up to four characters after ``-`` or ``/``:
``141-2``, ``141A-2``; or one of the words ``bis``, ``hs``, ``I``-``IV``, ... after a space).
Letter and toevoeging are compared as one canonical *addition*: upper case, letters and digits only
(``141A-2`` -> ``"A2"``, ``141 bis`` -> ``"BIS"``), so that ``141-A`` and ``141A`` match.

Postcodes are four digits (1000-9999) and two letters, with or without a space. A four-digit
number followed by two lower-case letters after a street name (``Hoofdstraat 1234 de Bilt``) is
read as a house number, not a postcode; upper-case letters, or a postcode at the start, after a
comma or after a house number, are read as a postcode.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Town names that people write differently from the BAG (folded forms).
TOWN_ALIASES: dict[str, str] = {
    "den haag": "s gravenhage",
    "the hague": "s gravenhage",
    "den bosch": "s hertogenbosch",
}

_COUNTRY_WORDS = ("nederland", "netherlands", "the netherlands", "nl")

_APOSTROPHES = str.maketrans("", "", "'’`´")


def fold(text: str) -> str:
    """Fold text for comparison: no accents, lower case, letters and digits separated by spaces.

    ``"'s-Gravenhage"`` -> ``"s gravenhage"``, ``"Máxima Medisch Centrum"`` ->
    ``"maxima medisch centrum"``, ``"Röpcke-Zweers"`` -> ``"ropcke zweers"``.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.casefold().translate(_APOSTROPHES)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def fold_town(text: str) -> str:
    """Fold a town name and map common alternative names onto the BAG name."""
    folded = fold(re.sub(r"\([^)]*\)", " ", text))
    for word in _COUNTRY_WORDS:
        if folded.endswith(" " + word):
            folded = folded[: -len(word) - 1]
    return TOWN_ALIASES.get(folded, folded)


def normalise_postcode(text: str) -> str | None:
    """Return a six-character postcode as ``"7555DL"``, or ``None`` when ``text`` is not one."""
    match = re.fullmatch(r"\s*([1-9][0-9]{3})\s*([A-Za-z]{2})\s*", text)
    if not match:
        return None
    return match.group(1) + match.group(2).upper()


def format_postcode(postcode: str) -> str:
    """Format a normalised postcode for display: ``"7555DL"`` -> ``"7555 DL"``."""
    return f"{postcode[:4]} {postcode[4:]}" if len(postcode) == 6 else postcode


def canonical_addition(*parts: str | None) -> str:
    """Join huisletter and toevoeging into one comparable addition (``"a", "-2"`` -> ``"A2"``)."""
    joined = "".join(p for p in parts if p)
    return re.sub(r"[^0-9A-Z]", "", fold(joined).upper())


def display_number(number: int, letter: str | None = None, addition: str | None = None) -> str:
    """Format a house number the Dutch way: ``141``, ``141A``, ``141-2``, ``141A-2``."""
    text = f"{number}{(letter or '').strip().upper()}"
    addition = (addition or "").strip()
    return f"{text}-{addition}" if addition else text


@dataclass(frozen=True)
class ParsedAddress:
    """The parts found in an address text, in comparable (folded) form.

    Attributes
    ----------
    postcode : str, optional
        Six-character postcode without space, upper case (``"7555DL"``).
    pc4 : str, optional
        Four-digit postcode (from ``postcode`` or given on its own).
    number : int, optional
        House number.
    addition : str
        Canonical huisletter + toevoeging (``""`` when none).
    street : str, optional
        Folded street name.
    town : str, optional
        Folded town name (aliases mapped onto BAG names).
    """

    postcode: str | None = None
    pc4: str | None = None
    number: int | None = None
    addition: str = ""
    street: str | None = None
    town: str | None = None

    @property
    def is_address(self) -> bool:
        """Whether this names one address: a house number with a postcode or a street."""
        return self.number is not None and (self.postcode is not None or self.street is not None)


_PC6_RE = re.compile(r"(?<![0-9A-Za-z])([1-9][0-9]{3}) ?([A-Za-z]{2})(?![0-9A-Za-z])")
_PC4_ONLY_RE = re.compile(r"(?:nl-?)?([1-9][0-9]{3})(?:\s*,?\s*([^\d,]+?))?\s*,?\s*", re.I)
_ADDITION_WORDS = r"bis|ter|hs|huis|bg|bgg|boven|bov|beneden|ben|zw|rd|i{1,3}|iv|vi{0,3}"
_HOUSE_RE = re.compile(
    r"(?<![\w'])(?P<num>\d{1,5})"
    r"(?:\s?(?P<letter>[a-z])(?![a-z0-9]))?"
    r"(?:\s?[-/]\s?(?P<add>[a-z0-9]{1,6})(?![a-z0-9])"
    rf"|\s(?P<word>{_ADDITION_WORDS})(?![a-z0-9]))?"
    r"(?=$|[\s,])",
    re.I,
)


def _find_postcode(text: str) -> re.Match[str] | None:
    for match in _PC6_RE.finditer(text):
        before = text[: match.start()].rstrip()
        letters = match.group(2)
        # "3731 de Bilt", "Hoofdstraat 12, 3731 De Bilt": a town starting with "De".
        if (
            letters.lower() == "de"
            and not letters.isupper()
            and re.match(r"\s+[^\W\d_]", text[match.end() :])
        ):
            continue
        if (
            not before
            or before.endswith(",")
            or re.search(r"\d[A-Za-z]?(?:[-/][A-Za-z0-9]{1,6})?$", before)
            or letters.isupper()
        ):
            return match
    return None


def _clean_part(text: str) -> str:
    return " ".join(text.replace(",", " , ").split()).strip(" ,")


def parse_address(text: str) -> ParsedAddress:
    """Split Dutch address text into postcode, house number, addition, street and town.

    Parameters
    ----------
    text : str
        Free address text (see the module docstring for the accepted forms).

    Returns
    -------
    ParsedAddress
        The parts found; missing parts are ``None`` (or ``""`` for the addition).
    """
    text = " ".join(text.split())
    pc4_only = _PC4_ONLY_RE.fullmatch(text)
    if pc4_only and not _find_postcode(text):
        town = fold_town(pc4_only.group(2)) if pc4_only.group(2) else None
        return ParsedAddress(pc4=pc4_only.group(1), town=town or None)

    postcode: str | None = None
    pc4: str | None = None
    town_after_postcode = ""
    pc_match = _find_postcode(text)
    if pc_match:
        postcode = pc_match.group(1) + pc_match.group(2).upper()
        pc4 = pc_match.group(1)
        town_after_postcode = text[pc_match.end() :]
        text = f"{text[: pc_match.start()]} , {text[pc_match.end() :]}"

    candidates = list(_HOUSE_RE.finditer(text))
    if not candidates:
        # "7555 DL Hengelo": what follows a postcode is the town.
        town_text = _clean_part(town_after_postcode).split(",")[0]
        town_only = fold_town(town_text) if re.search(r"[^\W\d_]", town_text) else ""
        return ParsedAddress(postcode=postcode, pc4=pc4, town=town_only or None)

    chosen = candidates[-1]
    before = text[: chosen.start()]
    after = text[chosen.end() :]
    last = chosen.group(0)
    if (
        pc4 is None
        and len(candidates) >= 2
        and len(last) == 4
        and last.isdigit()
        and last[0] != "0"
        and re.search(r"[^\W\d_]", after)
    ):
        # "Geerdinksweg 141, 7555 Hengelo": the last number is a PC4 before the town.
        pc4 = last
        chosen = candidates[-2]
        before = text[: chosen.start()]
        after = text[chosen.end() : candidates[-1].start()] + " , " + after

    number = int(chosen.group("num"))
    addition = canonical_addition(chosen.group("letter"), chosen.group("add"), chosen.group("word"))
    if (
        len(candidates) >= 2
        and chosen is candidates[-1]
        and _clean_part(before)
        and not re.search(r"[^\W\d_]", _clean_part(before))
        and not addition
    ):
        # "7555DL 141 2": a street part without letters is the number, the rest its addition.
        previous = candidates[-2]
        number = int(previous.group("num"))
        addition = canonical_addition(
            previous.group("letter"), previous.group("add"), previous.group("word"), last
        )
        before = text[: previous.start()]

    if number == 0:
        number_opt: int | None = None
    else:
        number_opt = number

    street_part = _clean_part(before)
    town_part = _clean_part(after)
    if "," in street_part:
        segments = [s.strip() for s in street_part.split(",") if s.strip()]
        street_part = segments[-1] if segments else ""
        if not town_part and len(segments) > 1:
            town_part = segments[0]
    if "," in town_part:
        segments = [s.strip() for s in town_part.split(",") if s.strip()]
        town_part = segments[0] if segments else ""

    street = fold(street_part) or None
    if street is not None and not re.search(r"[a-z]", street):
        street = None
    town = fold_town(town_part) or None
    if town is not None and not re.search(r"[a-z]", town):
        town = None
    return ParsedAddress(
        postcode=postcode,
        pc4=pc4,
        number=number_opt,
        addition=addition,
        street=street,
        town=town,
    )


def normalise_query(text: str) -> str:
    """Return a canonical form of a query for cache keys.

    Case, accents, punctuation and spacing are folded away, and a postcode is written without its
    space, so ``"7555 DL 141"`` and ``"7555dl  141"`` share one cache entry.
    """
    folded = fold(text)
    return re.sub(r"(?<![0-9a-z])([1-9][0-9]{3}) ([a-z]{2})(?![0-9a-z])", r"\1\2", folded)
