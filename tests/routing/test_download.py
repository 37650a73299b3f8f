"""Map download through osmnx's Overpass client, against a local replay of Overpass and Nominatim.

The replay server (127.0.0.1, a thread in the test process) answers like the real services:

- ``GET  /api/status``: the Overpass status text osmnx parses for rate limiting (line 5:
  ``"2 slots available now."`` or ``"Slot available after: <UTC time>, in N seconds."``);
- ``POST /api/interpreter``: evaluates *our* Overpass QL on a shared extract and answers in
  Overpass's JSON format (``version``, ``generator``, ``osm3s``, ``elements`` with
  ``type/id/lat/lon/tags``, ``nodes``, ``members`` with ``type/ref/role``). It understands exactly
  the query :data:`routing.download.OVERPASS_QL` produces and answers HTTP 400 with an
  Overpass-style error page otherwise. A way is selected when one of its nodes lies in the box
  (real Overpass also takes ways that only cross the box between two nodes);
- ``GET  /nominatim/search``: a Nominatim ``format=json`` answer with a GeoJSON boundary.

The answers are built from the extract at test time, never stored. Only osmnx's clock is replaced
where a test would otherwise wait (osmnx's fixed 55 s pause after HTTP 429/504, 60 s when /status
is unreachable, 1 s before each Nominatim request): the HTTP path runs unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import osmium
import osmnx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

import routing.settings
from routing import download as dl
from routing.download import DownloadedMap, bbox_around, download_map
from routing.errors import DownloadError, InvalidQuery, MapError
from tests.conftest import shared_path

GEOD = Geod(ellps="WGS84")
OSM_BASE = "2017-07-24T12:28:02Z"  # the <meta osm_base> of the Hengelo Overpass export
RESTRICTION_TYPE = re.compile(r"^restriction(:.+)?$")

# --- the source extracts ----------------------------------------------------------------------


@dataclass
class OsmData:
    """An extract read with pyosmium: coordinates as OSM's 1e-7 degree integers."""

    nodes: dict[int, tuple[int, int, dict[str, str]]] = field(default_factory=dict)
    ways: dict[int, tuple[list[int], dict[str, str]]] = field(default_factory=dict)
    relations: dict[int, tuple[list[tuple[str, int, str]], dict[str, str]]] = field(
        default_factory=dict
    )
    order: list[tuple[str, int]] = field(default_factory=list)


def read_osm(path: Path) -> OsmData:
    data = OsmData()
    for obj in osmium.FileProcessor(path):
        tags = {t.k: t.v for t in obj.tags}
        if obj.is_node():
            data.nodes[obj.id] = (obj.location.x, obj.location.y, tags)
            data.order.append(("n", obj.id))
        elif obj.is_way():
            data.ways[obj.id] = ([n.ref for n in obj.nodes], tags)
            data.order.append(("w", obj.id))
        elif obj.is_relation():
            data.relations[obj.id] = ([(m.type, m.ref, m.role) for m in obj.members], tags)
            data.order.append(("r", obj.id))
    return data


@pytest.fixture(scope="session")
def hengelo() -> OsmData:
    return read_osm(shared_path("osm", "hengelo.osm.pbf"))


@pytest.fixture(scope="session")
def amsterdam() -> OsmData:
    return read_osm(shared_path("osm", "amsterdam.osm.pbf"))


def select(data: OsmData, bbox: tuple[float, float, float, float]) -> OsmData:
    """What Overpass returns for our query: highway ways touching the box, their nodes, and the
    restriction relations with a member among those ways."""
    west, south, east, north = bbox

    def inside(node_id: int) -> bool:
        x, y, _ = data.nodes[node_id]
        return west <= x / 1e7 <= east and south <= y / 1e7 <= north

    out = OsmData()
    for wid, (refs, tags) in data.ways.items():
        if "highway" in tags and any(inside(n) for n in refs if n in data.nodes):
            out.ways[wid] = (refs, tags)
    for refs, _ in out.ways.values():
        for n in refs:
            out.nodes[n] = data.nodes[n]
    for rid, (members, tags) in data.relations.items():
        if RESTRICTION_TYPE.match(tags.get("type", "")) and any(
            t == "w" and ref in out.ways for t, ref, _ in members
        ):
            out.relations[rid] = (members, tags)
    return out


