"""The mosaic of real extracts (bench/mosaic.py): a valid OSM file that routes as one network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import osmium
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Geod

from bench import mosaic
from tests.conftest import shared_path

SEED = 42


@pytest.fixture(scope="module")
def sources() -> list[Path]:
    return [shared_path("osm", f"{name}.osm.pbf") for name in mosaic.SOURCE_NAMES]


@pytest.fixture(scope="module")
def source_stats(sources):
    """Each source's own network: states, main-component states, restrictions, road length."""
    from routing.maps import read_map
    from routing.network import build_network
    from routing.profile import default_profile

    profile = default_profile()
    out = []
    for path in sources:
        raw = read_map(path, lambda tags: profile.way_rule(tags) is not None)
        net = build_network(raw, profile)
        ways, nodes = set(raw.way_ids.tolist()), set(raw.node_ids.tolist())
        # restrictions on car roads only (a mosaic keeps no relation with a member it dropped)
        on_car_roads = [
            r
            for r in raw.restrictions
            if set(r.from_ways + r.to_ways + r.via_ways) <= ways and set(r.via_nodes) <= nodes
        ]
        main_states = np.flatnonzero(net.state_component == net.main_component)
        out.append(
            {
                "states": net.stats["states"],
                "main": net.stats["main_component_states"],
                "main_points": len(np.unique(net.state_tail(main_states))),
                "restrictions": len(on_car_roads),
                "length_m": float(net.edge_length_m.sum()),
            }
        )
    return out


class Built:
    """A mosaic written to disk, its plan, its counts and its router."""

    def __init__(self, folder: Path, tiles: int, sources: list[Path]) -> None:
        from routing.router import Router

        self.path = folder / f"mosaic-{tiles}.osm.pbf"
        self.counts = mosaic.write_mosaic(self.path, tiles, SEED, sources=sources)
        self.plan = mosaic.plan_mosaic(tiles, SEED, sources=sources)
        self.router = Router.from_file(self.path)
        self.net = self.router.network


@pytest.fixture(scope="module", params=[4, 9], ids=["2x2", "3x3"])
def built(request, tmp_path_factory, sources) -> Built:
    return Built(tmp_path_factory.mktemp("mosaic"), request.param, sources)


def _read_all(path: Path):
    nodes, ways, rels = [], [], []
    for obj in osmium.FileProcessor(str(path)):
        if obj.is_node():
            nodes.append((obj.id, obj.location.lon, obj.location.lat))
        elif obj.is_way():
            ways.append((obj.id, [n.ref for n in obj.nodes], dict(obj.tags)))
        else:
            rels.append((obj.id, [(m.type, m.ref, m.role) for m in obj.members], dict(obj.tags)))
    return nodes, ways, rels


# --- the file ---------------------------------------------------------------------------------


def test_ids_unique_counts_match_and_references_resolve(built):
    nodes, ways, rels = _read_all(built.path)
    node_ids = [n[0] for n in nodes]
    way_ids = [w[0] for w in ways]
    rel_ids = [r[0] for r in rels]
    for ids in (node_ids, way_ids, rel_ids):
        assert len(set(ids)) == len(ids)
        assert ids == sorted(ids)  # OSM order: sorted by id within each kind
    c = built.counts
    assert c["tiles"] == len(built.plan.tiles)
    assert c["osm_nodes"] == len(nodes)
    assert c["ways"] == len(ways)
    assert c["restrictions"] == len(rels)
    base = built.plan.connector_base
    connectors = [w for w in ways if w[0] > base]
    assert c["connectors"] == len(connectors) >= 2 * c["tile_pairs"]
    # every reference points at an object of the file
    known_nodes = set(node_ids)
    known_ways = set(way_ids)
    assert all(r in known_nodes for _, refs, _ in ways for r in refs)
    for _, members, _ in rels:
        for kind, ref, _ in members:
            assert ref in (known_nodes if kind == "n" else known_ways)


