"""Hospital locations by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from routing.errors import GeocodeNotFound
from routing.geocode import GeocodeAmbiguous, GeocodeDataError, HospitalGeocoder
from routing.results import Precision
from tests.conftest import shared_path

SMALL = Path(__file__).parent / "fixtures" / "geocode" / "hospitals_small.geojson"


@pytest.fixture(scope="module")
def small():
    return HospitalGeocoder(SMALL)


@pytest.fixture(scope="module")
def shared():
    return HospitalGeocoder(shared_path("geo", "hospitals.json"))


@pytest.fixture
def shared_plus_small(tmp_path):
    """The shared list with the small fixture's locations appended (written per test)."""
    data = json.loads(shared_path("geo", "hospitals.json").read_text(encoding="utf-8"))
    extra = json.loads(SMALL.read_text(encoding="utf-8"))["features"]
    data["features"] += [
        f for f in extra if f["properties"]["locatie"] != "Ziekenhuisgroep Twente Almelo"
    ]
    path = tmp_path / "hospitals.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return HospitalGeocoder(path)


@pytest.mark.parametrize(
    "query",
    [
        "ZGT Hengelo",
        "zgt hengelo",
        "  ZGT   Hengelo ",
        "Ziekenhuisgroep Twente Hengelo",
        "ziekenhuisgroep twente, hengelo",
        "Ziekenhuis Hengelo",
        "ZGT locatie Hengelo",
        "Geerdinksweg 141, 7555 DL Hengelo",  # its street address
        "7555DL 141",
    ],
)
def test_zgt_hengelo(small, query):
    location = small.geocode(query)
    assert (location.lat, location.lon) == (52.2638, 6.7708)
    assert location.precision is Precision.ADDRESS
    assert location.source == "hospitals"
    assert location.label == "ZGT Hengelo"


@pytest.mark.parametrize(
    "query", ["Spijkenisse Medisch Centrum", "spijkenisse medisch centrum", "SMC Spijkenisse"]
)
def test_spijkenisse(small, query):
    location = small.geocode(query)
    assert (location.lat, location.lon) == (51.8465, 4.3379)


def test_organisation_with_two_locations_is_ambiguous(small):
    for query in ("ZGT", "Ziekenhuisgroep Twente"):
        with pytest.raises(GeocodeAmbiguous) as caught:
            small.geocode(query, field="treatment")
        error = caught.value
        assert error.field == "treatment"
        assert set(error.candidates) == {
            "ZGT Hengelo (Hengelo)",
            "Ziekenhuisgroep Twente Almelo (Almelo)",
        }
        assert "ZGT Hengelo" in error.message and "Almelo" in error.message


@pytest.mark.parametrize(
    "query", ["Hengelo", "Almelo", "Kerkstraat 5 Hengelo", "Enschede", "7555 DL 143"]
)
def test_towns_and_other_addresses_are_not_hospitals(small, query):
    with pytest.raises(GeocodeNotFound) as caught:
        small.geocode(query)
    assert "Kerkstraat" not in caught.value.message


@pytest.mark.shared
def test_zgt_hengelo_is_not_in_the_shared_list_and_never_becomes_almelo(shared):
    # the shared list (2019, emergency departments) has ZGT Almelo but not ZGT Hengelo
    assert shared.geocode("ZGT Almelo").label == "Ziekenhuisgroep Twente Almelo"
    with pytest.raises(GeocodeNotFound):
        shared.geocode("ZGT Hengelo")
    with pytest.raises(GeocodeNotFound):
        shared.geocode("Spijkenisse Medisch Centrum")


@pytest.mark.shared
def test_shared_list_with_hengelo_added(shared_plus_small):
    assert shared_plus_small.geocode("ZGT Hengelo").lat == 52.2638
    assert shared_plus_small.geocode("ZGT Almelo").lat == pytest.approx(52.33841525)
    assert shared_plus_small.geocode("Spijkenisse Medisch Centrum").lon == 4.3379
    with pytest.raises(GeocodeAmbiguous) as caught:
        shared_plus_small.geocode("Ziekenhuisgroep Twente")
    assert len(caught.value.candidates) == 2