def overpass_json(data: OsmData) -> dict[str, Any]:
    """Overpass API JSON (``out body``): nodes, ways, relations, each sorted by id."""
    elements: list[dict[str, Any]] = []
    member_type = {"n": "node", "w": "way", "r": "relation"}
    for nid in sorted(data.nodes):
        x, y, tags = data.nodes[nid]
        element: dict[str, Any] = {"type": "node", "id": nid, "lat": y / 1e7, "lon": x / 1e7}
        if tags:
            element["tags"] = tags
        elements.append(element)
    for wid in sorted(data.ways):
        refs, tags = data.ways[wid]
        element = {"type": "way", "id": wid, "nodes": refs}
        if tags:
            element["tags"] = tags
        elements.append(element)
    for rid in sorted(data.relations):
        members, tags = data.relations[rid]
        element = {
            "type": "relation",
            "id": rid,
            "members": [{"type": member_type[t], "ref": r, "role": role} for t, r, role in members],
        }
        if tags:
            element["tags"] = tags
        elements.append(element)
    return {
        "version": 0.6,
        "generator": "Overpass API 0.7.62.1 084b4234",
        "osm3s": {
            "timestamp_osm_base": OSM_BASE,
            "copyright": "The data included in this document is from www.openstreetmap.org. "
            "The data is made available under ODbL.",
        },
        "elements": elements,
    }


# the one query the fake Overpass understands (see routing.download.OVERPASS_QL)
NUM = r"(-?\d+(?:\.\d+)?)"
QUERY = re.compile(
    r'\[out:json\]\[timeout:\d+\];way\["highway"\]\('
    + ",".join([NUM] * 4)
    + r"\)->\.roads;node\(w\.roads\)->\.road_nodes;"
    r'rel\(bw\.roads\)\["type"~"\^restriction\(:\.\+\)\?\$"\]->\.restrictions;'
    r"\(\.roads;\.road_nodes;\.restrictions;\);out body;"
)


# --- the replay server ------------------------------------------------------------------------

Reply = tuple[int, str, bytes]  # status, content type, body


@dataclass
class FakeServices:
    source: OsmData
    port: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    # replies the interpreter gives first, one per request, before evaluating queries
    script: list[Reply] = field(default_factory=list)
    interpreter_delay_s: float = 0.0
    status_text: str | None = None
    nominatim: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def nominatim_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/nominatim/"

    def calls(self, endpoint: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].endswith("/" + endpoint)]

    def status(self) -> str:
        if self.status_text is not None:
            return self.status_text
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return (
            "Connected as: 2130706433\n"
            f"Current time: {now}\n"
            "Announced endpoint: none\n"
            "Rate limit: 2\n"
            "2 slots available now.\n"
            "Currently running queries (pid, space limit, time limit, start time):\n"
        )

    def interpret(self, ql: str) -> Reply:
        if self.script:
            return self.script.pop(0)
        if self.interpreter_delay_s:
            time.sleep(self.interpreter_delay_s)
        match = QUERY.fullmatch(ql)
        if not match:
            page = (
                "<html><body><p><strong>Error</strong>: line 1: parse error: "
                "this replay understands only ziekenvervoer's road query</p></body></html>"
            )
            return 400, "text/html; charset=utf-8", page.encode()
        south, west, north, east = (float(v) for v in match.groups())
        answer = overpass_json(select(self.source, (west, south, east, north)))
        return 200, "application/json", json.dumps(answer).encode()


