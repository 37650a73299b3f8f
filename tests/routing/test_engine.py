"""The fast engine (CCH) against networkx Dijkstra on every shared extract, and compiled maps."""

from __future__ import annotations

import shutil

import networkx as nx
import numpy as np
import pytest

from routing import store
from routing.engine import CCHEngine
from routing.router import Router, load_network
from tests.conftest import shared_path

EXTRACTS = ["hengelo", "spijkenisse", "liechtenstein", "amsterdam"]


@pytest.mark.parametrize("region", EXTRACTS)
def test_cch_equals_networkx_dijkstra(region):
    """1,000 random state pairs: same optimal weight, same travel time and length on that path."""
    net = load_network(shared_path("osm", f"{region}.osm.pbf"))
    engine = CCHEngine(net)
    g = net.turn_graph()
    rng = np.random.default_rng(2026)
    main = np.flatnonzero(net.state_component == net.main_component)
    n_sources = 40 if len(main) > 100 else 10
    sources = rng.choice(main, size=n_sources, replace=len(main) < n_sources)
    checked = ties = pairs = 0
    lengths = net.edge_length_m
    for s in sources.tolist():
        dist, paths = nx.single_source_dijkstra(g, s, weight="weight")
        targets = rng.choice(main, size=25)
        for t in targets.tolist():
            if t == s:
                continue
            pairs += 1
            res = engine.query([(s, 0)], [(t, 0)])
            assert res is not None
            assert res.weight_ms == dist[t]
            # the engine's path is a real path of that weight
            assert res.states[0] == s and res.states[-1] == t
            w = sum(g[a][b]["weight"] for a, b in zip(res.states[:-1], res.states[1:], strict=True))
            assert w == dist[t]
            # travel time and length along the path: equal to networkx's path unless two
            # different paths have exactly the same integer weight (a true tie)
            ours = float(lengths[np.asarray(res.states[1:]) >> 1].sum())
            theirs = float(lengths[np.asarray(paths[t][1:]) >> 1].sum())
            if list(res.states) != paths[t]:
                ties += 1
            else:
                assert ours == pytest.approx(theirs, abs=1e-6)
            checked += 1
    assert checked == pairs
    assert pairs >= (950 if len(main) > 100 else 200)
    assert ties <= checked * 0.01  # exact ties are rare with millisecond weights


@pytest.mark.parametrize("region", ["hengelo", "liechtenstein"])
def test_router_with_cch_equals_router_with_dijkstra(region):
    path = shared_path("osm", f"{region}.osm.pbf")
    fast = Router.from_file(path, engine="cch", compiled=False)
    ref = Router(fast.network)  # Dijkstra
    rng = np.random.default_rng(5)
    net = fast.network
    pts = rng.integers(0, len(net.lat), size=(150, 2))
    for a, b in pts.tolist():
        o, d = (float(net.lat[a]), float(net.lon[a])), (float(net.lat[b]), float(net.lon[b]))
        try:
            r1 = fast.route(o, d)
        except Exception as exc:
            with pytest.raises(type(exc)):
                ref.route(o, d)
            continue
        r2 = ref.route(o, d)
        assert r1.extra["weight_ms"] == r2.extra["weight_ms"]
        if r1.extra["states"] == r2.extra["states"]:
            assert r1.distance_m == r2.distance_m
            assert r1.duration_s == r2.duration_s


def test_matrix_equals_single_routes(hengelo_router):
    net = hengelo_router.network
    rng = np.random.default_rng(11)
    main = np.flatnonzero(net.state_component == net.main_component)
    pts = net.state_head(rng.choice(main, 12))
    points = [(float(net.lat[p]), float(net.lon[p])) for p in pts]
    origins = [*points[:6], (52.37, 4.89)]  # the last one is outside the map
    m = hengelo_router.matrix(origins, points[6:])
    assert len(m) == 7 * 6
    for row in m.itertuples():
        if row.origin == 6:
            assert row.error.startswith("OutsideMap")
            continue
        r = hengelo_router.route(origins[row.origin], points[6 + row.destination])
        # the matrix carries time and length along the hierarchy in single precision per shortcut
        assert row.distance_m == pytest.approx(r.distance_m, abs=0.05)
        assert row.duration_s == pytest.approx(r.duration_s, abs=0.05)


