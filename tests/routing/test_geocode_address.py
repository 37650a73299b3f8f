"""Reading Dutch address text: postcodes, house numbers with additions, street and town."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing.geocode.address import (
    canonical_addition,
    fold,
    fold_town,
    normalise_postcode,
    normalise_query,
    parse_address,
)


@pytest.mark.parametrize(
    ("text", "postcode", "number", "addition", "street", "town"),
    [
        ("7555 DL 141", "7555DL", 141, "", None, None),
        ("7555DL 141", "7555DL", 141, "", None, None),
        ("7555dl 141a", "7555DL", 141, "A", None, None),
        ("141-2, 7555 dl", "7555DL", 141, "2", None, None),
        ("7555DL 141 2", "7555DL", 141, "2", None, None),
        ("Geerdinksweg 141, 7555 DL Hengelo", "7555DL", 141, "", "geerdinksweg", "hengelo"),
        ("Geerdinksweg 141 7555DL Hengelo", "7555DL", 141, "", "geerdinksweg", "hengelo"),
        ("Geerdinksweg 141 Hengelo", None, 141, "", "geerdinksweg", "hengelo"),
        ("geerdinksweg 141A hengelo", None, 141, "A", "geerdinksweg", "hengelo"),
        ("Geerdinksweg 141 A", None, 141, "A", "geerdinksweg", None),
        ("Geerdinksweg 141-A", None, 141, "A", "geerdinksweg", None),
        ("Geerdinksweg 141A-2 Hengelo", None, 141, "A2", "geerdinksweg", "hengelo"),
        ("Hengelo, Geerdinksweg 141 bis", None, 141, "BIS", "geerdinksweg", "hengelo"),
        ("Kerkstraat 12-III, Amsterdam", None, 12, "III", "kerkstraat", "amsterdam"),
        ("Kerkstraat 12 hs, Amsterdam", None, 12, "HS", "kerkstraat", "amsterdam"),
        ("2e Kruisstraat 5 Amsterdam", None, 5, "", "2e kruisstraat", "amsterdam"),
        ("Laan 1940-1945 12, Hengelo", None, 12, "", "laan 1940 1945", "hengelo"),
        ("Lijnbaan 32, 2512 VA Den Haag", "2512VA", 32, "", "lijnbaan", "s gravenhage"),
        (
            "Dr. Molewaterplein 40, 3015 GD Rotterdam",
            "3015GD",
            40,
            "",
            "dr molewaterplein",
            "rotterdam",
        ),
        ("Geerdinksweg 141, Hengelo, Nederland", None, 141, "", "geerdinksweg", "hengelo"),
        ("Hoofdstraat 1234 de Bilt", None, 1234, "", "hoofdstraat", "de bilt"),
        ("'s-Gravenpolderseweg 114", None, 114, "", "s gravenpolderseweg", None),
    ],
)
def test_parse_address_forms(text, postcode, number, addition, street, town):
    parsed = parse_address(text)
    assert (parsed.postcode, parsed.number, parsed.addition, parsed.street, parsed.town) == (
        postcode,
        number,
        addition,
        street,
        town,
    )
    if postcode:
        assert parsed.pc4 == postcode[:4]


@pytest.mark.parametrize(
    ("text", "pc4", "town"),
    [
        ("7555", "7555", None),
        ("7555 Hengelo", "7555", "hengelo"),
        ("3731 de Bilt", "3731", "de bilt"),  # a town starting with "de", not postcode 3731 DE
        ("Geerdinksweg 141, 7555 Hengelo", "7555", "hengelo"),
        ("Hoofdstraat 12, 3731 De Bilt", "3731", "de bilt"),
    ],
)
def test_four_digit_postcodes(text, pc4, town):
    parsed = parse_address(text)
    assert parsed.pc4 == pc4
    assert parsed.postcode is None
    assert parsed.town == town


def test_no_address_in_names():
    for text in ("ZGT Hengelo", "Hengelo", "Spijkenisse Medisch Centrum"):
        parsed = parse_address(text)
        assert parsed.number is None and parsed.postcode is None and parsed.pc4 is None
        assert not parsed.is_address


def test_postcode_with_town_only():
    parsed = parse_address("7555 dl hengelo")
    assert (parsed.postcode, parsed.number, parsed.town) == ("7555DL", None, "hengelo")
    assert not parsed.is_address


def test_upper_case_de_is_a_postcode():
    assert parse_address("3731 DE").postcode == "3731DE"


def test_fold_and_towns():
    assert fold("Máxima Medisch Centrum") == "maxima medisch centrum"
    assert fold("Röpcke-Zweers") == "ropcke zweers"
    assert fold("'s-Gravenhage") == "s gravenhage"
    assert fold_town("Den Haag") == fold_town("'s-Gravenhage") == "s gravenhage"
    assert fold_town("Den Bosch") == fold_town("'s-Hertogenbosch")
    assert fold_town("Hengelo (Ov)") == "hengelo"


def test_postcode_and_addition_normalisation():
    assert normalise_postcode(" 7555 dl ") == "7555DL"
    assert normalise_postcode("0555 DL") is None  # postcodes start at 1000
    assert normalise_postcode("7555 D") is None
    assert canonical_addition("a", "2") == canonical_addition("A-2") == "A2"
    assert canonical_addition(None, None) == ""
    assert normalise_query("7555 DL  141") == normalise_query("7555dl 141")


# --- properties -------------------------------------------------------------------------------

postcodes = st.tuples(
    st.integers(1000, 9999), st.sampled_from("ABCDEFGHJKLMNPRTVWXZ"), st.sampled_from("ABCELPRTX")
).map(lambda t: f"{t[0]}{t[1]}{t[2]}")
numbers = st.integers(1, 99999)
letters = st.sampled_from(["", "A", "B", "C", "F"])
toevoegingen = st.sampled_from(["", "1", "2", "14", "A", "III", "ZW"])
streets = st.sampled_from(
    ["Geerdinksweg", "Dr. Molewaterplein", "'s-Gravenpolderseweg", "Laan van Europa", "Hoofdstraat"]
)
towns = st.sampled_from(["Hengelo", "Capelle aan den IJssel", "'s-Hertogenbosch", "Zwolle"])


def _number_text(number: int, letter: str, toevoeging: str, style: int) -> str:
    if style == 0:
        return f"{number}{letter}" + (f"-{toevoeging}" if toevoeging else "")
    if style == 1:
        return f"{number}{letter.lower()}" + (f"/{toevoeging.lower()}" if toevoeging else "")
    return f"{number} {letter}".rstrip() + (f" - {toevoeging}" if toevoeging else "")


@given(postcodes, numbers, letters, toevoegingen, streets, towns, st.integers(0, 2), st.booleans())
def test_full_address_round_trip(code, number, letter, toevoeging, street, town, style, spaced):
    shown_code = f"{code[:4]} {code[4:]}" if spaced else code.lower()
    text = f"{street} {_number_text(number, letter, toevoeging, style)}, {shown_code} {town}"
    parsed = parse_address(text)
    assert parsed.postcode == code
    assert parsed.number == number
    assert parsed.addition == canonical_addition(letter, toevoeging)
    assert parsed.street == fold(street)
    assert parsed.town == fold_town(town)


@given(postcodes, numbers, letters, toevoegingen, st.integers(0, 1))
def test_postcode_first_round_trip(code, number, letter, toevoeging, style):
    parsed = parse_address(
        f"{code[:4]} {code[4:]} {_number_text(number, letter, toevoeging, style)}"
    )
    assert (parsed.postcode, parsed.number) == (code, number)
    assert parsed.addition == canonical_addition(letter, toevoeging)
    assert parsed.is_address


@given(st.text(max_size=80))
def test_parse_never_crashes(text):
    parsed = parse_address(text)
    assert parsed.number is None or 1 <= parsed.number <= 99999
    assert parsed.postcode is None or normalise_postcode(parsed.postcode) == parsed.postcode