def make_handler(fake: FakeServices) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def reply(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            fake.requests.append(
                {
                    "method": "GET",
                    "path": url.path,
                    "params": parse_qs(url.query),
                    "user_agent": self.headers.get("User-Agent"),
                }
            )
            if url.path == "/api/status":
                self.reply(200, "text/plain", fake.status().encode())
            elif url.path == "/nominatim/search":
                self.reply(200, "application/json", json.dumps(fake.nominatim).encode())
            else:
                self.reply(404, "text/plain", b"not found")

        def do_POST(self) -> None:
            url = urlparse(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            ql = parse_qs(body).get("data", [""])[0]
            fake.requests.append(
                {
                    "method": "POST",
                    "path": url.path,
                    "ql": ql,
                    "user_agent": self.headers.get("User-Agent"),
                }
            )
            if url.path == "/api/interpreter":
                self.reply(*fake.interpret(ql))
            else:
                self.reply(404, "text/plain", b"not found")

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


@pytest.fixture
def serve():
    servers: list[QuietServer] = []

    def start(source: OsmData) -> FakeServices:
        fake = FakeServices(source)
        server = QuietServer(("127.0.0.1", 0), make_handler(fake))
        fake.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return fake

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


class FakeClock:
    """Stands in for the ``time`` module inside osmnx's request modules: records pauses."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """osmnx and ziekenvervoer caches in tmp folders; nothing in the home folder or the cwd."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(routing.settings, "cache_dir", tmp_path / "zv-cache")
    monkeypatch.setattr(osmnx.settings, "cache_folder", tmp_path / "osmnx-default-cache")
    monkeypatch.setattr(osmnx.settings, "requests_timeout", 10)
    yield
    assert not (tmp_path / "cache").exists()  # osmnx's default "./cache"
    assert not (tmp_path / "osmnx-default-cache").exists()


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(osmnx._overpass, "time", fake)
    monkeypatch.setattr(osmnx._nominatim, "time", fake)
    return fake


def hengelo_bbox(data: OsmData) -> tuple[float, float, float, float]:
    xs = [x for x, _, _ in data.nodes.values()]
    ys = [y for _, y, _ in data.nodes.values()]
    return (
        min(xs) / 1e7 - 0.001,
        min(ys) / 1e7 - 0.001,
        max(xs) / 1e7 + 0.001,
        max(ys) / 1e7 + 0.001,
    )


# --- a whole extract round-trips --------------------------------------------------------------


def test_bbox_download_writes_the_whole_extract(hengelo, serve, tmp_path):
    fake = serve(hengelo)
    bbox = hengelo_bbox(hengelo)
    result = download_map(bbox=bbox, cache_dir=tmp_path / "maps", overpass_url=fake.url)

    # the query reached the server, once, with the box in Overpass order (S,W,N,E)
    (post,) = fake.calls("interpreter")
    west, south, east, north = bbox
    match = QUERY.fullmatch(post["ql"])
    assert match is not None
    assert [float(v) for v in match.groups()] == pytest.approx([south, west, north, east], abs=1e-7)
    assert post["user_agent"] == routing.settings.user_agent
    assert fake.calls("status"), "osmnx asks /status for a free slot first"
    assert post["ql"] == result.overpass_query

    # the file holds the same highway ways, nodes, coordinates, tags and restrictions
    written = read_osm(result.path)
    assert written.ways == {w: v for w, v in hengelo.ways.items() if "highway" in v[1]}
    used = {n for refs, _ in written.ways.values() for n in refs}
    assert written.nodes == {n: hengelo.nodes[n] for n in used}
    assert written.relations == hengelo.relations
    assert len(written.relations) == 47
    assert (len(written.nodes), len(written.ways)) == (result.n_nodes, result.n_ways)

    # sorted: nodes by id, then ways by id, then relations by id
    kinds = [kind for kind, _ in written.order]
    assert kinds == sorted(kinds, key="nwr".index)
    for kind in "nwr":
        ids = [i for k, i in written.order if k == kind]
        assert ids == sorted(ids)

    # the record
    assert result.path.name.endswith(".osm.pbf") and result.path.parent == tmp_path / "maps"
    assert result.sha256 == dl.file_sha256(result.path)
    assert result.osm_base == OSM_BASE
    assert result.url == fake.url
    assert result.osmnx_version == osmnx.__version__
    assert result.query.startswith("bbox:")
    assert dt.datetime.fromisoformat(result.downloaded).tzinfo == dt.UTC
    sidecar = json.loads(result.sidecar.read_text())
    for key in ("query", "overpass_query", "url", "downloaded", "sha256", "osmnx_version"):
        assert sidecar[key] == getattr(result, key)
    identity = result.identity()
    assert (identity.source, identity.sha256, identity.query, identity.downloaded) == (
        "overpass",
        result.sha256,
        result.query,
        result.downloaded,
    )
    assert DownloadedMap.from_file(result.path) == result

    # the header tells pyosmium the box and that the file is sorted
    header = osmium.io.Reader(str(result.path), osmium.osm.NOTHING).header()
    assert header.get("sorting") == "Type_then_ID"
    assert header.get("osmosis_replication_timestamp") == OSM_BASE
    # no temporary files left behind
    assert sorted(p.name for p in (tmp_path / "maps").iterdir() if p.is_file()) == sorted(
        [result.path.name, result.sidecar.name]
    )


def test_sub_box_keeps_node_tags_and_drops_other_ways(amsterdam, serve, tmp_path):
    fake = serve(amsterdam)
    bbox = (4.93, 52.342, 4.935, 52.345)
    result = download_map(bbox=bbox, cache_dir=tmp_path, overpass_url=fake.url)
    written = read_osm(result.path)
    expected = select(amsterdam, bbox)
    assert written.ways == expected.ways and written.nodes == expected.nodes
    assert 0 < len(written.ways) < sum("highway" in t for _, t in amsterdam.ways.values())
    assert all("highway" in tags for _, tags in written.ways.values())
    # tagged nodes (bollards, priority_to_right) on the roads keep their tags
    assert sum(tags == {"barrier": "bollard"} for _, _, tags in written.nodes.values()) == 4
    node_tags = [tags for _, _, tags in written.nodes.values()]
    assert {"highway": "traffic_signals", "traffic_signals:direction": "forward"} in node_tags
    assert {"highway": "priority_to_right"} in node_tags
    # ways keep their node order, coordinates are OSM's 1e-7 degree integers exactly
    for wid, (refs, _) in written.ways.items():
        assert refs == amsterdam.ways[wid][0]


def test_unsorted_answer_with_tagless_way_copies_is_written_sorted_once(hengelo, serve, tmp_path):
    # what raw Overpass output can look like: quadtile order ("out qt"), ways before their nodes,
    # and ways repeated as tag-less copies (the raw Hengelo export has about 70)
    fake = serve(hengelo)
    bbox = (6.76, 52.25, 6.80, 52.275)
    answer = overpass_json(select(hengelo, bbox))
    ways = [e for e in answer["elements"] if e["type"] == "way"]
    copies = [{"type": "way", "id": w["id"], "nodes": w["nodes"]} for w in ways[::5]]
    answer["elements"] = list(reversed(answer["elements"])) + copies
    fake.script.append((200, "application/json", json.dumps(answer).encode()))
    result = download_map(bbox=bbox, cache_dir=tmp_path, overpass_url=fake.url)
    written = read_osm(result.path)
    expected = select(hengelo, bbox)
    assert (written.nodes, written.ways, written.relations) == (
        expected.nodes,
        expected.ways,
        expected.relations,
    )
    assert written.order == sorted(written.order, key=lambda k: ("nwr".index(k[0]), k[1]))
    assert len(written.order) == len(set(written.order))


def test_restrictions_inside_a_part_of_hengelo(hengelo, serve, tmp_path):
    fake = serve(hengelo)
    bbox = (6.76, 52.25, 6.80, 52.275)
    result = download_map(bbox=bbox, cache_dir=tmp_path, overpass_url=fake.url)
    written = read_osm(result.path)
    expected = select(hengelo, bbox)
    assert written.relations == expected.relations
    assert 0 < len(written.relations) < 47
    assert written.ways == expected.ways and written.nodes == expected.nodes
    assert written.ways.keys() < {w for w, v in hengelo.ways.items() if "highway" in v[1]}


# --- the cache --------------------------------------------------------------------------------


def test_second_call_uses_the_cache_and_refresh_downloads_again(hengelo, serve, tmp_path):
    fake = serve(hengelo)
    bbox = (6.76, 52.25, 6.80, 52.275)
    first = download_map(bbox=bbox, cache_dir=tmp_path, overpass_url=fake.url)
    inode = first.path.stat().st_ino
    requests_before = len(fake.requests)

    again = download_map(bbox=bbox, cache_dir=tmp_path, overpass_url=fake.url + "/")
    assert again == first
    assert len(fake.requests) == requests_before  # no request at all, not even /status
    assert first.path.stat().st_ino == inode

    fresh = download_map(bbox=bbox, cache_dir=tmp_path, overpass_url=fake.url, refresh=True)
    assert len(fake.calls("interpreter")) == 2
    assert fresh.path == first.path and fresh.path.stat().st_ino != inode
    assert fresh.sha256 == first.sha256  # same data, same bytes


def test_cache_key_separates_queries_and_servers(hengelo, serve, tmp_path):
    fake = serve(hengelo)
    other = serve(hengelo)
    a = download_map(bbox=(6.76, 52.25, 6.80, 52.275), cache_dir=tmp_path, overpass_url=fake.url)
    b = download_map(bbox=(6.76, 52.25, 6.80, 52.276), cache_dir=tmp_path, overpass_url=fake.url)
    c = download_map(bbox=(6.76, 52.25, 6.80, 52.275), cache_dir=tmp_path, overpass_url=other.url)
    assert len({a.path, b.path, c.path}) == 3
    assert len(fake.calls("interpreter")) == 2 and len(other.calls("interpreter")) == 1


def test_a_changed_cached_file_is_downloaded_again(hengelo, serve, tmp_path):
    fake = serve(hengelo)
    bbox = (6.76, 52.25, 6.80, 52.275)
    first = download_map(bbox=bbox, cache_dir=tmp_path, overpass_url=fake.url)
    first.path.write_bytes(first.path.read_bytes()[:-10])
    with pytest.raises(MapError, match="no longer matches"):
        DownloadedMap.from_file(first.path)
    second = download_map(bbox=bbox, cache_dir=tmp_path, overpass_url=fake.url)
    assert len(fake.calls("interpreter")) == 2
    assert second.sha256 == first.sha256 == dl.file_sha256(second.path)


def test_default_cache_folder_is_under_the_settings_cache_dir(hengelo, serve, tmp_path):
    fake = serve(hengelo)
    result = download_map(bbox=(6.76, 52.25, 6.80, 52.275), overpass_url=fake.url)
    assert result.path.parent == tmp_path / "zv-cache" / "maps"


def test_osmnx_settings_and_dns_are_restored(hengelo, serve, tmp_path):
    fake = serve(hengelo)
    names = ("overpass_url", "nominatim_url", "cache_folder", "use_cache", "http_user_agent")
    before = {n: getattr(osmnx.settings, n) for n in names}
    kwargs_before = dict(osmnx.settings.requests_kwargs)
    getaddrinfo = socket.getaddrinfo
    download_map(bbox=(6.76, 52.25, 6.80, 52.275), cache_dir=tmp_path, overpass_url=fake.url)
    fake.script.append((500, "text/html", b"<html>oops</html>"))
    with pytest.raises(DownloadError):
        download_map(bbox=(6.7, 52.25, 6.80, 52.275), cache_dir=tmp_path, overpass_url=fake.url)
    assert {n: getattr(osmnx.settings, n) for n in names} == before
    assert osmnx.settings.requests_kwargs == kwargs_before
    assert socket.getaddrinfo is getaddrinfo


# --- server trouble ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ((500, "text/html", b"<html><body>Internal error</body></html>"), "HTTP 500"),
        ((500, "application/json", b'{"error": "internal"}'), "HTTP 500"),
        ((400, "text/html", b"<p><strong>Error</strong>: line 1: parse error</p>"), "parse error"),
        ((200, "text/html", b"<html>maintenance</html>"), "not usable JSON"),
        ((200, "application/json", b'{"version": 0.6, "elements": []}'), "no roads"),
        ((200, "application/json", b'{"version": 0.6}'), "no 'elements'"),
    ],
)
def test_server_errors_are_download_errors(hengelo, serve, tmp_path, reply, expected):
    fake = serve(hengelo)
    fake.script.append(reply)
    with pytest.raises(DownloadError, match=expected) as exc:
        download_map(bbox=(6.76, 52.25, 6.80, 52.275), cache_dir=tmp_path, overpass_url=fake.url)
    assert exc.value.code == "DownloadFailed"
    assert len(fake.calls("interpreter")) == 1
    assert not list(tmp_path.glob("*.osm.pbf")), "nothing cached after a failure"