def test_connectors_join_neighbouring_tiles_with_two_way_car_roads(built):
    from routing.profile import default_profile

    profile = default_profile()
    plan = built.plan
    nodes, ways, _ = _read_all(built.path)
    where = {nid: (lon, lat) for nid, lon, lat in nodes}
    boxes = [plan.bbox(t) for t in plan.tiles]
    per_pair: dict[tuple[int, int], int] = {}
    for wid, refs, tags in ways:
        if wid <= plan.connector_base:
            continue
        a, b = (plan.tiles[r // plan.node_stride] for r in refs)
        assert abs(a.row - b.row) + abs(a.col - b.col) == 1  # neighbours, not the same tile
        # each end lies in the half of its tile that faces the other tile
        for tile, other, ref in ((a, b, refs[0]), (b, a, refs[1])):
            w, s, e, n = boxes[tile.index]
            lon, lat = where[ref]
            if other.col != tile.col:
                assert (lon - (w + e) / 2) * (other.col - tile.col) > 0
            else:
                assert (lat - (s + n) / 2) * (other.row - tile.row) > 0
        rule = profile.way_rule(tags)
        assert rule is not None and rule.forward and rule.backward
        assert tags["oneway"] == "no" and tags["name"]
        per_pair[(a.index, b.index)] = per_pair.get((a.index, b.index), 0) + 1
    assert len(per_pair) == built.counts["tile_pairs"]
    assert min(per_pair.values()) >= mosaic.MIN_CONNECTORS


def test_tiles_sit_in_their_cells_without_overlap(built):
    plan = built.plan
    geod = Geod(ellps="WGS84")
    boxes = [plan.bbox(t) for t in plan.tiles]
    for t, (w, s, e, n) in zip(plan.tiles, boxes, strict=True):
        right = plan.tile_at(t.row, t.col + 1)
        if right is not None:
            w2 = boxes[right.index][0]
            lat = (s + n) / 2
            assert w2 > e
            assert geod.inv(e, lat, w2, lat)[2] >= 0.9 * mosaic.GAP_M
        above = plan.tile_at(t.row + 1, t.col)
        if above is not None:
            s2 = boxes[above.index][1]
            assert s2 > n
            assert geod.inv(w, n, w, s2)[2] >= 0.9 * mosaic.GAP_M
    # roughly over the Netherlands
    lon = [(b[0] + b[2]) / 2 for b in boxes]
    lat = [(b[1] + b[3]) / 2 for b in boxes]
    assert abs(np.mean(lat) - mosaic.LAT0) < 0.3 and abs(np.mean(lon) - mosaic.LON0) < 0.3


def test_same_seed_same_bytes_other_seed_other_layout(tmp_path, sources):
    a, b, c = tmp_path / "a.osm.pbf", tmp_path / "b.osm.pbf", tmp_path / "c.osm.pbf"
    mosaic.write_mosaic(a, 4, seed=7, sources=sources)
    mosaic.write_mosaic(b, 4, seed=7, sources=sources)
    mosaic.write_mosaic(c, 4, seed=8, sources=sources)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    layout = [(t.source, t.mirror_x, t.mirror_y) for t in mosaic.plan_mosaic(4, 7, sources).tiles]
    other = [(t.source, t.mirror_x, t.mirror_y) for t in mosaic.plan_mosaic(4, 8, sources).tiles]
    assert layout != other
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


# --- the network ------------------------------------------------------------------------------


def test_network_is_one_piece(built, source_stats):
    stats = built.net.stats
    share = stats["main_component_states"] / stats["states"]
    tiles = built.plan.tiles
    src_share = sum(source_stats[t.source]["main"] for t in tiles) / sum(
        source_stats[t.source]["states"] for t in tiles
    )
    assert share >= 0.9
    assert share >= src_share - 0.01  # stitching loses nothing the sources had
    # and the main part holds every tile's own main part
    net = built.net
    main_states = np.flatnonzero(net.state_component == net.main_component)
    pts = np.unique(net.state_tail(main_states))
    for t in tiles:
        w, s, e, n = np.add(built.plan.bbox(t), (-1e-6, -1e-6, 1e-6, 1e-6))  # 7-digit file
        inside = (net.lon[pts] >= w) & (net.lon[pts] <= e) & (net.lat[pts] >= s)
        inside &= net.lat[pts] <= n
        assert inside.sum() >= source_stats[t.source]["main_points"]


def _main_point_near_centre(built: Built, tile: mosaic.Tile) -> tuple[float, float]:
    net = built.net
    w, s, e, n = built.plan.bbox(tile)
    main_states = np.flatnonzero(net.state_component == net.main_component)
    pts = np.unique(net.state_tail(main_states))
    d = (net.lon[pts] - (w + e) / 2) ** 2 + (net.lat[pts] - (s + n) / 2) ** 2
    k = pts[np.argmin(d)]
    return float(net.lat[k]), float(net.lon[k])


def test_route_from_corner_to_corner_crosses_connectors(built):
    plan = built.plan
    first, last = plan.tiles[0], plan.tile_at(plan.rows - 1, plan.cols - 1)
    assert last is not None and (last.row, last.col) != (first.row, first.col)
    a = _main_point_near_centre(built, first)
    b = _main_point_near_centre(built, last)
    route = built.router.route(a, b)
    straight = Geod(ellps="WGS84").inv(a[1], a[0], b[1], b[0])[2]
    assert straight > 10_000
    assert straight < route.distance_m < 3 * straight
    crossed = [w for w in route.way_ids if w > plan.connector_base]
    assert len(crossed) >= (plan.rows - 1) + (plan.cols - 1)
    # the way back exists too
    assert built.router.route(b, a).distance_m > straight


def test_states_per_tile_match_the_sources(built, source_stats):
    tiles = built.plan.tiles
    states = built.net.stats["states"]
    from_sources = sum(source_stats[t.source]["states"] for t in tiles)
    c = built.counts
    # each connector adds its two directions; a connector at a fallback node that is not a way
    # end also splits that road (two more states)
    extra = states - from_sources
    assert 2 * c["connectors"] <= extra <= 2 * c["connectors"] + 2 * c["fallback_connectors"]
    average = np.mean([s["states"] for s in source_stats])
    assert abs(states / len(tiles) - average) < 0.2 * average


def test_road_lengths_survive_projection_and_mirroring(built, source_stats):
    net = built.net
    tiles = built.plan.tiles
    conn = net.way_ids[net.edge_way] > built.plan.connector_base
    mosaic_m = float(net.edge_length_m[~conn].sum())
    sources_m = sum(source_stats[t.source]["length_m"] for t in tiles)
    assert mosaic_m == pytest.approx(sources_m, rel=0.002)


def test_turn_restrictions_are_kept(built, source_stats):
    tiles = built.plan.tiles
    expected = sum(source_stats[t.source]["restrictions"] for t in tiles)
    assert expected > 0  # the seed picks Hengelo, which has restrictions
    assert built.net.stats["restrictions"] == expected
    kept = sum(len(built.plan.sources[t.source].relations) for t in tiles)
    assert built.counts["restrictions"] == kept >= expected


# --- plan and classes ---------------------------------------------------------------------------


def test_large_plan_draws_sources_evenly(sources, source_stats):
    plan = mosaic.plan_mosaic(1000, SEED, sources)
    assert (plan.rows, plan.cols) == (32, 32)
    picks = np.bincount([t.source for t in plan.tiles], minlength=len(sources))
    assert picks.min() > 280  # about a third each
    per_tile = np.mean([source_stats[t.source]["states"] for t in plan.tiles])
    average = np.mean([s["states"] for s in source_stats])
    assert per_tile == pytest.approx(average, rel=0.03)
    mirrors = np.array([(t.mirror_x, t.mirror_y) for t in plan.tiles])
    assert np.all(np.abs(mirrors.mean(axis=0) - 0.5) < 0.1)
    assert len(plan.tiles) * max(plan.node_stride, plan.way_stride) < 2**63


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("motorway", "motorway", "motorway"),
        ("motorway", "motorway_link", "motorway"),
        ("motorway", "primary", "primary"),
        ("primary", "motorway", "primary"),
        ("trunk_link", "residential", "trunk"),
        ("secondary", "tertiary", "secondary"),
        ("residential", "service", "residential"),
        ("track", "service", "service"),
        ("living_street", "cycleway", "service"),
    ],
)
def test_connector_class(a, b, expected):
    assert mosaic.connector_class(a, b) == expected