def test_compiled_map_is_reused_and_never_stale(tmp_path, monkeypatch):
    from routing import settings

    monkeypatch.setattr(settings, "cache_dir", tmp_path / "cache")
    src = shared_path("osm", "amsterdam.osm.pbf")
    m = tmp_path / "maps" / "city.osm.pbf"
    m.parent.mkdir()
    shutil.copy(src, m)
    first = Router.from_file(m)
    saved = list(m.parent.glob("*.zvengine"))
    assert len(saved) == 1  # beside the map, its folder being writable
    loaded = store.load(m, first.network.profile)
    assert loaded is not None
    net, cch = loaded
    for name, value in first.engine.cch.arrays().items():
        assert np.array_equal(getattr(cch, name), value), name
    for name in ("arc_from", "arc_to", "arc_weight_ms", "chain_m", "state_component"):
        assert np.array_equal(getattr(net, name), getattr(first.network, name))
    assert net.identity == first.network.identity
    second = Router.from_file(m)
    o, d = (52.3431, 4.92964), (52.34139, 4.92485)
    assert second.route(o, d).distance_m == first.route(o, d).distance_m

    # change the map file: the saved engine no longer matches and is not used
    m.write_bytes(shared_path("osm", "hengelo.osm.pbf").read_bytes())
    assert store.load(m, first.network.profile) is None
    rebuilt = Router.from_file(m)
    assert rebuilt.map.sha256 != first.map.sha256
    assert rebuilt.network.n_states > first.network.n_states


def test_corrupt_or_old_engine_file_is_rebuilt(tmp_path, monkeypatch):
    from routing import settings

    monkeypatch.setattr(settings, "cache_dir", tmp_path / "cache")
    m = tmp_path / "city.osm.pbf"
    shutil.copy(shared_path("osm", "amsterdam.osm.pbf"), m)
    r = Router.from_file(m)
    (saved,) = tmp_path.glob("*.zvengine")
    saved.write_bytes(b"not an npz file")
    assert store.load(m, r.network.profile) is None
    Router.from_file(m)  # rebuilds and saves again
    assert store.load(m, r.network.profile) is not None
    monkeypatch.setattr(store, "FORMAT_VERSION", store.FORMAT_VERSION + 1)
    assert store.load(m, r.network.profile) is None


def test_read_only_map_folder_uses_the_cache(tmp_path, monkeypatch):
    from routing import settings

    monkeypatch.setattr(settings, "cache_dir", tmp_path / "cache")
    folder = tmp_path / "ro"
    folder.mkdir()
    m = folder / "city.osm.pbf"
    shutil.copy(shared_path("osm", "amsterdam.osm.pbf"), m)
    folder.chmod(0o555)
    try:
        Router.from_file(m)
        assert not list(folder.glob("*.zvengine"))
        assert list((tmp_path / "cache" / "engines").glob("*.zvengine"))
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("region", ["hengelo", "liechtenstein"])
def test_parallel_customization_equals_sequential(region):
    """Customizing subtrees on several threads gives the very same hierarchy as one sweep.

    ``wide=0`` also sends every node of the top separator through the parallel loop.
    """
    from routing.cch import CCH, _customize, _subtree_groups

    net = load_network(shared_path("osm", f"{region}.osm.pbf"))
    cch = CCH.build(
        net.n_states, net.arc_from, net.arc_to, net.arc_weight_ms,
        net.arc_turn_s + net.state_duration_s[net.arc_to], net.edge_length_m[net.arc_to >> 1],
    )  # fmt: skip
    rt, rh = cch.rank[net.arc_from], cch.rank[net.arc_to]
    keep = rt != rh
    args = (
        cch.n, cch.up_ptr, cch.up, rt[keep], rh[keep], net.arc_weight_ms[keep].astype(np.int32),
        (net.arc_turn_s + net.state_duration_s[net.arc_to]).astype(np.float32)[keep],
        net.edge_length_m[net.arc_to >> 1].astype(np.float32)[keep],
    )  # fmt: skip
    single = _subtree_groups(cch.parent, cch.up_ptr, 1)
    assert single[2] == cch.n and len(single[0]) == 2
    groups = _subtree_groups(cch.parent, cch.up_ptr, 3)
    group_ptr, nodes, top = groups
    # three non-empty groups that hold every node below the top separator once
    assert (np.diff(group_ptr) > 0).all() and 0 < top < cch.n
    assert np.array_equal(np.sort(nodes), np.arange(top))
    one = _customize(*args, *single, 10**9)
    many = _customize(*args, *groups, 0)
    for a, b, name in zip(one, many, ("w", "t", "l", "mid"), strict=True):
        assert np.array_equal(a, b), name
    for a, name in zip(one, ("w", "t", "l", "mid"), strict=True):
        assert np.array_equal(a, getattr(cch, name)), name
    assert (one[3] >= 0).sum() > 1000  # shortcuts were made