def test_overpass_remark_means_an_incomplete_answer(hengelo, serve, tmp_path):
    fake = serve(hengelo)
    answer = overpass_json(select(hengelo, (6.76, 52.25, 6.80, 52.275)))
    answer["elements"] = answer["elements"][: len(answer["elements"]) // 2]
    answer["remark"] = 'runtime error: Query timed out in "query" at line 1 after 181 seconds.'
    fake.script.append((200, "application/json", json.dumps(answer).encode()))
    with pytest.raises(DownloadError, match="timed out"):
        download_map(bbox=(6.76, 52.25, 6.80, 52.275), cache_dir=tmp_path, overpass_url=fake.url)


def test_ways_without_their_nodes_are_an_incomplete_answer(hengelo, serve, tmp_path):
    fake = serve(hengelo)
    answer = overpass_json(select(hengelo, (6.76, 52.25, 6.80, 52.275)))
    answer["elements"] = [e for e in answer["elements"] if e["type"] != "node" or e["id"] % 7]
    fake.script.append((200, "application/json", json.dumps(answer).encode()))
    with pytest.raises(DownloadError, match="incomplete"):
        download_map(bbox=(6.76, 52.25, 6.80, 52.275), cache_dir=tmp_path, overpass_url=fake.url)


@pytest.mark.parametrize("status", [429, 504])
def test_busy_server_is_retried_as_osmnx_does_then_succeeds(
    hengelo, serve, tmp_path, clock, status
):
    fake = serve(hengelo)
    fake.script.append((status, "text/html", b"<html>busy</html>"))
    result = download_map(
        bbox=(6.76, 52.25, 6.80, 52.275), cache_dir=tmp_path, overpass_url=fake.url, retries=1
    )
    assert len(fake.calls("interpreter")) == 2
    assert 55 in clock.sleeps  # osmnx's pause before the retry
    # osmnx asks /status for a slot before each attempt
    paths = [r["path"] for r in fake.requests]
    assert paths == ["/api/status", "/api/interpreter", "/api/status", "/api/interpreter"]
    assert result.n_ways > 0


@pytest.mark.parametrize("status", [429, 504])
def test_busy_server_gives_up_after_the_retries(hengelo, serve, tmp_path, clock, status):
    fake = serve(hengelo)
    fake.script.extend([(status, "text/html", b"<html>busy</html>")] * 3)
    with pytest.raises(DownloadError, match=f"busy: HTTP {status}.* on 3 attempts"):
        download_map(
            bbox=(6.76, 52.25, 6.80, 52.275), cache_dir=tmp_path, overpass_url=fake.url, retries=2
        )
    assert len(fake.calls("interpreter")) == 3
    assert clock.sleeps.count(55) == 2


def test_no_retry_when_retries_is_zero(hengelo, serve, tmp_path):
    fake = serve(hengelo)  # real clock: a retry would take 55 s
    fake.script.append((429, "text/html", b"<html>Too Many Requests</html>"))
    with pytest.raises(DownloadError, match="HTTP 429"):
        download_map(
            bbox=(6.76, 52.25, 6.80, 52.275), cache_dir=tmp_path, overpass_url=fake.url, retries=0
        )
    assert len(fake.calls("interpreter")) == 1


def test_rate_limit_waits_for_the_slot_the_status_page_announces(hengelo, serve, tmp_path, clock):
    fake = serve(hengelo)
    slot = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)
    fake.status_text = (
        "Connected as: 2130706433\nCurrent time: now\nAnnounced endpoint: none\nRate limit: 2\n"
        f"Slot available after: {slot:%Y-%m-%dT%H:%M:%SZ}, in 3 seconds.\n"
        "Currently running queries (pid, space limit, time limit, start time):\n"
    )
    download_map(bbox=(6.76, 52.25, 6.80, 52.275), cache_dir=tmp_path, overpass_url=fake.url)
    assert clock.sleeps and 1 <= clock.sleeps[0] <= 4