_HIGHWAYS = [*mosaic.CLASSES, *(c + "_link" for c in mosaic.CLASSES[:5]), "service", "track"]


@given(st.sampled_from(_HIGHWAYS), st.sampled_from(_HIGHWAYS))
def test_connector_class_is_symmetric_and_one_of_the_two(a, b):
    got = mosaic.connector_class(a, b)
    assert got == mosaic.connector_class(b, a)
    ranks = {mosaic.highway_rank(a), mosaic.highway_rank(b)}
    assert mosaic.highway_rank(got) in ranks
    if got == "motorway":
        assert ranks == {0}


@pytest.mark.parametrize(("tiles", "pairs"), [(1, 0), (2, 1), (3, 2)])
def test_small_and_ragged_layouts(tmp_path, sources, tiles, pairs):
    # 3 tiles: 2 x 2 cells with the north-east one empty
    counts = mosaic.write_mosaic(tmp_path / "m.osm.pbf", tiles, sources=sources)
    assert counts["tile_pairs"] == pairs
    assert pairs * mosaic.MIN_CONNECTORS <= counts["connectors"]
    assert (counts["connectors"] == 0) == (pairs == 0)


def test_cli_prints_the_counts(tmp_path, sources, capsys):
    out = tmp_path / "cli.osm.pbf"
    code = mosaic.main(
        ["--tiles", "2", "--out", str(out), "--sources", ",".join(str(p) for p in sources)]
    )
    assert code == 0 and out.is_file()
    printed = capsys.readouterr().out
    assert "connectors" in printed and "peak_rss_mb" in printed
    assert mosaic.main(["--tiles", "0", "--out", str(out)]) == 2
    assert "tiles" in capsys.readouterr().err


