"""The car profile on hand-written tag sets: every rule on its own."""

import pytest

from routing.profile import CarProfile


@pytest.fixture(scope="module")
def profile():
    return CarProfile()


def test_residential_two_way(profile):
    r = profile.way_rule({"highway": "residential"})
    assert r.forward and r.backward
    assert r.forward_speed == 25
    assert not r.forward_restricted and r.startpoint


@pytest.mark.parametrize(
    ("tags", "fwd", "bwd"),
    [
        ({"highway": "residential", "oneway": "yes"}, True, False),
        ({"highway": "residential", "oneway": "-1"}, False, True),
        ({"highway": "residential", "junction": "roundabout"}, True, False),
        ({"highway": "motorway"}, True, False),
        ({"highway": "motorway", "oneway": "no"}, True, True),
        ({"highway": "residential", "oneway": "yes", "oneway:motor_vehicle": "no"}, True, True),
    ],
)
def test_oneway(profile, tags, fwd, bwd):
    r = profile.way_rule(tags)
    assert (r.forward, r.backward) == (fwd, bwd)


@pytest.mark.parametrize(
    "tags",
    [
        {"highway": "footway"},
        {"highway": "cycleway"},
        {"highway": "residential", "motor_vehicle": "no"},
        {"highway": "residential", "access": "no"},
        {"highway": "unclassified", "motorcar": "no"},
        {"highway": "construction"},
        {"highway": "residential", "maxheight": "1.9"},
        {"highway": "residential", "maxweight": "1.5"},
        {"highway": "service", "service": "emergency_access"},
        {"highway": "residential", "area": "yes"},
        {"name": "no highway"},
    ],
)
def test_closed_to_cars(profile, tags):
    assert profile.way_rule(tags) is None


def test_more_specific_access_wins(profile):
    # vehicle=no but motor_vehicle=yes: the more specific tag opens the road
    r = profile.way_rule({"highway": "residential", "vehicle": "no", "motor_vehicle": "yes"})
    assert r is not None and r.forward


@pytest.mark.parametrize("value", ["private", "destination", "delivery", "customers"])
def test_restricted_access_is_kept_but_marked(profile, value):
    r = profile.way_rule({"highway": "service", "access": value})
    assert r is not None
    assert r.forward_restricted and r.backward_restricted


def test_private_service_road_is_no_startpoint(profile):
    assert not profile.way_rule({"highway": "service", "access": "private"}).startpoint
    assert profile.way_rule({"highway": "residential", "access": "private"}).startpoint


@pytest.mark.parametrize(
    ("maxspeed", "speed"),
    [
        ("50", 40.0),
        ("30", 24.0),
        ("NL:urban", 40.0),
        ("NL:rural", 64.0),
        ("nl:trunk", 80.0),
        ("NL:motorway", 104.0),
        ("30 mph", 30 * 1.609 * 0.8),
        ("signals", 25.0),
    ],
)
def test_maxspeed(profile, maxspeed, speed):
    r = profile.way_rule({"highway": "residential", "maxspeed": maxspeed})
    assert r.forward_speed == pytest.approx(speed)


def test_source_maxspeed_is_a_fallback(profile):
    r = profile.way_rule({"highway": "secondary", "source:maxspeed": "NL:rural"})
    assert r.forward_speed == pytest.approx(64.0)
    r = profile.way_rule({"highway": "secondary", "maxspeed": "50", "source:maxspeed": "NL:rural"})
    assert r.forward_speed == pytest.approx(40.0)


def test_directional_maxspeed(profile):
    r = profile.way_rule(
        {"highway": "primary", "maxspeed:forward": "80", "maxspeed:backward": "50"}
    )
    assert (r.forward_speed, r.backward_speed) == (pytest.approx(64.0), pytest.approx(40.0))


def test_surface_caps_speed(profile):
    r = profile.way_rule({"highway": "primary", "maxspeed": "80", "surface": "sett"})
    assert r.forward_speed == 40


def test_track_only_when_opened(profile):
    assert profile.way_rule({"highway": "track"}) is None
    r = profile.way_rule({"highway": "track", "motor_vehicle": "yes"})
    assert r.forward_speed == 10


def test_preference_factors(profile):
    assert (
        profile.way_rule({"highway": "service", "service": "parking_aisle"}).forward_factor == 0.5
    )
    assert profile.way_rule({"highway": "residential", "width": "2.5"}).forward_factor == 0.5
    assert profile.way_rule({"highway": "residential", "width": "3.5"}).forward_factor == 0.6
    # the width rule is for two-way roads only
    assert (
        profile.way_rule({"highway": "residential", "width": "2.5", "oneway": "yes"}).forward_factor
        == 1
    )
    assert profile.way_rule({"highway": "residential", "lanes": "1"}).forward_factor == 0.5


def test_nodes(profile):
    assert profile.node_rule({"barrier": "bollard"}).closed
    assert profile.node_rule({"barrier": "bollard", "bollard": "rising"}) is None
    assert not profile.node_rule({"barrier": "gate"}).closed
    assert profile.node_rule({"barrier": "gate"}).delay_s == 60
    assert profile.node_rule({"barrier": "cattle_grid"}) is None
    assert profile.node_rule({"highway": "traffic_signals"}).delay_s == 2
    assert profile.node_rule({"highway": "give_way"}).delay_s == 1
    assert profile.node_rule({"barrier": "gate", "access": "no"}).closed
    assert profile.node_rule({"highway": "crossing"}) is None


def test_turn_costs_favour_right_turns(profile):
    import numpy as np

    angles = np.array([0.0, 90.0, -90.0, 180.0])
    cost = profile.turn_seconds(
        angles, np.array([4, 4, 4, 1]), np.array([False, False, False, True]), np.zeros(4, bool)
    )
    straight, right, left, u_turn = cost
    assert straight < right < left < u_turn
    assert u_turn > profile.u_turn_penalty
    # no cost where two roads simply continue into each other
    none = profile.turn_seconds(
        np.array([45.0]), np.array([2]), np.array([False]), np.array([False])
    )
    assert none[0] == 0