def test_timeout_is_a_download_error(hengelo, serve, tmp_path, monkeypatch):
    fake = serve(hengelo)
    fake.interpreter_delay_s = 3
    monkeypatch.setattr(osmnx.settings, "requests_timeout", 1)
    with pytest.raises(DownloadError, match="did not answer within 1 s"):
        download_map(bbox=(6.76, 52.25, 6.80, 52.275), cache_dir=tmp_path, overpass_url=fake.url)


def test_unreachable_server_is_a_download_error(tmp_path, clock):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DownloadError, match="cannot reach Overpass"):
        download_map(
            bbox=(6.76, 52.25, 6.80, 52.275),
            cache_dir=tmp_path,
            overpass_url=f"http://127.0.0.1:{port}/api",
        )
    assert clock.sleeps == [60]  # osmnx's default pause when /status cannot be reached


# --- place names through Nominatim ------------------------------------------------------------

# a Nominatim search result (format=json, polygon_geojson=1); the boundary is a simplified
# pentagon inside the Hengelo extract, not the real municipal boundary
HENGELO_RING = [
    [6.7400, 52.2500],
    [6.8000, 52.2450],
    [6.8300, 52.2700],
    [6.7900, 52.2900],
    [6.7450, 52.2800],
    [6.7400, 52.2500],
]
NOMINATIM_HENGELO = {
    "place_id": 123456,
    "licence": "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
    "osm_type": "relation",
    "osm_id": 123456,
    "lat": "52.2658",
    "lon": "6.7931",
    "class": "boundary",
    "type": "administrative",
    "place_rank": 16,
    "importance": 0.58,
    "addresstype": "city",
    "name": "Hengelo",
    "display_name": "Hengelo, Overijssel, Nederland",
    "boundingbox": ["52.2450", "52.2900", "6.7400", "6.8300"],
    "geojson": {"type": "Polygon", "coordinates": [HENGELO_RING]},
}


