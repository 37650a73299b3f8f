"""PDOK and Nominatim clients, run unchanged against a local replay server on 127.0.0.1.

The server (started per test) answers with hand-made responses in the services' documented
formats (tests/routing/fixtures/geocode) and records every request it receives, so the tests can
check what left "this machine": nothing without opt-in, nothing twice, and never faster than the
rate limit.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from routing import settings
from routing.errors import GeocodeDisabled, GeocodeNotFound, GeocodeServiceError
from routing.geocode import (
    AddressTable,
    DiskCache,
    GeocodeCache,
    NominatimGeocoder,
    PDOKGeocoder,
    build_geocoder,
)
from routing.results import Precision

FIXTURES = Path(__file__).parent / "fixtures" / "geocode"
EMPTY_PDOK = {"response": {"numFound": 0, "start": 0, "maxScore": 0.0, "docs": []}}

ADDRESS = "Geerdinksweg 141, 7555 DL Hengelo"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass
class Seen:
    """One request as the server received it."""

    at: float
    path: str
    params: dict[str, str]
    headers: dict[str, str]


Reply = tuple[int, bytes, float]  # status, body, seconds to wait before answering


@dataclass
class ReplayServer:
    """A local HTTP server that answers from a routing function and records requests."""

    route: Callable[[str, dict[str, str]], Reply] = lambda path, params: (404, b"{}", 0.0)
    requests: list[Seen] = field(default_factory=list)
    url: str = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                server.requests.append(
                    Seen(time.monotonic(), parts.path, params, dict(self.headers.items()))
                )
                status, body, delay = server.route(parts.path, params)
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args: object) -> None:  # keep test output quiet
                return

        return Handler


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    replay = ReplayServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), replay.handler())
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    replay.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield replay
    finally:
        httpd.shutdown()
        httpd.server_close()


PDOK_ANSWERS = {
    ADDRESS: "pdok_geerdinksweg_141.json",
    "7555DL 141": "pdok_geerdinksweg_141.json",
    "Geerdinksweg 999, 7555 DL Hengelo": "pdok_geerdinksweg_141.json",
    "7555 DL": "pdok_postcode_7555dl.json",
    "Zilvermeeuw 1A, 7609 PP Almelo": "pdok_zilvermeeuw_1.json",
    "Zilvermeeuw 1B, 7609 PP Almelo": "pdok_zilvermeeuw_1.json",
}


def pdok_route(path: str, params: dict[str, str]) -> Reply:
    if path != "/free":
        return 404, b'{"message": "not found"}', 0.0
    name = PDOK_ANSWERS.get(params.get("q", ""))
    return 200, fixture(name) if name else json.dumps(EMPTY_PDOK).encode(), 0.0


NOMINATIM_ANSWERS = {
    ADDRESS: "nominatim_geerdinksweg_141.json",
    "ZGT Hengelo": "nominatim_geerdinksweg_141.json",
    "Geerdinksweg 143, 7555 DL Hengelo": "nominatim_geerdinksweg_141.json",
    "Geerdinksweg, Hengelo": "nominatim_street_only.json",
    "Geerdinksweg 141 Hengelo": "nominatim_street_only.json",
}


def nominatim_route(path: str, params: dict[str, str]) -> Reply:
    if path != "/search":
        return 404, b"{}", 0.0
    name = NOMINATIM_ANSWERS.get(params.get("q", ""))
    return 200, fixture(name) if name else b"[]", 0.0


@pytest.fixture
def pdok(server: ReplayServer) -> PDOKGeocoder:
    server.route = pdok_route
    return PDOKGeocoder(server.url, online=True, min_delay_seconds=0)


@pytest.fixture
def nominatim(server: ReplayServer) -> NominatimGeocoder:
    server.route = nominatim_route
    return NominatimGeocoder(server.url, online=True, min_delay_seconds=0)


# --- PDOK ---------------------------------------------------------------------------------------


def test_pdok_address(server, pdok):
    location = pdok.geocode(ADDRESS)
    assert (location.lat, location.lon) == (52.2638, 6.7708)
    assert location.precision is Precision.ADDRESS
    assert location.source == "pdok"
    assert location.label == "Geerdinksweg 141, 7555DL Hengelo"
    (seen,) = server.requests
    assert seen.path == "/free"
    assert seen.params["q"] == ADDRESS
    assert seen.params["fq"] == "type:(adres OR postcode)"
    assert "centroide_ll" in seen.params["fl"]
    assert seen.headers["User-Agent"] == settings.user_agent


def test_pdok_postcode(pdok):
    location = pdok.geocode("7555 DL")
    assert location.precision is Precision.POSTCODE6
    assert (location.lat, location.lon) == (52.2641, 6.7712)
    assert location.label == "7555 DL"


def test_pdok_answers_must_agree_with_the_query(server, pdok):
    # PDOK's best guess for an unknown number is another address: only the postcode agrees
    location = pdok.geocode("Geerdinksweg 999, 7555 DL Hengelo")
    assert location.precision is Precision.POSTCODE6
    # the lower-scored document with the right letter is taken over the best-scored one
    letter = pdok.geocode("Zilvermeeuw 1A, 7609 PP Almelo")
    assert (letter.lat, letter.lon) == (52.3382, 6.6390)
    assert letter.label == "Zilvermeeuw 1A, 7609PP Almelo"
    with pytest.raises(GeocodeNotFound) as caught:
        pdok.geocode("Zilvermeeuw 1B, 7609 PP Almelo")
    assert "Zilvermeeuw" not in caught.value.message
    assert len(server.requests) == 3


def test_pdok_is_not_asked_what_it_cannot_answer(server, pdok):
    for query in ("Hengelo", "ZGT Hengelo", "Geerdinksweg"):
        with pytest.raises(GeocodeNotFound):
            pdok.geocode(query)
    assert server.requests == []


# --- opt-in -------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [PDOKGeocoder, NominatimGeocoder])
def test_opt_out_sends_nothing(server, monkeypatch, make):
    server.route = lambda path, params: (200, b"[]", 0.0)
    monkeypatch.setattr(settings, "online_geocoding", False)
    follows_setting = make(server.url, min_delay_seconds=0)
    with pytest.raises(GeocodeDisabled) as caught:
        follows_setting.geocode(ADDRESS, field="home")
    assert caught.value.field == "home"
    assert caught.value.code == "GeocodeDisabled"
    assert "Geerdinksweg" not in caught.value.message and "7555" not in caught.value.message
    assert "ZIEKENVERVOER_ONLINE_GEOCODING" in caught.value.message
    # an explicit online=False wins over the setting
    monkeypatch.setattr(settings, "online_geocoding", True)
    with pytest.raises(GeocodeDisabled):
        make(server.url, online=False, min_delay_seconds=0).geocode(ADDRESS)
    assert server.requests == []
    # the setting is read at each call
    monkeypatch.setattr(settings, "online_geocoding", False)
    with pytest.raises(GeocodeDisabled):
        follows_setting.geocode(ADDRESS)
    assert server.requests == []


def test_opt_in_by_setting(server, monkeypatch):
    server.route = pdok_route
    monkeypatch.setattr(settings, "online_geocoding", True)
    assert PDOKGeocoder(server.url, min_delay_seconds=0).geocode(ADDRESS).lat == 52.2638
    assert len(server.requests) == 1


def test_opt_out_is_checked_before_the_cache(server, pdok, monkeypatch):
    pdok.geocode(ADDRESS)
    pdok._online = None  # now follow the setting, which is off
    monkeypatch.setattr(settings, "online_geocoding", False)
    with pytest.raises(GeocodeDisabled):
        pdok.geocode(ADDRESS)


# --- rate limiting ------------------------------------------------------------------------------


def _gaps(server: ReplayServer) -> list[float]:
    times = [seen.at for seen in server.requests]
    return [b - a for a, b in itertools.pairwise(times)]


def test_pdok_requests_are_spaced(server):
    server.route = pdok_route
    geocoder = PDOKGeocoder(server.url, online=True, min_delay_seconds=0.3, cache=False)
    other = PDOKGeocoder(server.url, online=True, min_delay_seconds=0.3, cache=False)
    for query in (ADDRESS, "7555 DL", "7555DL 141"):
        geocoder.geocode(query)
    other.geocode(ADDRESS)  # a second instance shares the limiter of that host
    gaps = _gaps(server)
    assert len(gaps) == 3
    assert min(gaps) >= 0.3 - 0.02, gaps


def test_nominatim_allows_one_request_per_second(server):
    server.route = nominatim_route
    geocoder = NominatimGeocoder(server.url, online=True, cache=False)
    assert geocoder.min_delay_seconds == 1.0
    geocoder.geocode(ADDRESS)
    geocoder.geocode("ZGT Hengelo")
    (gap,) = _gaps(server)
    assert gap >= 1.0 - 0.02


def test_public_nominatim_is_never_asked_faster_than_once_a_second():
    geocoder = NominatimGeocoder(
        "https://nominatim.openstreetmap.org/", online=True, min_delay_seconds=0.1
    )
    assert geocoder.min_delay_seconds == 1.0


# --- caching ------------------------------------------------------------------------------------


def test_cache_hit_sends_no_second_request(server, pdok):
    first = pdok.geocode("7555DL 141")
    assert pdok.geocode("7555DL 141") == first
    assert pdok.geocode("7555dl  141") == first  # same normalised query
    assert len(server.requests) == 1
    no_cache = PDOKGeocoder(server.url, online=True, min_delay_seconds=0, cache=False)
    no_cache.geocode("7555DL 141")
    no_cache.geocode("7555DL 141")
    assert len(server.requests) == 3


def test_disk_cache_keeps_no_address_text(server, tmp_path):
    server.route = pdok_route
    path = tmp_path / "cache" / "geocode.sqlite"
    first = PDOKGeocoder(
        server.url, online=True, min_delay_seconds=0, cache=GeocodeCache(disk=path)
    )
    fresh = first.geocode(ADDRESS)
    assert fresh.label is not None
    first.cache.disk.close()
    # a new process: empty memory, same disk cache
    again = PDOKGeocoder(
        server.url, online=True, min_delay_seconds=0, cache=GeocodeCache(disk=path)
    )
    cached = again.geocode(ADDRESS)
    assert len(server.requests) == 1
    assert (cached.lat, cached.lon, cached.precision) == (fresh.lat, fresh.lon, fresh.precision)
    assert cached.label is None  # labels repeat the address: never written to disk
    again.cache.disk.close()
    raw = path.read_bytes()
    for text in ("Geerdinksweg", "geerdinksweg", "7555", "Hengelo", "hengelo"):
        assert text.encode() not in raw
    with sqlite3.connect(path) as db:
        (key,) = db.execute("SELECT key FROM geocode").fetchone()
    assert len(key) == 64 and int(key, 16) >= 0  # hex HMAC-SHA-256
    secret = path.with_suffix(".key")
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    # another secret cannot look the entry up
    other = DiskCache(path, secret=b"x" * 32)
    assert other.get(again.cache_key(ADDRESS)) is None
    assert DiskCache(path).get(again.cache_key(ADDRESS)) is not None


def test_disk_cache_max_age(tmp_path):
    from routing.results import Location

    cache = DiskCache(tmp_path / "c.sqlite", max_age_days=0)
    cache.put("k", Location(52.0, 6.0))
    time.sleep(0.01)
    assert cache.get("k") is None
    assert DiskCache(tmp_path / "c.sqlite").get("k") == Location(52.0, 6.0)


def test_errors_are_not_cached(server):
    calls = {"n": 0}

    def flaky(path: str, params: dict[str, str]) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            return 500, b'{"error": "internal"}', 0.0
        return pdok_route(path, params)

    server.route = flaky
    geocoder = PDOKGeocoder(server.url, online=True, min_delay_seconds=0)
    with pytest.raises(GeocodeServiceError):
        geocoder.geocode(ADDRESS)
    assert geocoder.geocode(ADDRESS).precision is Precision.ADDRESS
    assert len(server.requests) == 2


# --- service failures ---------------------------------------------------------------------------


@pytest.mark.parametrize("make", [PDOKGeocoder, NominatimGeocoder])
@pytest.mark.parametrize(
    ("reply", "words"),
    [
        ((500, b'{"error": "Geerdinksweg 141"}', 0.0), ("HTTP 500", "GeocoderServiceError")),
        ((429, b"{}", 0.0), ("too many requests",)),
        ((200, b"<html>not json</html>", 0.0), ("not the expected JSON", "GeocoderParseError")),
        ((200, b"{}", 1.0), ("did not answer within 0.2 s",)),
    ],
)
def test_service_failures(server, make, reply, words):
    server.route = lambda path, params: reply
    geocoder = make(server.url, online=True, min_delay_seconds=0, timeout=0.2)
    with pytest.raises(GeocodeServiceError) as caught:
        geocoder.geocode(ADDRESS, field="home")
    error = caught.value
    assert any(w in error.message for w in words), error.message
    assert error.field == "home"
    assert "Geerdinksweg" not in error.message and "7555" not in error.message
    # no chained exception carrying the URL
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__
    assert len(server.requests) == 1


@pytest.mark.parametrize("make", [PDOKGeocoder, NominatimGeocoder])
def test_unreachable_service(make):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    geocoder = make(f"http://127.0.0.1:{port}", online=True, min_delay_seconds=0, timeout=2)
    with pytest.raises(GeocodeServiceError) as caught:
        geocoder.geocode(ADDRESS)
    assert "Geerdinksweg" not in caught.value.message


# --- Nominatim ----------------------------------------------------------------------------------


def test_nominatim_address(server, nominatim):
    location = nominatim.geocode(ADDRESS)
    assert (location.lat, location.lon) == (52.2638, 6.7708)
    assert location.precision is Precision.ADDRESS
    assert location.source == "nominatim"
    (seen,) = server.requests
    assert seen.path == "/search"
    assert seen.params["q"] == ADDRESS
    assert seen.params["format"] == "json"
    assert seen.params["addressdetails"] == "1"
    assert seen.params["countrycodes"] == "nl"
    assert seen.headers["User-Agent"] == settings.user_agent


def test_nominatim_named_place(nominatim):
    location = nominatim.geocode("ZGT Hengelo")
    assert location.precision is Precision.ADDRESS
    assert location.label == "ZGT Hengelo"


@pytest.mark.parametrize(
    "query",
    [
        "Geerdinksweg, Hengelo",  # only a street comes back
        "Geerdinksweg 141 Hengelo",  # a street instead of the address
        "Geerdinksweg 143, 7555 DL Hengelo",  # another house number comes back
        "Kerkstraat 1, 1234 AB Nergenshuizen",  # nothing comes back
    ],
)
def test_nominatim_rejects_imprecise_or_other_places(nominatim, query):
    with pytest.raises(GeocodeNotFound) as caught:
        nominatim.geocode(query)
    assert "Kerkstraat" not in caught.value.message and "Geerdinksweg" not in caught.value.message


# --- logs ---------------------------------------------------------------------------------------


def test_no_query_text_in_logs(server, caplog):
    secret_street = "Geheimstraat"
    query = f"{secret_street} 7, 7555 DL Hengelo"

    def echo(path: str, params: dict[str, str]) -> Reply:
        # a service that echoes the query in an error body (geopy logs such bodies at INFO)
        return 500, json.dumps({"error": f"bad query {params.get('q')}"}).encode(), 0.0

    server.route = echo
    caplog.set_level(logging.DEBUG)
    for make in (PDOKGeocoder, NominatimGeocoder):
        with pytest.raises(GeocodeServiceError):
            make(server.url, online=True, min_delay_seconds=0).geocode(query)
    server.route = lambda path, params: (200, b"[]", 0.0)
    with pytest.raises(GeocodeNotFound):
        NominatimGeocoder(server.url, online=True, min_delay_seconds=0).geocode(query)
    assert len(server.requests) == 3
    assert caplog.records  # urllib3 and geopy did log, redacted
    text = caplog.text + "".join(str(r.exc_text or "") for r in caplog.records)
    for piece in (secret_street, secret_street.lower(), "7555"):
        assert piece not in text


# --- the default chain with PDOK ----------------------------------------------------------------


@pytest.fixture
def small_table(tmp_path):
    path = tmp_path / "bag.csv"
    path.write_text(
        "postcode,huisnummer,lat,lon\n7555DL,141,52.26381,6.77081\n7555DL,145,52.2644,6.7716\n"
    )
    return AddressTable(path)


def test_chain_asks_pdok_only_when_the_table_has_no_exact_address(server, monkeypatch, small_table):
    server.route = pdok_route
    monkeypatch.setattr(settings, "pdok_url", server.url)
    geocoder = build_geocoder(address_table=small_table, online=True)
    sources = [p.source for p in geocoder.providers]
    assert sources == ["coordinates", "address-table", "pdok"]
    # exact in the table: PDOK is not asked
    assert geocoder.geocode("7555DL 145").source == "address-table"
    assert server.requests == []
    # the table knows only the postcode: PDOK's exact address is more precise
    geocoder.providers[1]._by_postcode.pop(("7555DL", 141, ""))
    location = geocoder.geocode("7555DL 141")
    assert (location.source, location.precision) == ("pdok", Precision.ADDRESS)
    assert len(server.requests) == 1
    # PDOK does not know it either: the table's postcode centroid stands
    location = geocoder.geocode("7555 DL 999")
    assert (location.source, location.precision) == ("address-table", Precision.POSTCODE6)


def test_chain_without_opt_in_has_no_online_provider(server, monkeypatch, small_table):
    monkeypatch.setattr(settings, "pdok_url", server.url)
    monkeypatch.setattr(settings, "online_geocoding", False)
    geocoder = build_geocoder(address_table=small_table)
    assert [p.source for p in geocoder.providers] == ["coordinates", "address-table"]
    with pytest.raises(GeocodeNotFound):
        geocoder.geocode("Kerkstraat 1, 1234 AB Utrecht")
    assert server.requests == []


def test_chain_skips_pdok_when_the_setting_is_turned_off(server, monkeypatch, small_table):
    server.route = pdok_route
    monkeypatch.setattr(settings, "pdok_url", server.url)
    monkeypatch.setattr(settings, "online_geocoding", True)
    geocoder = build_geocoder(address_table=small_table)
    assert [p.source for p in geocoder.providers] == ["coordinates", "address-table", "pdok"]
    monkeypatch.setattr(settings, "online_geocoding", False)
    with pytest.raises(GeocodeNotFound) as caught:
        geocoder.geocode("Kerkstraat 1, 1234 AB Utrecht")
    assert "Online geocoding (PDOK Locatieserver) is off" in caught.value.message
    assert server.requests == []


def test_chain_passes_service_errors_on(server, monkeypatch, small_table):
    server.route = lambda path, params: (503, b"{}", 0.0)
    monkeypatch.setattr(settings, "pdok_url", server.url)
    geocoder = build_geocoder(address_table=small_table, online=True)
    with pytest.raises(GeocodeServiceError):
        geocoder.geocode("7555 DL 999")  # the table has the postcode, but PDOK failed