def test_bad_input_is_a_typed_error(tmp_path, sources):
    from routing.errors import MapError

    with pytest.raises(MapError) as err:
        mosaic.write_mosaic(tmp_path / "m.osm.pbf", 0, sources=sources)
    assert err.value.field == "tiles"
    with pytest.raises(MapError) as err:
        mosaic.write_mosaic(tmp_path / "m.osm.pbf", 4, sources=[tmp_path / "absent.osm.pbf"])
    assert err.value.field == "sources" and "absent.osm.pbf" in err.value.message
    assert not list(tmp_path.iterdir())


# --- padding with non-road data -----------------------------------------------------------------

PAD_MB = 3.0


@pytest.fixture(scope="module")
def pad_source() -> Path:
    return shared_path("osm", f"{mosaic.PAD_SOURCE_NAME}.osm.pbf")


@pytest.fixture(scope="module")
def padded(tmp_path_factory, sources, pad_source):
    """A 2x2 mosaic without and with padding (to PAD_MB, which ends within a copy)."""
    folder = tmp_path_factory.mktemp("padded")
    plain, padded = folder / "plain.osm.pbf", folder / "padded.osm.pbf"
    mosaic.write_mosaic(plain, 4, SEED, sources=sources)
    counts = mosaic.write_mosaic(
        padded, 4, SEED, sources=sources, pad_mb=PAD_MB, pad_source=pad_source
    )
    return plain, padded, counts