def test_place_name_is_geocoded_through_osmnx(hengelo, serve, tmp_path, monkeypatch, clock):
    fake = serve(hengelo)
    fake.nominatim = [NOMINATIM_HENGELO]
    monkeypatch.setattr(routing.settings, "nominatim_url", fake.nominatim_url)
    result = download_map(place="Hengelo,  Overijssel", cache_dir=tmp_path, overpass_url=fake.url)

    (search,) = fake.calls("search")
    assert search["params"]["q"] == ["Hengelo, Overijssel"]
    assert search["params"]["format"] == ["json"]
    assert search["params"]["polygon_geojson"] == ["1"]
    assert search["user_agent"] == routing.settings.user_agent
    assert 1 in clock.sleeps  # osmnx keeps to Nominatim's one request per second

    # the Overpass box is the boundary's bounding box
    assert result.bbox == (6.74, 52.245, 6.83, 52.29)
    assert '"highway"](52.245,6.74,52.29,6.83)' in fake.calls("interpreter")[0]["ql"]
    assert result.query == "place:Hengelo, Overijssel" and result.place == "Hengelo, Overijssel"
    assert result.identity().query == "place:Hengelo, Overijssel"
    assert result.path.name.startswith("hengelo-overijssel-")
    assert read_osm(result.path).ways == select(hengelo, result.bbox).ways

    # osmnx's response cache sits in the map cache folder and holds the Nominatim answer
    cached = list((tmp_path / "osmnx").glob("*.json"))
    assert len(cached) == 1 and "Hengelo" in cached[0].read_text()

    # the same place (any case, any spacing) comes from the map cache: no request at all
    n = len(fake.requests)
    assert download_map(place="hengelo, overijssel", cache_dir=tmp_path, overpass_url=fake.url) == (
        result
    )
    assert len(fake.requests) == n

    # another server: a new map, but the place comes from osmnx's cache
    other = serve(hengelo)
    download_map(place="Hengelo, Overijssel", cache_dir=tmp_path, overpass_url=other.url)
    assert len(fake.calls("search")) == 1 and len(other.calls("interpreter")) == 1

    # refresh asks Nominatim again
    download_map(
        place="Hengelo, Overijssel", cache_dir=tmp_path, overpass_url=fake.url, refresh=True
    )
    assert len(fake.calls("search")) == 2


def test_unknown_place_is_a_download_error(hengelo, serve, tmp_path, monkeypatch, clock):
    fake = serve(hengelo)
    fake.nominatim = []
    monkeypatch.setattr(routing.settings, "nominatim_url", fake.nominatim_url)
    with pytest.raises(DownloadError, match="found no place") as exc:
        download_map(place="Nergenshuizen", cache_dir=tmp_path, overpass_url=fake.url)
    assert exc.value.field == "place"
    assert not fake.calls("interpreter")


