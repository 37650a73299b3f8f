import datetime as dt
from decimal import Decimal

import pytest

from transport.distance import RideDistance
from transport.errors import InvalidInput, ParameterNotInForce
from transport.parameters import ParameterSet
from transport.tariffs import (
    Carrier,
    RateCase,
    Tariff,
    TariffNotFound,
    TariffTable,
    check_rate,
    ride_amounts,
)

D = dt.date
ON = D(2025, 3, 3)
KM20 = RideDistance.given(10, 20)

TABLE = """# my own table
kind,name,region,contracted,base_eur,per_km_eur,valid_from,valid_until,example,note
carrier,Taxi Een,Twente,yes,3.00,2.00,2024-01-01,,no,
carrier,Taxi Twee,Twente,no,4.50,2.60,2024-01-01,2025-12-31,no,
carrier,Taxi Drie,Rijnmond,no,4.00,2.40,,,no,
average_contracted,,Twente,,3.00,2.00,2024-01-01,,no,
average_contracted,,*,,2.00,1.50,2024-01-01,,no,
market_conform,,Twente,,4.00,2.50,2024-01-01,,no,
market_conform,,*,,4.00,2.50,2024-01-01,,no,
"""


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "tariffs.csv"
    path.write_text(TABLE, encoding="utf-8")
    return TariffTable.from_csv(path)


def taxi(table, name, policy=None, distance=KM20, on=ON):
    case = RateCase(on, "taxi", distance, policy_type=policy, carrier=table.carrier(name, on))
    return check_rate(case, tariffs=table)


def test_contracted_carrier_in_full(table):
    d = taxi(table, "Taxi Een")
    assert ride_amounts(d) == (Decimal("46.00"), Decimal("46.00"))  # 3 x 2 legs + 2 x 20 km
    assert d.ok and d.codes == ("RATE_FULL",)


def test_uncontracted_natura_capped_at_80_percent_of_average_contracted(table):
    d = taxi(table, "Taxi Twee", "natura")
    # price 4.50 x 2 + 2.60 x 20 = 61.00; cap 0.8 x (3 x 2 + 2 x 20) = 36.80
    assert ride_amounts(d) == (Decimal("61.00"), Decimal("36.80"))
    assert not d.ok and d.codes == ("RATE_CAPPED",) and d.reasons[0].vektis == "0611"
    assert d.details["cap_eur"] == "36.80"
    assert [p.name for p in d.parameters] == ["natura_uncontracted_share"]
    assert d.parameters[0].value == 0.8


def test_uncontracted_restitutie_up_to_market_conform(table):
    d = taxi(table, "Taxi Twee", "restitutie")
    assert ride_amounts(d) == (Decimal("61.00"), Decimal("58.00"))  # 4 x 2 + 2.5 x 20
    assert d.parameters[0].name == "restitutie_market_conform_share"


def test_uncontracted_cheaper_than_cap_is_paid_in_full(table):
    case = RateCase(ON, "taxi", KM20, policy_type="natura",
                    carrier=Carrier("Goedkoop", False, Tariff("0", "1.00"), "Twente"))  # fmt: skip
    assert ride_amounts(check_rate(case, tariffs=table)) == (Decimal("20.00"), Decimal("20.00"))


def test_region_without_own_row_uses_all_regions(table):
    d = taxi(table, "Taxi Drie", "natura")
    # cap 0.8 x (2 x 2 + 1.5 x 20) = 27.20
    assert ride_amounts(d)[1] == Decimal("27.20")


def test_one_way_counts_one_base(table):
    d = taxi(table, "Taxi Een", distance=RideDistance.given(10, 10, legs=1))
    assert ride_amounts(d)[0] == Decimal("23.00")


def test_uncontracted_needs_policy_and_table(table):
    carrier = table.carrier("Taxi Twee", ON)
    with pytest.raises(InvalidInput) as exc:
        check_rate(RateCase(ON, "taxi", KM20, carrier=carrier), tariffs=table)
    assert exc.value.field == "policy_type"
    with pytest.raises(InvalidInput) as exc:
        check_rate(RateCase(ON, "taxi", KM20, policy_type="natura", carrier=carrier))
    assert exc.value.field == "tariffs"