def _car_network(path: Path):
    from routing.maps import read_map
    from routing.network import build_network
    from routing.profile import default_profile

    profile = default_profile()
    raw = read_map(path, lambda tags: profile.way_rule(tags) is not None)  # as bench/scale.py
    return raw, build_network(raw, profile)


def test_padding_leaves_the_car_network_unchanged(padded):
    plain, path, counts = padded
    assert counts["pad_copies"] >= 2 and counts["pad_nodes"] > 0
    raw_a, net_a = _car_network(plain)
    raw_b, net_b = _car_network(path)
    assert raw_b.stats["ways_filtered"] > 0  # padding paths reached the way filter...
    for name in ("way_ids", "way_node_ptr", "way_nodes", "node_ids", "node_lat", "node_lon"):
        assert np.array_equal(getattr(raw_a, name), getattr(raw_b, name)), name  # ...and left
    assert raw_a.way_tags == raw_b.way_tags and raw_a.node_tags == raw_b.node_tags
    for name in ("states", "main_component_states", "restrictions_applied"):
        assert net_a.stats[name] == net_b.stats[name], name
    # the padding's own turn restrictions (members off the car roads) are read, never applied
    added = net_b.stats["restrictions"] - net_a.stats["restrictions"]
    assert added == net_b.stats["restrictions_unusable"] - net_a.stats["restrictions_unusable"]
    arrays = [k for k, v in vars(net_a).items() if isinstance(v, np.ndarray)]
    assert {"arc_from", "arc_to", "arc_weight_ms", "arc_turn_s", "state_weight_ms"} <= set(arrays)
    for name in arrays:
        assert np.array_equal(getattr(net_a, name), getattr(net_b, name)), name


def test_padded_file_has_the_size_asked_and_ids_in_osm_order(padded):
    plain, path, counts = padded
    size = path.stat().st_size
    assert counts["file_bytes"] == size
    assert abs(size / (PAD_MB * 1e6) - 1) < mosaic.PAD_TOLERANCE
    assert abs(counts["estimated_bytes"] / size - 1) < mosaic.PAD_TOLERANCE
    # the last copy is cut within its pieces
    assert counts["pad_pieces"] % mosaic.PAD_PIECES > 0
    nodes, ways, rels = _read_all(path)
    for objs in (nodes, ways, rels):
        ids = [o[0] for o in objs]
        assert len(set(ids)) == len(ids)
        assert ids == sorted(ids)
    assert counts["osm_nodes"] == len(nodes)
    assert counts["ways"] == len(ways)
    assert counts["relations"] == len(rels) == counts["restrictions"] + counts["pad_relations"]
    # the tiles' own objects come first and are the unpadded file's, byte for byte in content
    p_nodes, p_ways, p_rels = _read_all(plain)
    assert nodes[: len(p_nodes)] == p_nodes
    assert ways[: len(p_ways)] == p_ways
    assert rels[: len(p_rels)] == p_rels
    assert counts["pad_nodes"] == len(nodes) - len(p_nodes) > 0
    assert counts["pad_ways"] == len(ways) - len(p_ways) > 0
    # every way's nodes are in the file, even in the last, partial copy
    known = {n[0] for n in nodes}
    assert all(r in known for _, refs, _ in ways for r in refs)


def test_padding_copies_the_non_road_content_with_its_tags(padded, pad_source):
    _, path, counts = padded
    pad = mosaic.load_padding(pad_source)
    whole = counts["pad_pieces"] // mosaic.PAD_PIECES
    assert whole >= 1
    buildings_per_copy = sum("building" in t for t in pad.way_tags)
    assert buildings_per_copy > 5000  # Liechtenstein: about 9,000 buildings
    _, ways, rels = _read_all(path)
    buildings = sum("building" in tags for _, _, tags in ways)
    assert whole * buildings_per_copy <= buildings <= (whole + 1) * buildings_per_copy
    assert sum(tags.get("type") == "multipolygon" for _, _, tags in rels) >= whole * 50
    # nothing of the padding is a car road, nor a kept restriction
    from routing.profile import default_profile

    profile = default_profile()
    first_pad_way = min(c.way_shift for c in _pad_plan(pad_source).copies)
    assert all(profile.way_rule(t) is None for wid, _, t in ways if wid > first_pad_way)