def test_place_known_only_as_a_point_is_refused(hengelo, serve, tmp_path, monkeypatch, clock):
    fake = serve(hengelo)
    point = dict(NOMINATIM_HENGELO, geojson={"type": "Point", "coordinates": [6.7931, 52.2658]})
    fake.nominatim = [point]
    monkeypatch.setattr(routing.settings, "nominatim_url", fake.nominatim_url)
    with pytest.raises(DownloadError, match="only as a point") as exc:
        download_map(place="Hengelo", cache_dir=tmp_path, overpass_url=fake.url)
    assert exc.value.field == "place"


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bbox",
    [
        (6.8, 52.2, 6.7, 52.3),  # west > east
        (6.7, 52.3, 6.8, 52.2),  # south > north
        (6.7, 52.2, 6.7, 52.3),  # empty
        (-181, 52.2, 6.8, 52.3),
        (6.7, -91, 6.8, 52.3),
        (6.7, 52.2, 6.8, math.nan),
        (6.7, 52.2, 6.8),
        "6.7,52.2,6.8,52.3",
        (6.7, 52.2, 6.8, "north"),
        (True, 52.2, 6.8, 52.3),
    ],
)
def test_bad_bbox_is_invalid_query(bbox, tmp_path):
    with pytest.raises(InvalidQuery) as exc:
        download_map(bbox=bbox, cache_dir=tmp_path, overpass_url="http://127.0.0.1:9/api")
    assert exc.value.field == "bbox"
    assert "west, south, east, north" in exc.value.message


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"place": "Hengelo", "bbox": (6.7, 52.2, 6.8, 52.3)}, {"place": "  "}],
)
def test_place_or_bbox_must_be_given(kwargs, tmp_path):
    with pytest.raises(InvalidQuery) as exc:
        download_map(**kwargs, cache_dir=tmp_path)
    assert exc.value.field == "place"


# --- bbox_around ------------------------------------------------------------------------------


lat_st = st.floats(-80, 80)
lon_st = st.floats(-179, 179)


@settings(max_examples=60, deadline=None)
@given(
    points=st.lists(st.tuples(lat_st, lon_st), min_size=1, max_size=4),
    margin=st.floats(0, 50_000),
    azimuth=st.floats(0, 360),
    fraction=st.floats(0, 1),
    grid=st.sampled_from([None, 0.01, 0.05]),
)
def test_bbox_around_holds_every_place_within_the_margin(points, margin, azimuth, fraction, grid):
    try:
        west, south, east, north = bbox_around(points, margin, grid_deg=grid)
    except InvalidQuery as exc:  # only for areas that reach the 180° meridian
        assert exc.field == "points"
        assert any(abs(lon) > 170 for _, lon in points)
        return
    for lat, lon in points:
        lon2, lat2, _ = GEOD.fwd(lon, lat, azimuth, margin * fraction)
        assert west <= lon2 <= east and south <= lat2 <= north
    if grid is not None:
        for edge in (west, south, east, north):
            assert abs(edge / grid - round(edge / grid)) < 1e-6


def test_bbox_around_measures_the_margin_on_the_ellipsoid():
    hospital = (52.2638, 6.7708)
    west, south, east, north = bbox_around([hospital], 5000, grid_deg=None)
    lat, lon = hospital
    for edge_lon, edge_lat in ((lon, north), (lon, south)):
        assert GEOD.inv(lon, lat, edge_lon, edge_lat)[2] == pytest.approx(5000, abs=0.001)
    # east/west: the farthest longitude on the 5 km circle, not farther than needed
    _, _, dist = GEOD.inv(lon, lat, east, lat)
    assert 5000 < dist < 5000.5
    assert lon - west == pytest.approx(east - lon, rel=1e-9)
    # the north edge lies 5 km up the meridian of the WGS84 ellipsoid (meridian radius of
    # curvature M at the mid latitude), where a sphere of mean radius would be 0.07% short
    a, f = 6_378_137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    mid = math.radians((lat + north) / 2)
    meridian_radius = a * (1 - e2) / (1 - e2 * math.sin(mid) ** 2) ** 1.5
    assert math.radians(north - lat) == pytest.approx(5000 / meridian_radius, rel=1e-7)
    assert math.radians(north - lat) * 6_371_008.8 == pytest.approx(4996.5, abs=0.1)


def test_bbox_around_widens_to_the_grid():
    trip = [(52.2879, 6.7975), (52.2638, 6.7708)]
    tight = bbox_around(trip, 5000, grid_deg=None)
    box = bbox_around(trip, 5000)
    assert box == (6.65, 52.2, 6.9, 52.35)
    assert box[0] <= tight[0] and box[1] <= tight[1] and box[2] >= tight[2] and box[3] >= tight[3]