@pytest.mark.parametrize(
    ("day", "rate"),
    [(D(2018, 5, 1), "0.30"), (D(2019, 12, 31), "0.30"), (D(2022, 1, 1), "0.32"),
     (D(2024, 7, 1), "0.38"), (D(2025, 12, 31), "0.40")],
)  # fmt: skip
def test_own_car_rate_per_year(day, rate):
    d = check_rate(RateCase(day, "own_car", RideDistance.given(12.3, 24.6)))
    expected = (Decimal(rate) * Decimal("24.6")).quantize(Decimal("0.01"), "ROUND_HALF_UP")
    assert ride_amounts(d) == (expected, expected)
    assert d.parameters[0].name == "own_car_km_rate"


@pytest.mark.parametrize("day", [D(2020, 6, 1), D(2021, 6, 1), D(2023, 6, 1), D(2026, 1, 1)])
def test_own_car_rate_missing_years_are_errors(day):
    with pytest.raises(ParameterNotInForce) as exc:
        check_rate(RateCase(day, "own_car", KM20))
    assert exc.value.field == "own_car_km_rate"


def test_own_car_rate_override():
    ps = ParameterSet().with_overrides(own_car_km_rate="0.37")
    d = check_rate(RateCase(D(2023, 6, 1), "own_car", KM20), parameters=ps)
    assert ride_amounts(d)[0] == Decimal("7.40")
    assert d.parameters[0].source == "user override"


def test_rounding_half_up_once_per_ride():
    # 0.30 x 10.15 km = 3.045 exactly: half up gives 3.05 (half-even and binary floats give 3.04)
    d = check_rate(RateCase(D(2019, 3, 1), "own_car", RideDistance.given(5, "10.15")))
    assert ride_amounts(d)[0] == Decimal("3.05")


def test_public_transport_with_companions():
    two = RateCase(ON, "public_transport", KM20, pt_fare_eur="7.45", travellers=2,
                   covered_travellers=2)  # fmt: skip
    assert ride_amounts(check_rate(two)) == (Decimal("14.90"), Decimal("14.90"))
    one_covered = RateCase(ON, "public_transport", KM20, pt_fare_eur=7.45, travellers=2)
    assert ride_amounts(check_rate(one_covered)) == (Decimal("14.90"), Decimal("7.45"))
    with pytest.raises(InvalidInput) as exc:
        RateCase(ON, "public_transport", KM20)
    assert exc.value.field == "pt_fare_eur"
    with pytest.raises(InvalidInput) as exc:
        RateCase(ON, "taxi", KM20)
    assert exc.value.field == "carrier"
    with pytest.raises(InvalidInput) as exc:
        RateCase(ON, "bicycle", KM20)
    assert exc.value.field == "mode"


def test_table_lookup_errors(table):
    with pytest.raises(TariffNotFound) as exc:
        table.carrier("Onbekend", ON)
    assert exc.value.field == "carrier" and "Taxi Een" in exc.value.message
    with pytest.raises(TariffNotFound):
        table.carrier("Taxi Twee", D(2026, 1, 1))  # valid_until 2025-12-31
    with pytest.raises(TariffNotFound):
        table.carrier("Taxi Een", D(2023, 12, 31))  # valid_from 2024-01-01
    assert table.carrier("taxi een", ON).name == "Taxi Een"
    assert not table.is_example


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("kind,name,region,contracted,base_eur\ncarrier,A,*,yes,1\n", "tariffs"),
        ("kind,name,region,contracted,base_eur,per_km_eur\nbus,A,*,yes,1,1\n", "kind"),
        ("kind,name,region,contracted,base_eur,per_km_eur\ncarrier,,*,yes,1,1\n", "name"),
        ("kind,name,region,contracted,base_eur,per_km_eur\ncarrier,A,*,maybe,1,1\n",
         "contracted"),
        ("kind,name,region,contracted,base_eur,per_km_eur,valid_from\ncarrier,A,*,yes,1,1,2025\n",
         "valid_from"),
    ],
)  # fmt: skip
def test_malformed_tables(tmp_path, text, field):
    path = tmp_path / "t.csv"
    path.write_text(text)
    with pytest.raises(InvalidInput) as exc:
        TariffTable.from_csv(path)
    assert exc.value.field == field


def test_package_example_table_is_marked():
    t = TariffTable.example()
    assert t.is_example
    assert {r.kind for r in t.rows} == {"carrier", "average_contracted", "market_conform"}
    with pytest.raises(InvalidInput):
        TariffTable.from_csv("/does/not/exist.csv")
