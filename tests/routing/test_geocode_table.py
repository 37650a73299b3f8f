"""The offline address table (a user-supplied CSV, e.g. a BAG extract)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from routing.errors import GeocodeNotFound
from routing.geocode import AddressTable, GeocodeAmbiguous, GeocodeDataError
from routing.geocode._io import rd_to_wgs84
from routing.results import Precision

BAG_CSV = """\
postcode,huisnummer,huisletter,huisnummertoevoeging,openbare_ruimte,woonplaats,lat,lon
7555DL,141,,,Geerdinksweg,Hengelo,52.2638,6.7708
7555DL,143,A,,Geerdinksweg,Hengelo,52.2640,6.7712
7555DL,143,A,2,Geerdinksweg,Hengelo,52.2642,6.7714
7555DL,145,,,Geerdinksweg,Hengelo,52.2644,6.7716
7609PP,1,,,Zilvermeeuw,Almelo,52.3384,6.6393
7609PP,1,A,,Zilvermeeuw,Almelo,52.3382,6.6390
"""


@pytest.fixture
def bag(tmp_path):
    path = tmp_path / "bag.csv"
    path.write_text(BAG_CSV, encoding="utf-8")
    return AddressTable(path)


@pytest.mark.parametrize(
    ("query", "lat", "lon", "label"),
    [
        ("7555 DL 141", 52.2638, 6.7708, "Geerdinksweg 141, 7555 DL Hengelo"),
        ("7555dl 141", 52.2638, 6.7708, "Geerdinksweg 141, 7555 DL Hengelo"),
        ("7555 dl 143a", 52.2640, 6.7712, "Geerdinksweg 143A, 7555 DL Hengelo"),
        ("7555DL 143 A-2", 52.2642, 6.7714, "Geerdinksweg 143A-2, 7555 DL Hengelo"),
        ("Geerdinksweg 143A-2, Hengelo", 52.2642, 6.7714, "Geerdinksweg 143A-2, 7555 DL Hengelo"),
        ("Geerdinksweg 141, 7555 DL Hengelo", 52.2638, 6.7708, "Geerdinksweg 141, 7555 DL Hengelo"),
        ("GEERDINKSWEG 145 HENGELO", 52.2644, 6.7716, "Geerdinksweg 145, 7555 DL Hengelo"),
        ("Zilvermeeuw 1a Almelo", 52.3382, 6.6390, "Zilvermeeuw 1A, 7609 PP Almelo"),
    ],
)
def test_exact_addresses(bag, query, lat, lon, label):
    location = bag.geocode(query)
    assert (location.lat, location.lon) == pytest.approx((lat, lon), abs=1e-12)
    assert location.precision is Precision.ADDRESS
    assert location.source == "address-table"
    assert location.label == label


def test_additions_are_matched_exactly(bag):
    # 143 itself is not in the table (only 143A, 143A-2): no ADDRESS, but the postcode is known
    location = bag.geocode("7555 DL 143")
    assert location.precision is Precision.POSTCODE6
    # 141B does not exist: likewise
    assert bag.geocode("7555 DL 141B").precision is Precision.POSTCODE6
    # without a postcode there is nothing to fall back to
    with pytest.raises(GeocodeNotFound):
        bag.geocode("Geerdinksweg 143 Hengelo")


def test_postcode_only_gives_the_centroid_of_its_rows(bag):
    frame = pd.read_csv(io.StringIO(BAG_CSV))
    rows = frame[frame.postcode == "7555DL"]
    for query in ("7555 DL", "7555dl", "7555 DL 999", "Onbekendestraat 3, 7555 DL Hengelo"):
        location = bag.geocode(query)
        assert location.precision is Precision.POSTCODE6
        assert location.lat == pytest.approx(rows.lat.mean())
        assert location.lon == pytest.approx(rows.lon.mean())
        assert location.label == "7555 DL"


def test_unknown_address_is_not_found_without_repeating_it(bag):
    for query in ("Kerkstraat 12, 1234 AB Utrecht", "Geerdinksweg 999 Hengelo", "Hengelo"):
        with pytest.raises(GeocodeNotFound) as caught:
            bag.geocode(query, field="home")
        assert caught.value.field == "home"
        for word in ("Kerkstraat", "1234", "Geerdinksweg", "999", "Hengelo"):
            assert word not in caught.value.message


def test_street_without_town_must_be_unique(tmp_path):
    path = tmp_path / "streets.csv"
    path.write_text(
        "straat,huisnummer,woonplaats,lat,lon\n"
        "Kerkstraat,1,Hengelo,52.26,6.79\n"
        "Kerkstraat,1,Almelo,52.35,6.66\n"
        "Marktstraat,2,Almelo,52.36,6.67\n"
    )
    table = AddressTable(path)
    with pytest.raises(GeocodeAmbiguous) as caught:
        table.geocode("Kerkstraat 1")
    assert "2 towns" in caught.value.message
    assert "Kerkstraat" not in caught.value.message
    assert table.geocode("Kerkstraat 1, Almelo").lat == 52.35
    assert table.geocode("Marktstraat 2").lat == 52.36  # unique without town


def test_rd_new_columns_semicolons_and_decimal_commas(tmp_path):
    to_rd = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
    x, y = to_rd.transform(6.7708, 52.2638)
    path = tmp_path / "rd.csv"
    path.write_text(
        f"Postcode;Huisnummer;X;Y\n7555 DL;141;{x:.3f};{y:.3f}\n".replace(".", ",")
        + "7555 DL;145;bad;1\n",
        encoding="utf-8",
    )
    table = AddressTable(path)
    location = table.geocode("7555DL 141")
    assert location.lat == pytest.approx(52.2638, abs=1e-7)
    assert location.lon == pytest.approx(6.7708, abs=1e-7)
    assert location.label == "7555 DL 141"
    assert table.skipped == (3,)


def test_rd_conversion_matches_the_rdnaptrans_reference_point():
    # RDNAPTRANS2018: RD (155000, 463000), the Amersfoort reference point, lies at
    # 52.15517440 N, 5.38720621 E (ETRS89). pyproj without the correction grid is within ~1 m.
    lat, lon = rd_to_wgs84(np.array([155000.0]), np.array([463000.0]))
    assert lat[0] == pytest.approx(52.15517440, abs=1e-5)
    assert lon[0] == pytest.approx(5.38720621, abs=1e-5)
    lat, lon = rd_to_wgs84(np.array([900000.0]), np.array([463000.0]))  # outside RD: NaN
    assert np.isnan(lat[0]) and np.isnan(lon[0])


def test_full_address_column(tmp_path):
    path = tmp_path / "adressen.csv"
    path.write_text(
        "adres\tlat\tlon\n"
        "Geerdinksweg 141, 7555 DL Hengelo\t52.2638\t6.7708\n"
        "Zilvermeeuw 1A, 7609PP Almelo\t52.3382\t6.6390\n"
        "no address at all\t52.0\t6.0\n"
    )
    table = AddressTable(path)
    assert len(table) == 2
    assert table.skipped == (4,)
    assert table.geocode("7555DL 141").lat == 52.2638
    assert table.geocode("Geerdinksweg 141 Hengelo").lon == 6.7708
    assert table.geocode("zilvermeeuw 1-a, almelo").label == "Zilvermeeuw 1A, 7609PP Almelo"


def test_windows_1252_file(tmp_path):
    path = tmp_path / "cp1252.csv"
    text = "straat;huisnummer;woonplaats;lat;lon\nPrinses Margriëtlaan;7;Zoetermeer;52,06;4,49\n"
    path.write_bytes(text.encode("cp1252"))
    table = AddressTable(path)
    location = table.geocode("Prinses Margrietlaan 7, Zoetermeer")
    assert (location.lat, location.lon) == (52.06, 4.49)
    assert location.label == "Prinses Margriëtlaan 7, Zoetermeer"


def test_rows_in_equal_rows_kept_plus_skipped(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(
        "postcode,huisnummer,lat,lon\n"
        "7555DL,141,52.2638,6.7708\n"  # line 2: fine
        "7555DL,143,,\n"  # line 3: no point
        ",,52.1,6.1\n"  # line 4: no key
        "7555DL,145,95,6.7\n"  # line 5: latitude out of range
        "ABCDEF,1,52.1,6.1\n"  # line 6: not a postcode, no street either
        "7555DL,0,52.2640,6.7710\n"  # line 7: house number 0 -> postcode row only
    )
    table = AddressTable(path)
    assert table.skipped == (3, 4, 5, 6)
    assert len(table) + len(table.skipped) == 6
    assert table.geocode("7555 DL 141").precision is Precision.ADDRESS
    centre = table.geocode("7555 DL")
    assert centre.lat == pytest.approx((52.2638 + 52.2640) / 2)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("postcode,huisnummer\n7555DL,141\n", "coordinate columns"),
        ("lat,lon\n52.1,6.1\n", "'postcode' and 'huisnummer'"),
        ("postcode,huisnummer,lat,lon\n7555DL,141,,\n", "no usable row"),
    ],
)
def test_unusable_tables_are_clear_errors(tmp_path, content, words):
    path = tmp_path / "t.csv"
    path.write_text(content)
    with pytest.raises(GeocodeDataError) as caught:
        AddressTable(path)
    assert words in caught.value.message
    assert caught.value.field == "address_table"
    assert "7555" not in caught.value.message


def test_data_frame_with_missing_values():
    frame = pd.DataFrame(
        {
            "postcode": ["7555DL", "7555DL", None],
            "huisnummer": [141, 143, 1],
            "huisletter": [None, "A", None],
            "lat": [52.2638, 52.2640, None],
            "lon": [6.7708, 6.7712, 6.0],
        }
    )
    table = AddressTable(frame)
    assert table.skipped == (4,)
    assert table.geocode("7555 DL 141").lat == 52.2638  # not "141NAN"
    assert table.geocode("7555 DL 143A").lat == 52.2640


def test_missing_file(tmp_path):
    with pytest.raises(GeocodeDataError) as caught:
        AddressTable(tmp_path / "absent.csv")
    assert "does not exist" in caught.value.message


def test_suggest_by_street_and_by_postcode(bag):
    labels = [s.label for s in bag.suggest("geerdinksweg 14", 10)]
    assert labels == [
        "Geerdinksweg 141, 7555 DL Hengelo",
        "Geerdinksweg 143A-2, 7555 DL Hengelo",
        "Geerdinksweg 143A, 7555 DL Hengelo",
        "Geerdinksweg 145, 7555 DL Hengelo",
    ]
    assert [s.label for s in bag.suggest("7609 p", 10)] == [
        "Zilvermeeuw 1, 7609 PP Almelo",
        "Zilvermeeuw 1A, 7609 PP Almelo",
    ]
    assert len(bag.suggest("7555 DL 1", 2)) == 2
    assert bag.suggest("", 5) == [] and bag.suggest("xyz", 5) == [] and bag.suggest("g", 0) == []


def test_suggestions_round_trip(bag):
    for prefix in ("g", "z", "7", "75", "7555 d", "Geerdinksweg 143"):
        for suggestion in bag.suggest(prefix, 20):
            assert bag.geocode(suggestion.label) == suggestion


# --- property: any table row is found again, whatever way its address is written ----------------

rows = st.lists(
    st.tuples(
        st.integers(1000, 9999),
        st.sampled_from(["AB", "DL", "PP", "XZ"]),
        st.integers(1, 400),
        st.sampled_from(["", "A", "B"]),
        st.sampled_from(["", "1", "2"]),
    ),
    min_size=1,
    max_size=25,
    unique_by=lambda r: (r[0], r[1], r[2], r[3] + r[4]),
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(rows, st.randoms(use_true_random=False))
def test_every_row_is_found_exactly(data, rnd):
    frame = pd.DataFrame(
        {
            "postcode": [f"{a} {b}" for a, b, *_ in data],
            "huisnummer": [str(r[2]) for r in data],
            "huisletter": [r[3] for r in data],
            "toevoeging": [r[4] for r in data],
            "lat": [str(50.8 + i * 0.01) for i in range(len(data))],
            "lon": [str(3.5 + i * 0.01) for i in range(len(data))],
        }
    )
    table = AddressTable(frame)
    assert len(table) == len(data) and table.skipped == ()
    for i, (digits, letters, number, letter, toevoeging) in enumerate(data):
        code = f"{digits}{letters}" if rnd.random() < 0.5 else f"{digits} {letters.lower()}"
        house = f"{number}{letter.lower() if rnd.random() < 0.5 else letter}"
        if toevoeging:
            house += rnd.choice(["-", "/", " - "]) + toevoeging
        location = table.geocode(f"{code} {house}")
        assert location.precision is Precision.ADDRESS
        assert (location.lat, location.lon) == (50.8 + i * 0.01, 3.5 + i * 0.01)


@given(st.text(alphabet=st.characters(max_codepoint=0x24F, exclude_categories=["Cs"]), max_size=40))
def test_vectorised_suggest_keys_equal_the_scalar_ones(text):
    from routing.geocode.table import _suggest_keys

    assert _suggest_keys(pd.Series([text])).iloc[0] == AddressTable._suggest_key(text)