@pytest.mark.parametrize(
    ("points", "margin", "grid", "field_name"),
    [
        ([], 5000, 0.05, "points"),
        ([(91, 6)], 5000, 0.05, "points"),
        ([(52, 181)], 5000, 0.05, "points"),
        ([(52, "6")], 5000, 0.05, "points"),
        ([(52,)], 5000, 0.05, "points"),
        ([(52, 6)], -1, 0.05, "margin_m"),
        ([(52, 6)], math.inf, 0.05, "margin_m"),
        ([(52, 6)], 5000, 0, "grid_deg"),
        ([(52, 179.99)], 5000, 0.05, "points"),  # crosses the 180° meridian
        ([(89.99, 0)], 5000, 0.05, "points"),  # reaches the pole
    ],
)
def test_bbox_around_rejects_bad_input(points, margin, grid, field_name):
    with pytest.raises(InvalidQuery) as exc:
        bbox_around(points, margin, grid_deg=grid)
    assert exc.value.field == field_name
    assert "52" not in exc.value.message  # no coordinates of a patient in messages


def test_bbox_around_feeds_download_map(hengelo, serve, tmp_path):
    fake = serve(hengelo)
    result = download_map(
        bbox=bbox_around([(52.2638, 6.7708)], 1000), cache_dir=tmp_path, overpass_url=fake.url
    )
    assert result.bbox == (6.75, 52.25, 6.8, 52.3)
    assert "(52.25,6.75,52.3,6.8)" in fake.calls("interpreter")[0]["ql"]


# --- saving elsewhere and the command line ----------------------------------------------------


@pytest.mark.parametrize("name", ["map.osm", "map.osm.bz2", "copy.osm.pbf"])
def test_save_as_writes_a_complete_osm_file(hengelo, serve, tmp_path, name):
    fake = serve(hengelo)
    result = download_map(
        bbox=(6.76, 52.25, 6.80, 52.275), cache_dir=tmp_path / "c", overpass_url=fake.url
    )
    saved = result.save_as(tmp_path / "out" / name)
    assert read_osm(saved.path) == read_osm(result.path)
    assert saved.sha256 == dl.file_sha256(saved.path)
    assert DownloadedMap.from_file(saved.path) == saved
    assert saved.downloaded == result.downloaded and saved.query == result.query
    if name == "map.osm":  # another reader of OSM XML (osmnx) takes the file too
        graph = osmnx.graph_from_xml(saved.path, simplify=False, retain_all=True)
        assert graph.number_of_nodes() > 0


def test_save_as_refuses_unknown_formats(hengelo, serve, tmp_path):
    fake = serve(hengelo)
    result = download_map(
        bbox=(6.76, 52.25, 6.80, 52.275), cache_dir=tmp_path, overpass_url=fake.url
    )
    with pytest.raises(InvalidQuery) as exc:
        result.save_as(tmp_path / "map.geojson")
    assert exc.value.field == "output"


def cli_app():
    import typer

    from ziekenvervoer.cli import COMMAND_MODULES
    from ziekenvervoer.cli.download import register

    assert "download" in COMMAND_MODULES
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """Group mode, as the real application has once it holds several commands."""

    register(app)
    return app


def test_cli_download_json_and_output(hengelo, serve, tmp_path):
    from typer.testing import CliRunner

    fake = serve(hengelo)
    out = tmp_path / "hengelo-part.osm"
    args = ["download", "--bbox", "6.76,52.25,6.80,52.275", "--overpass-url", fake.url]
    result = CliRunner().invoke(cli_app(), [*args, "--output", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["path"] == str(out) and out.is_file()
    assert data["identity"]["source"] == "overpass"
    assert data["identity"]["query"] == "bbox:6.76,52.25,6.8,52.275"
    assert data["identity"]["sha256"] == dl.file_sha256(out)
    cached = tmp_path / "zv-cache" / "maps"
    assert len(list(cached.glob("*.osm.pbf"))) == 1

    human = CliRunner().invoke(cli_app(), args)
    assert human.exit_code == 0, human.output
    assert "bbox:6.76,52.25,6.8,52.275" in human.stdout and "OpenStreetMap" in human.stdout
    assert len(fake.calls("interpreter")) == 1  # the second run came from the cache


@pytest.mark.parametrize(
    "args",
    [
        ["--bbox", "6.76,52.25,6.80"],
        ["--bbox", "a,b,c,d"],
        ["--bbox", "6.80,52.25,6.76,52.275"],
        ["--place", "Hengelo", "--bbox", "6.76,52.25,6.80,52.275"],
        [],
    ],
)
def test_cli_bad_input_is_a_typed_error(args):
    from typer.testing import CliRunner

    result = CliRunner().invoke(cli_app(), ["download", *args, "--json"])
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "InvalidQuery" and error["field"] in {"bbox", "place"}