def _pad_plan(pad_source: Path, seed: int = SEED) -> mosaic.PadPlan:
    sources = [shared_path("osm", f"{n}.osm.pbf") for n in mosaic.SOURCE_NAMES]
    plan = mosaic.plan_mosaic(4, seed, sources)
    return mosaic.plan_padding(plan, PAD_MB, seed, pad_source, len(mosaic.stitch(plan)))


def test_padding_is_the_whole_extract_less_its_car_roads(pad_source):
    pad = mosaic.load_padding(pad_source)
    roads = mosaic.load_sources([pad_source])[0]
    nodes, ways, rels = set(), set(), set()
    for obj in osmium.FileProcessor(str(pad_source)):
        (nodes if obj.is_node() else ways if obj.is_way() else rels).add(obj.id)
    pad_nodes, road_nodes = set(pad.node_ids.tolist()), set(roads.node_ids.tolist())
    assert pad_nodes | road_nodes == nodes
    # the car-road nodes in the padding are exactly those its own ways use
    assert pad_nodes & road_nodes == set(pad.way_refs.tolist()) & road_nodes
    assert set(pad.way_ids.tolist()) | set(roads.way_ids.tolist()) == ways
    assert not set(pad.way_ids.tolist()) & set(roads.way_ids.tolist())
    assert {r[0] for r in pad.relations} | {r[0] for r in roads.relations} == rels
    assert len(pad.node_tags) > 1000  # shops, addresses, trees...


def test_padding_pieces_are_closed_prefixes(pad_source):
    pad = mosaic.load_padding(pad_source)
    assert np.all(np.diff(pad.way_piece) >= 0)
    # a way's nodes never sit in a later piece than the way: any first p pieces are whole
    node_piece = pad.node_piece[np.searchsorted(pad.node_ids, pad.way_refs)]
    way_of_ref = np.repeat(pad.way_piece, np.diff(pad.way_ptr))
    assert np.all(node_piece <= way_of_ref)
    for piece in (pad.node_piece, pad.way_piece, pad.relation_piece):
        assert piece.min() == 0 and piece.max() == mosaic.PAD_PIECES - 1
    assert pad.share[0] == 0 and pad.share[-1] == 1 and np.all(np.diff(pad.share) > 0)
    assert pad.copy_bytes > 500_000


def test_padding_plan_cycles_over_tiles_above_all_ids(pad_source):
    pp = _pad_plan(pad_source)
    sources = [shared_path("osm", f"{n}.osm.pbf") for n in mosaic.SOURCE_NAMES]
    plan = mosaic.plan_mosaic(4, SEED, sources)
    assert [c.tile for c in pp.copies] == [k % 4 for k in range(len(pp.copies))]
    assert all(c.pieces == mosaic.PAD_PIECES for c in pp.copies[:-1])
    first = pp.copies[0]
    tile = plan.tiles[0]
    assert (first.cx, first.cy, first.mirror_x, first.mirror_y) == (
        tile.cx,
        tile.cy,
        tile.mirror_x,
        tile.mirror_y,
    )
    assert first.node_shift >= 5 * plan.node_stride
    assert first.way_shift >= plan.connector_base + plan.way_stride
    pad = pp.padding
    for a, b in zip(pp.copies, pp.copies[1:], strict=False):
        assert b.node_shift >= a.node_shift + pad.node_ids.max()
        assert b.way_shift >= a.way_shift + pad.way_ids.max()
        assert b.relation_shift >= a.relation_shift + max(r[0] for r in pad.relations)
    assert _pad_plan(pad_source) == pp  # deterministic