@pytest.mark.shared
@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("Máxima Medisch Centrum", "Máxima Medisch Centrum Veldhoven"),
        ("maxima mc veldhoven", "Máxima Medisch Centrum Veldhoven"),
        ("Ropcke-Zweers", "Röpcke Zweers Ziekenhuis Hardenberg"),
        ("Radboud UMC", "Radboudumc Nijmegen"),
        ("UMC Utrecht", "Universitair Medisch Centrum Utrecht"),
        ("Erasmus MC", "Erasmus Medisch Centrum Rotterdam"),
        ("St. Antonius Utrecht", "St. Antonius Ziekenhuis Utrecht"),
        ("Sint Antonius Ziekenhuis Utrecht", "St. Antonius Ziekenhuis Utrecht"),
        ("HMC Westeinde", "HMC Westeinde Den Haag"),
        ("Haga Ziekenhuis Den Haag", "Haga Ziekenhuis locatie Leyweg Den Haag"),
        ("Jeroen Bosch Ziekenhuis Den Bosch", "Jeroen Bosch Ziekenhuis 's-Hertogenbosch"),
        ("MST", "MST Enschede"),
        ("Medisch Spectrum Twente", "MST Enschede"),
        ("Dijklander Ziekenhuis", "Dijklander Ziekenhuis"),  # its own name, not "... Hoorn"
        ("P. Debyelaan 25, 6229 HX Maastricht", "Academisch Ziekenhuis Maastricht"),
        ("Isala Zwolle", "Isala Zwolle"),
    ],
)
def test_names_in_the_shared_list(shared, query, label):
    assert shared.geocode(query).label == label


@pytest.mark.shared
@pytest.mark.parametrize(
    ("query", "count"), [("Isala", 2), ("Amphia", 2), ("Ziekenhuis Amsterdam", 5)]
)
def test_ambiguous_names_in_the_shared_list(shared, query, count):
    with pytest.raises(GeocodeAmbiguous) as caught:
        shared.geocode(query)
    assert len(caught.value.candidates) == count
    for candidate in caught.value.candidates:
        assert candidate.split(" (")[0] in caught.value.message


@pytest.mark.shared
def test_every_label_in_the_shared_list_geocodes_to_its_own_location(shared):
    for hospital in shared.hospitals:
        location = shared.geocode(hospital.label)
        assert (location.lat, location.lon) == (hospital.lat, hospital.lon), hospital.label


@pytest.mark.shared
def test_suggest(shared):
    assert [s.label for s in shared.suggest("isa")] == [
        "Isala Diaconessenhuis Meppel",
        "Isala Zwolle",
    ]
    assert [s.label for s in shared.suggest("ZGT")] == ["Ziekenhuisgroep Twente Almelo"]
    assert [s.label for s in shared.suggest("maxi")] == ["Máxima Medisch Centrum Veldhoven"]
    assert len(shared.suggest("ziekenhuis", 7)) == 7
    assert shared.suggest("", 5) == [] and shared.suggest("qqq", 5) == []
    # labels that start with the prefix come first
    assert shared.suggest("St. An", 3)[0].label.startswith("St. An")


@pytest.mark.shared
@pytest.mark.parametrize("prefix", ["a", "z", "umc", "st", "Spaarne G", "ziekenhuis a", "zgt al"])
def test_suggestions_round_trip(shared, prefix):
    suggestions = shared.suggest(prefix, 50)
    assert suggestions
    for suggestion in suggestions:
        assert shared.geocode(suggestion.label) == suggestion


def test_csv_locations(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(
        "organisation;name;town;lat;lon\n"
        "Ziekenhuisgroep Twente;ZGT Hengelo;Hengelo;52,2638;6,7708\n"
        "Broken;No point;Nowhere;;\n"
    )
    geocoder = HospitalGeocoder(path)
    assert len(geocoder) == 1
    assert geocoder.geocode("zgt hengelo").lon == 6.7708


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("not json", "not readable JSON"),
        ('{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": []}', "no location"),
    ],
)
def test_bad_files(tmp_path, content, words):
    path = tmp_path / "h.json"
    path.write_text(content)
    with pytest.raises(GeocodeDataError) as caught:
        HospitalGeocoder(path)
    assert words in caught.value.message
