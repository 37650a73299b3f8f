"""The chain of providers and the default geocoder (offline; PDOK: test_geocode_online)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing import settings
from routing.errors import GeocodeNotFound, InvalidQuery
from routing.geocode import (
    AddressTable,
    GeocodeAmbiguous,
    Geocoder,
    GeocoderChain,
    HospitalGeocoder,
    PC4Geocoder,
    build_geocoder,
)
from routing.geocode.base import PRECISION_RANK, more_precise
from routing.results import Location, Precision
from tests.conftest import shared_path

SMALL_HOSPITALS = Path(__file__).parent / "fixtures" / "geocode" / "hospitals_small.geojson"


class Stub(Geocoder):
    """A provider with a fixed answer (or none) that counts its calls."""

    def __init__(self, name: str, answer: Precision | None, best: Precision | None = None):
        self.source = name  # type: ignore[misc]
        self.answer = answer
        self.best_precision = best or answer or Precision.POSTCODE4  # type: ignore[misc]
        self.calls = 0

    def _geocode(self, text: str, field: str) -> Location:
        self.calls += 1
        if self.answer is None:
            raise GeocodeNotFound("no", field=field)
        return Location(52.0, 6.0, self.answer, self.source)


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "bag.csv"
    path.write_text(
        "postcode,huisnummer,straat,woonplaats,lat,lon\n"
        "7555DL,141,Geerdinksweg,Hengelo,52.26381,6.77081\n"
        "7555DL,145,Geerdinksweg,Hengelo,52.2644,6.7716\n"
        "7514AB,10,Oude Markt,Enschede,52.2195,6.8937\n"
    )
    return AddressTable(path)


@pytest.fixture
def full(table, monkeypatch):
    monkeypatch.setattr(settings, "online_geocoding", False)
    return build_geocoder(
        address_table=table,
        pc4=shared_path("geo", "pc4.geojson"),
        hospitals=SMALL_HOSPITALS,
    )


@pytest.mark.shared
def test_default_order(full):
    assert [p.source for p in full.providers] == [
        "coordinates",
        "hospitals",
        "address-table",
        "pc4",
    ]
    assert full.best_precision is Precision.POINT


@pytest.mark.shared
@pytest.mark.parametrize(
    ("query", "source", "precision"),
    [
        ("52.2638,6.7708", "coordinates", Precision.POINT),
        ("ZGT Hengelo", "hospitals", Precision.ADDRESS),
        ("Geerdinksweg 141, 7555 DL Hengelo", "hospitals", Precision.ADDRESS),  # its address
        ("Geerdinksweg 145 Hengelo", "address-table", Precision.ADDRESS),
        ("7514 AB 10", "address-table", Precision.ADDRESS),
        ("7555 DL 999", "address-table", Precision.POSTCODE6),
        ("7555 DL", "address-table", Precision.POSTCODE6),
        ("7556 AA 3", "pc4", Precision.POSTCODE4),
        ("7555", "pc4", Precision.POSTCODE4),
        ("Kerkstraat 3, 7555 Hengelo", "pc4", Precision.POSTCODE4),
    ],
)
def test_each_query_goes_to_the_right_provider(full, query, source, precision):
    location = full.geocode(query)
    assert (location.source, location.precision) == (source, precision)


@pytest.mark.shared
def test_errors_other_than_not_found_stop_the_chain(full):
    with pytest.raises(GeocodeAmbiguous):
        full.geocode("ZGT")
    with pytest.raises(InvalidQuery):
        full.geocode("52,2638,6,7708")


@pytest.mark.shared
def test_not_found_names_the_providers_but_not_the_query(full):
    with pytest.raises(GeocodeNotFound) as caught:
        full.geocode("Kerkstraat 3 Utrecht", field="home")
    message = caught.value.message
    assert caught.value.field == "home"
    assert "coordinates, hospitals, address-table, pc4" in message
    assert "Kerkstraat" not in message and "Utrecht" not in message


@pytest.mark.shared
def test_suggest_merges_hospitals_then_the_table(full):
    labels = [s.label for s in full.suggest("Geerdinksweg", 5)]
    assert labels == ["Geerdinksweg 141, 7555 DL Hengelo", "Geerdinksweg 145, 7555 DL Hengelo"]
    labels = [s.label for s in full.suggest("zgt", 5)]
    assert labels == ["ZGT Hengelo", "Ziekenhuisgroep Twente Almelo"]
    assert len(full.suggest("z", 1)) == 1


def test_skips_providers_that_cannot_do_better():
    table = Stub("table", Precision.POSTCODE6, best=Precision.ADDRESS)
    online = Stub("online", None, best=Precision.ADDRESS)
    pc4 = Stub("pc4", Precision.POSTCODE4)
    chain = GeocoderChain([Stub("coordinates", None, best=Precision.POINT), table, online, pc4])
    location = chain.geocode("7555 DL 999")
    assert (location.source, location.precision) == ("table", Precision.POSTCODE6)
    assert (table.calls, online.calls, pc4.calls) == (1, 1, 0)


def test_an_exact_answer_ends_the_search():
    first = Stub("first", Precision.ADDRESS)
    second = Stub("second", Precision.ADDRESS)
    assert GeocoderChain([first, second]).geocode("x").source == "first"
    assert second.calls == 0


outcomes = st.lists(
    st.tuples(st.sampled_from([None, *Precision]), st.sampled_from(list(Precision))),
    min_size=1,
    max_size=6,
)


@given(outcomes)
def test_the_most_precise_answer_wins_and_the_earliest_on_a_tie(specs):
    stubs = []
    for i, (answer, best) in enumerate(specs):
        # a provider never answers more precisely than its best_precision says
        if answer is not None and more_precise(answer, best):
            best = answer
        stubs.append(Stub(f"p{i}", answer, best))
    chain = GeocoderChain(stubs)
    answers = [(PRECISION_RANK[s.answer], i) for i, s in enumerate(stubs) if s.answer is not None]
    if not answers:
        with pytest.raises(GeocodeNotFound):
            chain.geocode("query")
        return
    rank, index = min(answers)
    location = chain.geocode("query")
    assert location.source == f"p{index}"
    assert PRECISION_RANK[location.precision] == rank


def test_empty_chain_is_refused():
    with pytest.raises(ValueError):
        GeocoderChain([])


def test_build_geocoder_with_nothing_is_coordinates_only(monkeypatch):
    monkeypatch.setattr(settings, "online_geocoding", False)
    geocoder = build_geocoder()
    assert [p.source for p in geocoder.providers] == ["coordinates"]
    assert geocoder.geocode("52.2638, 6.7708").precision is Precision.POINT


def test_build_geocoder_accepts_built_providers_and_online_false(monkeypatch, table):
    monkeypatch.setattr(settings, "online_geocoding", True)
    hospitals = HospitalGeocoder(SMALL_HOSPITALS)
    geocoder = build_geocoder(address_table=table, hospitals=hospitals, online=False)
    assert geocoder.providers[1] is hospitals and geocoder.providers[2] is table
    assert [p.source for p in geocoder.providers] == ["coordinates", "hospitals", "address-table"]


@pytest.mark.shared
def test_build_geocoder_loads_paths(monkeypatch):
    monkeypatch.setattr(settings, "online_geocoding", False)
    geocoder = build_geocoder(pc4=shared_path("geo", "pc4.geojson"))
    assert isinstance(geocoder.providers[-1], PC4Geocoder)