def test_padding_is_deterministic_for_a_seed(tmp_path, sources, pad_source):
    a, b, c = (tmp_path / f"{n}.osm.pbf" for n in "abc")
    for path, seed in ((a, 7), (b, 7), (c, 8)):
        mosaic.write_mosaic(path, 4, seed, sources=sources, pad_mb=2.0, pad_source=pad_source)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_a_larger_repeat_goes_round_the_tiles_again(tmp_path, pad_source):
    # one tile: every copy after the first is a repeat with its own offset and mirroring
    src = [shared_path("osm", "spijkenisse.osm.pbf")]
    path = tmp_path / "one.osm.pbf"
    counts = mosaic.write_mosaic(path, 1, SEED, sources=src, pad_mb=3.5, pad_source=pad_source)
    assert counts["pad_copies"] >= 3
    assert abs(path.stat().st_size / 3.5e6 - 1) < mosaic.PAD_TOLERANCE
    plan = mosaic.plan_padding(mosaic.plan_mosaic(1, SEED, src), 3.5, SEED, pad_source)
    centres = {(c.cx, c.cy) for c in plan.copies}
    assert len(centres) == len(plan.copies)
    nodes, _, _ = _read_all(path)
    lat = np.array([n[2] for n in nodes])
    assert abs(np.median(lat) - mosaic.LAT0) < 0.3  # moved from the Alps to the mosaic


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), 0.01])
def test_bad_padding_is_a_typed_error(tmp_path, sources, pad_source, bad):
    from routing.errors import MapError

    with pytest.raises(MapError) as err:
        mosaic.write_mosaic(
            tmp_path / "m.osm.pbf", 4, sources=sources, pad_mb=bad, pad_source=pad_source
        )
    assert err.value.field == "pad_mb"
    if bad == 0.01:
        assert "without padding" in err.value.message
    assert not list(tmp_path.iterdir())


def test_missing_padding_source_is_a_typed_error(tmp_path, sources):
    from routing.errors import MapError

    with pytest.raises(MapError) as err:
        mosaic.write_mosaic(
            tmp_path / "m.osm.pbf",
            4,
            sources=sources,
            pad_mb=5.0,
            pad_source=tmp_path / "absent.osm.pbf",
        )
    assert err.value.field == "pad_source" and "absent.osm.pbf" in err.value.message


def test_cli_pads(tmp_path, sources, pad_source, capsys):
    out = tmp_path / "cli.osm.pbf"
    argv = ["--tiles", "1", "--out", str(out), "--sources", str(sources[1])]
    code = mosaic.main([*argv, "--pad-mb", "1.5", "--pad-source", str(pad_source)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "pad_nodes" in printed and "estimated_bytes" in printed
    assert abs(out.stat().st_size / 1.5e6 - 1) < mosaic.PAD_TOLERANCE
    assert mosaic.main([*argv, "--pad-mb", "-3"]) == 2
    assert "pad_mb" in capsys.readouterr().err


def test_describe_counts_the_make_up(padded, pad_source, capsys):
    plain, path, counts = padded
    a, b = mosaic.describe_extract(plain), mosaic.describe_extract(path)
    assert (b["nodes"], b["ways"]) == (counts["osm_nodes"], counts["ways"])
    assert b["car_ways"] == a["car_ways"] == a["ways"]  # the padding adds no car road...
    assert b["car_way_nodes"] == a["car_way_nodes"]
    assert b["car_node_share"] < 0.5 * a["car_node_share"]  # ...but many other nodes
    assert b["building_ways"] > 0 == a["building_ways"]
    roads = mosaic.load_sources([pad_source])[0]
    info = mosaic.describe_extract(pad_source)
    assert info["car_ways"] == len(roads.way_ids)
    assert info["car_way_nodes"] == len(roads.node_ids)
    assert info["bytes_per_node"] == info["file_bytes"] / info["nodes"]
    assert mosaic.main(["--describe", str(pad_source)]) == 0
    assert "car_node_share" in capsys.readouterr().out
