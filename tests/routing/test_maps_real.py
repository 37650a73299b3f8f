"""Reading the shared real extracts: XML, raw Overpass XML and PBF give the same network."""

from __future__ import annotations

import numpy as np
import pytest

from routing.errors import MapError
from routing.maps import read_map
from routing.router import load_network
from tests.conftest import shared_path

NETWORK_ARRAYS = [
    "lat",
    "lon",
    "osm_node_ids",
    "way_ids",
    "chain",
    "chain_m",
    "edge_u",
    "edge_v",
    "edge_length_m",
    "state_ok",
    "state_weight_ms",
    "state_duration_s",
    "arc_from",
    "arc_to",
    "arc_weight_ms",
    "state_component",
]


@pytest.mark.parametrize("region", ["hengelo", "spijkenisse"])
def test_raw_overpass_xml_equals_pbf(region):
    xml = shared_path("osm", f"{region}.osm")
    pbf = shared_path("osm", f"{region}.osm.pbf")
    a, b = load_network(xml), load_network(pbf)
    for name in NETWORK_ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.shape == y.shape, name
        assert np.array_equal(x, y), name
    assert a.way_names == b.way_names
    # the identities differ (different files) but both say what they are
    assert a.identity.source.endswith(".osm") and b.identity.source.endswith(".pbf")
    assert a.identity.sha256 != b.identity.sha256


def test_raw_export_duplicates_are_dropped():
    raw = read_map(shared_path("osm", "hengelo.osm"))
    clean = read_map(shared_path("osm", "hengelo.osm.pbf"))
    assert len(np.unique(raw.way_ids)) == len(raw.way_ids)
    assert sorted(raw.way_ids.tolist()) == sorted(clean.way_ids.tolist())
    # Hengelo has 47 restriction relations; 44 apply to cars (one is for hgv, two exempt cars)
    assert len(raw.restrictions) == 44
    assert raw.stats["skipped_restrictions"] == 3


def test_identity_is_file_hash():
    import hashlib

    path = shared_path("osm", "amsterdam.osm.pbf")
    net = load_network(path)
    assert net.identity.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert net.identity.profile.startswith("car@")


def test_bad_files(tmp_path):
    with pytest.raises(MapError):
        read_map(tmp_path / "missing.osm.pbf")
    bad = tmp_path / "bad.osm"
    bad.write_text("this is not xml")
    with pytest.raises(MapError):
        read_map(bad)
    empty = tmp_path / "empty.osm"
    empty.write_text('<?xml version="1.0"?><osm version="0.6"></osm>')
    with pytest.raises(MapError, match="no roads"):
        read_map(empty)
    other = tmp_path / "map.txt"
    other.write_text("x")
    with pytest.raises(MapError, match="unsupported"):
        read_map(other)


@pytest.mark.parametrize("region", ["hengelo", "liechtenstein"])
def test_turns_in_small_blocks_give_the_same_network(region, monkeypatch):
    """Turns are enumerated a block of points at a time; the block size changes nothing."""
    from routing import network

    whole = load_network(shared_path("osm", f"{region}.osm.pbf"))
    monkeypatch.setattr(network, "TURN_BLOCK", 97)
    blocks = load_network(shared_path("osm", f"{region}.osm.pbf"))
    for name in ("arc_from", "arc_to", "arc_weight_ms", "arc_turn_s", "arc_ptr",
                 "state_component"):  # fmt: skip
        assert np.array_equal(getattr(whole, name), getattr(blocks, name)), name
    assert whole.stats == blocks.stats
    assert whole.stats["restrictions_applied"] > 0
