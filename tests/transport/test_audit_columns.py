"""Column resolution, the mapping file, personal columns and value parsing of the audit."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from transport.audit_columns import (
    ColumnMapping,
    insured_key,
    parse_amount,
    parse_coordinate,
    parse_flag,
    parse_km,
    parse_mode,
    place_key,
    resolve_columns,
)
from transport.errors import InvalidInput
from transport.tariffs import Mode

DUTCH = [
    "Declaratienummer", "Burgerservicenummer", "Naam", "AGB vervoerder", "Gecontracteerd",
    "Machtigingsnummer", "Ritdatum", "Declaratiedatum", "home_lat", "home_lon", "Behandeladres",
    "Beladen km", "Bedrag", "Vervoerswijze", "Polisvorm", "Opmerking",
]  # fmt: skip


def test_aliases_resolve_dutch_headers():
    cols = resolve_columns(DUTCH)
    assert cols.fields["bsn"] == "Burgerservicenummer"
    assert cols.fields["carrier_agb"] == "AGB vervoerder"
    assert cols.fields["declared_km"] == "Beladen km"
    assert cols.fields["treatment_address"] == "Behandeladres"
    assert cols.fields["declaration_id"] == "Declaratienummer"
    assert set(cols.personal) == {"Burgerservicenummer", "Naam", "home_lat", "home_lon"}
    assert "Opmerking" in cols.passthrough and "Naam" not in cols.passthrough


def test_missing_required_column_names_the_field():
    with pytest.raises(InvalidInput) as exc:
        resolve_columns([c for c in DUTCH if c != "Ritdatum"])
    assert exc.value.field == "ride_date"
    with pytest.raises(InvalidInput) as exc:
        resolve_columns([c for c in DUTCH if c != "Behandeladres"])
    assert "treatment_lat/treatment_lon or treatment_address" in exc.value.message


def test_mapping_file(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text("columns:\n  bsn: Opmerking\npersonal: [Polisvorm]\n")
    m = ColumnMapping.from_file(path)
    cols = resolve_columns(DUTCH, m)
    assert cols.fields["bsn"] == "Opmerking"
    assert "Polisvorm" in cols.personal and "Opmerking" in cols.personal
    # a column named like a BSN stays out of the output even when not used as the BSN
    assert "Burgerservicenummer" in cols.personal
    flat = tmp_path / "flat.json"
    flat.write_text('{"bsn": "Opmerking"}')
    assert ColumnMapping.from_file(flat).columns == {"bsn": "Opmerking"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns:\n  nonsense: Opmerking\n")
    with pytest.raises(InvalidInput):
        ColumnMapping.from_file(bad)
    with pytest.raises(InvalidInput) as exc:
        resolve_columns(DUTCH, {"bsn": "Does not exist"})
    assert exc.value.field == "bsn"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.50", Decimal("12.50")),
        ("12,50", Decimal("12.50")),
        ("€ 12,50", Decimal("12.50")),
        ("12.50 EUR", Decimal("12.50")),
        (12.5, Decimal("12.5")),
        ("0", Decimal("0")),
        ("1.234,56", None),
        ("-3", None),
        ("n.v.t.", None),
        ("1e30", None),
        (True, None),
    ],
)
def test_parse_amount(value, expected):
    status, amount = parse_amount(value)
    assert amount == expected
    assert status == ("ok" if expected is not None else "invalid")
    assert parse_amount(None) == ("missing", None)
    assert parse_amount("  ") == ("missing", None)


def test_parse_other_values():
    assert parse_km("10,5") == ("ok", 10.5)
    assert parse_km("0")[0] == "invalid" and parse_km("inf")[0] == "invalid"
    assert parse_mode("Eigen auto") == ("ok", Mode.OWN_CAR)
    assert parse_mode("OV") == ("ok", Mode.PUBLIC_TRANSPORT)
    assert parse_mode("taxi") == ("ok", Mode.TAXI)
    assert parse_mode("fiets")[0] == "invalid"
    assert parse_flag("Ja") == ("ok", True) and parse_flag(0) == ("ok", False)
    assert parse_flag("misschien")[0] == "invalid"
    assert parse_coordinate("52,1", 90) == ("ok", 52.1)
    assert parse_coordinate("91", 90)[0] == "invalid"
    assert place_key(52.2638, 6.7708) == "52.263800,6.770800"


def test_insured_key_is_keyed_and_normalised():
    a = insured_key("111222333", b"salt-one")
    assert a == insured_key("1112.22.333", b"salt-one")
    assert a != insured_key("111222333", b"salt-two")
    assert "111222333" not in a and len(a) == 16
    assert insured_key(None, b"salt-one") is None


@pytest.mark.parametrize(
    ("value", "half"),
    [("10.4", 0.05), ("10", 0.5), (" 10,40 ", 0.005), (10.4, 0.05), (10, 0.5), ("10.", 0.5),
     (np.float64(7.25), 0.005), ("1e1", None), ("tien", None), ("", None), (None, None),
     (True, None)],
)  # fmt: skip
def test_km_rounding_is_half_a_unit_of_the_last_digit(value, half):
    from transport.audit_columns import km_rounding

    got = km_rounding(value)
    assert got == (None if half is None else pytest.approx(half))
