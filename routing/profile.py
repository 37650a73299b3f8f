"""The car speed and turn model: which ways a car may use, how fast, and what turns cost.

The numbers live in ``data/car_profile.yaml`` (with their sources); this module only interprets OSM
tags with them. The interpretation follows the car profile of OSRM 26.10 (``car.lua``), so that our
"fastest route" means what the established open engines mean by it.

Two functions do the work:

- :meth:`CarProfile.way_rule` turns the tags of a way into a :class:`WayRule` (directions open to
  cars, speed, preference factor, restricted access, usable as start/end point), or ``None``.
- :meth:`CarProfile.node_rule` turns the tags of a node into a :class:`NodeRule` (closed barrier,
  delay when passing).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from routing import settings
from routing.errors import MapError

Tags = dict[str, str]


@dataclass(frozen=True)
class WayRule:
    """How a car may use one way, per direction (forward = the way's node order).

    Attributes
    ----------
    forward, backward : bool
        Whether a car may drive the way in that direction.
    forward_speed, backward_speed : float
        Expected speed in km/h.
    forward_factor, backward_factor : float
        Preference factor (<= 1): the route minimises duration / factor.
    forward_restricted, backward_restricted : bool
        Restricted access (private, destination, ...): usable at the start or end of a route only.
    startpoint : bool
        Whether a point may be snapped onto this way.
    roundabout : bool
        Part of a roundabout (no oncoming-traffic penalty on its turns).
    highway : str
        The highway (or route) type, for reports.
    fixed_duration_s : float, optional
        A ferry's tagged duration for the whole way.
    """

    forward: bool
    backward: bool
    forward_speed: float
    backward_speed: float
    forward_factor: float
    backward_factor: float
    forward_restricted: bool
    backward_restricted: bool
    startpoint: bool
    roundabout: bool
    highway: str
    fixed_duration_s: float | None = None


@dataclass(frozen=True)
class NodeRule:
    """What a node means for a car passing it.

    Attributes
    ----------
    closed : bool
        A barrier (or access tag) a car cannot pass; a route may only turn back there.
    delay_s : float
        Seconds lost when passing (traffic signals, stop, give way, gate).
    direction : str
        ``"both"``, ``"forward"`` or ``"backward"`` (relative to the way the node is on): the
        travel direction the delay applies to.
    minor_stop : bool
        ``stop=minor``: the delay applies only when arriving on the minor road.
    kind : str
        ``"traffic_signals"``, ``"stop"``, ``"give_way"``, ``"barrier"``, ... for reports.
    """

    closed: bool = False
    delay_s: float = 0.0
    direction: str = "both"
    minor_stop: bool = False
    kind: str = ""


_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _leading_int(value: str) -> float | None:
    """Parse a speed like OSRM: the leading digits, mph converted to km/h."""
    m = re.match(r"\s*(\d+)", value)
    if not m:
        return None
    n = float(m.group(1))
    if "mph" in value or "mp/h" in value:
        n *= 1.609
    return n


def _metres(value: str | None) -> float | None:
    """Parse a height/width/length in metres, including feet'inches."""
    if value is None:
        return None
    m = _NUMBER.search(value.replace(",", "."))
    if not m:
        return None
    n = float(m.group(0))
    if "'" in value:
        inches = re.search(r"'\D*(\d+)", value)
        n = (n * 12 + (float(inches.group(1)) if inches else 0.0)) * 0.0254
    return n


def _kilograms(value: str | None) -> float | None:
    """Parse a weight: tonnes by default, or kg / lbs."""
    if value is None:
        return None
    m = _NUMBER.search(value.replace(",", "."))
    if not m:
        return None
    n = float(m.group(0))
    if "lbs" in value:
        return n * 0.45359237
    if "kg" in value:
        return n
    return n * 1000.0


class CarProfile:
    """A car profile read from a YAML file (default: ``data/car_profile.yaml``).

    Parameters
    ----------
    path : path-like, optional
        The profile file. Defaults to ``car_profile.yaml`` in :data:`routing.settings.data_dir`.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else Path(settings.data_dir) / "car_profile.yaml"
        try:
            raw_bytes = self.path.read_bytes()
        except OSError as exc:
            raise MapError(f"cannot read the speed profile {self.path}: {exc}") from exc
        self.sha256 = hashlib.sha256(raw_bytes).hexdigest()
        p: dict[str, Any] = yaml.safe_load(raw_bytes)
        self.raw = p
        self.name = str(p.get("name", self.path.stem))
        self.left_hand_driving = bool(p.get("left_hand_driving", False))
        self.highway_speeds: dict[str, float] = p["highway_speeds"]
        self.default_speed = float(p["default_speed"])
        self.maxspeed_factor = float(p["maxspeed_factor"])
        self.maxspeed_keys: list[str] = p["maxspeed_keys"]
        self.maxspeed_implicit = {k.lower(): v for k, v in p["maxspeed_implicit"].items()}
        self.maxspeed_implicit_default: dict[str, float] = p["maxspeed_implicit_default"]
        self.surface_speeds: dict[str, float] = p["surface_speeds"]
        self.tracktype_speeds: dict[str, float] = p["tracktype_speeds"]
        self.smoothness_speeds: dict[str, float] = p["smoothness_speeds"]
        self.route_speeds: dict[str, float] = p["route_speeds"]
        self.movable_bridge_speed = float(p["movable_bridge_speed"])
        self.service_factors: dict[str, float] = p["service_factors"]
        self.width_factors: list[dict[str, Any]] = p["width_factors"]
        self.single_lane_factor = float(p["single_lane_factor"])
        self.no_lane_markings_factor = float(p["no_lane_markings_factor"])
        self.alternating_factor = float(p["alternating_factor"])
        self.side_road_factor = float(p["side_road_factor"])
        self.priority_factor = float(p["priority_factor"])
        self.access_keys: list[str] = p["access_keys"]
        self.access_allowed = {str(v) for v in p["access_allowed"]}
        self.access_denied = {str(v) for v in p["access_denied"]}
        self.access_restricted = {str(v) for v in p["access_restricted"]}
        self.restricted_highways = set(p["restricted_highways"])
        self.restricted_entry_penalty = float(p["restricted_entry_penalty"])
        self.service_no_startpoint = set(p["service_no_startpoint"])
        self.service_forbidden = set(p["service_forbidden"])
        self.oneway_keys: list[str] = p["oneway_keys"]
        self.avoid_highways = set(p["avoid_highways"])
        self.construction_allowed = {str(v) for v in p["construction_allowed"]}
        self.vehicle: dict[str, float] = p["vehicle"]
        self.barrier_passable = {str(v) for v in p["barrier_passable"]}
        self.barrier_penalties: dict[str, float] = p["barrier_penalties"]
        self.traffic_signal_penalty = float(p["traffic_signal_penalty"])
        self.stop_penalty = float(p["stop_penalty"])
        self.give_way_penalty = float(p["give_way_penalty"])
        self.turn_penalty = float(p["turn_penalty"])
        self.turn_bias = float(p["turn_bias"])
        self.oncoming_turn_penalty = float(p["oncoming_turn_penalty"])
        self.u_turn_penalty = float(p["u_turn_penalty"])
        self.turn_angle_lookahead_m = float(p["turn_angle_lookahead_m"])

    @property
    def identity(self) -> str:
        """``name@sha256-prefix``: reported with every result."""
        return f"{self.name}@{self.sha256[:8]}"

    # --- ways --------------------------------------------------------------------------------

    @staticmethod
    def _directional(tags: Tags, keys: list[str]) -> tuple[str | None, str | None]:
        """Forward/backward value of the first key found (``key:forward`` beats ``key``)."""
        forward = backward = None
        for key in keys:
            forward = forward or tags.get(f"{key}:forward")
            backward = backward or tags.get(f"{key}:backward")
            if forward is None or backward is None:
                common = tags.get(key)
                forward = forward or common
                backward = backward or common
            if forward and backward:
                break
        return forward, backward

    def _resolve_access(self, value: str | None) -> str | None:
        """Pick the most permissive value of a ``;`` list (OSRM resolve_access)."""
        if value is None or ";" not in value:
            return value

        def rank(v: str) -> int:
            if v in self.access_allowed:
                return 3
            if v in self.access_restricted:
                return 2
            if v in self.access_denied:
                return 1
            return 0

        parts = [v.strip() for v in value.split(";")]
        return max(parts, key=rank)

    def parse_maxspeed(self, value: str | None) -> float:
        """Return a maxspeed value in km/h, 0 when absent or not understood.

        Numbers (``"50"``, ``"30 mph"``) are taken as they are; implicit values such as
        ``"NL:urban"`` come from the profile's tables.
        """
        if not value:
            return 0.0
        n = _leading_int(value)
        if n is not None:
            return n
        v = value.strip().lower()
        if v in self.maxspeed_implicit:
            return float(self.maxspeed_implicit[v])
        m = re.match(r"[a-z]{2}:([a-z]+)", v)
        if m and m.group(1) in self.maxspeed_implicit_default:
            return float(self.maxspeed_implicit_default[m.group(1)])
        return 0.0

    def way_rule(self, tags: Tags) -> WayRule | None:
        """Interpret a way's tags; ``None`` when no car may use it in either direction.

        Parameters
        ----------
        tags : dict
            All tags of the way.

        Returns
        -------
        WayRule or None
        """
        highway = tags.get("highway") or ""
        route = tags.get("route") or ""
        if not highway and not route:
            return None
        # blocked and avoided ways
        if tags.get("area") == "yes" or highway in self.avoid_highways:
            return None
        if tags.get("railway") == "construction":
            return None
        construction = tags.get("construction")
        if construction is not None and construction not in self.construction_allowed:
            return None
        if tags.get("proposed") and (not highway or highway == "proposed"):
            return None
        if tags.get("oneway") == "reversible":
            return None
        if tags.get("impassable") == "yes" or tags.get("status") == "impassable":
            return None

        fwd = bwd = True
        veh = self.vehicle
        # physical and legal limits of the vehicle
        h_f, h_b = self._directional(tags, ["maxheight:physical", "maxheight"])
        for val, is_f in ((h_f, True), (h_b, False)):
            if val in {"default", "none", "no-sign", "unsigned"}:
                continue
            m = _metres(val)
            if m is not None and m < veh["height"]:
                fwd, bwd = (False, bwd) if is_f else (fwd, False)
        w_f, w_b = self._directional(tags, ["maxwidth:physical", "maxwidth", "width", "est_width"])
        for val, is_f in ((w_f, True), (w_b, False)):
            m = _metres(val) if val != "narrow" else None
            if m is not None and m <= veh["width"]:
                fwd, bwd = (False, bwd) if is_f else (fwd, False)
        l_f, l_b = self._directional(tags, ["maxlength"])
        for val, is_f in ((l_f, True), (l_b, False)):
            m = _metres(val)
            if m is not None and m < veh["length"]:
                fwd, bwd = (False, bwd) if is_f else (fwd, False)
        g_f, g_b = self._directional(tags, ["maxweightrating", "maxweight"])
        for val, is_f in ((g_f, True), (g_b, False)):
            m = _kilograms(val)
            if m is not None and m < veh["weight"]:
                fwd, bwd = (False, bwd) if is_f else (fwd, False)

        # access
        acc_f, acc_b = self._directional(tags, self.access_keys)
        acc_f, acc_b = self._resolve_access(acc_f), self._resolve_access(acc_b)
        restr_f = restr_b = False
        if highway in self.restricted_highways:
            restr_f = acc_f in self.access_restricted
            restr_b = acc_b in self.access_restricted
        if acc_f in self.access_denied and not restr_f:
            fwd = False
        if acc_b in self.access_denied and not restr_b:
            bwd = False
        if not fwd and not bwd:
            return None

        # one-way
        oneway = next((tags[k] for k in self.oneway_keys if k in tags), None)
        if oneway == "-1":
            fwd = False
        elif oneway in {"yes", "1", "true"} or (
            oneway != "no"
            and (highway == "motorway" or tags.get("junction") in {"roundabout", "circular"})
        ):
            bwd = False

        # speeds: ferries, movable bridges, highway type, access-only roads
        speed_f = speed_b = -1.0
        fixed_duration = None
        ferry = False
        if route in self.route_speeds and self.route_speeds[route] > 0:
            ferry = True
            speed_f = speed_b = float(self.route_speeds[route])
            fixed_duration = _parse_duration(tags.get("duration"))
        if tags.get("bridge") == "movable" and tags.get("capacity:car") != "0":
            speed_f = speed_b = self.movable_bridge_speed
        if tags.get("service") in self.service_forbidden:
            return None
        if speed_f < 0 and speed_b < 0:
            if highway in self.highway_speeds:
                speed_f = speed_b = float(self.highway_speeds[highway])
            else:
                if acc_f is not None and acc_f not in self.access_denied:
                    speed_f = self.default_speed
                elif acc_f is None and acc_b is not None:
                    fwd = False
                if acc_b is not None and acc_b not in self.access_denied:
                    speed_b = self.default_speed
                elif acc_b is None and acc_f is not None:
                    bwd = False
        if speed_f < 0 and speed_b < 0 and fixed_duration is None:
            return None

        # maxspeed replaces the type's speed
        ms_f, ms_b = self._directional(tags, self.maxspeed_keys)
        ms_f_v, ms_b_v = self.parse_maxspeed(ms_f), self.parse_maxspeed(ms_b)
        if ms_f_v > 0:
            speed_f = ms_f_v * self.maxspeed_factor
        if ms_b_v > 0:
            speed_b = ms_b_v * self.maxspeed_factor

        # surface caps
        for key, table in (
            ("surface", self.surface_speeds),
            ("tracktype", self.tracktype_speeds),
            ("smoothness", self.smoothness_speeds),
        ):
            cap = table.get(tags.get(key, ""))
            if cap is not None:
                speed_f = min(speed_f, float(cap))
                speed_b = min(speed_b, float(cap))

        # preference factors
        factor = 1.0
        service = tags.get("service")
        if service in self.service_factors:
            factor = min(factor, float(self.service_factors[service]))
        two_way = fwd and bwd
        width_factor = 1.0
        if tags.get("lane_markings") == "no" and two_way:
            width_factor = self.no_lane_markings_factor
        width = _metres(tags.get("width"))
        if width is not None and two_way:
            for step in self.width_factors:
                limit = float(step["max_width"])
                if (width <= limit) if step.get("inclusive") else (width < limit):
                    width_factor = float(step["factor"])
                    break
        lanes_m = re.match(r"\d+", tags.get("lanes", ""))
        if lanes_m and int(lanes_m.group(0)) <= 1 and two_way:
            width_factor = self.single_lane_factor
        factor = min(factor, width_factor)
        if oneway == "alternating":
            factor = min(factor, self.alternating_factor)
        if tags.get("side_road") in {"yes", "rotary"}:
            factor = min(factor, self.side_road_factor)
        factor_f = factor_b = factor
        if tags.get("priority") == "forward":
            factor_b = min(factor_b, self.priority_factor)
        elif tags.get("priority") == "backward":
            factor_f = min(factor_f, self.priority_factor)

        if speed_f <= 0 and fixed_duration is None:
            fwd = False
        if speed_b <= 0 and fixed_duration is None:
            bwd = False
        if not fwd and not bwd:
            return None

        startpoint = not ferry
        if highway == "service" and acc_f in self.service_no_startpoint:
            startpoint = False
        return WayRule(
            forward=fwd,
            backward=bwd,
            forward_speed=max(speed_f, 0.0),
            backward_speed=max(speed_b, 0.0),
            forward_factor=factor_f,
            backward_factor=factor_b,
            forward_restricted=restr_f,
            backward_restricted=restr_b,
            startpoint=startpoint,
            roundabout=tags.get("junction") in {"roundabout", "circular"},
            highway=highway or route,
            fixed_duration_s=fixed_duration,
        )

    # --- nodes -------------------------------------------------------------------------------

    def node_rule(self, tags: Tags) -> NodeRule | None:
        """Interpret a node's tags; ``None`` when the node does not affect a car.

        Parameters
        ----------
        tags : dict
            All tags of the node.

        Returns
        -------
        NodeRule or None
        """
        access = self._resolve_access(next((tags[k] for k in self.access_keys if k in tags), None))
        if access is not None:
            if access in self.access_denied and access not in self.access_restricted:
                return NodeRule(closed=True, kind="access")
        else:
            barrier = tags.get("barrier")
            if barrier:
                closed_by_height = False
                if barrier == "height_restrictor":
                    h = _metres(tags.get("maxheight"))
                    closed_by_height = h is not None and h < self.vehicle["height"]
                exempt = (
                    barrier in self.barrier_passable
                    or tags.get("bollard") == "rising"
                    or tags.get("kerb") in {"lowered", "flush"}
                    or (barrier == "kerb" and tags.get("highway") == "crossing")
                    or (barrier == "fence" and tags.get("sensory") in {"audible", "audio"})
                    or barrier in self.barrier_penalties
                )
                if not exempt or closed_by_height:
                    return NodeRule(closed=True, kind=f"barrier={barrier}")
                if barrier in self.barrier_penalties:
                    return NodeRule(delay_s=float(self.barrier_penalties[barrier]), kind=barrier)
        highway = tags.get("highway")
        if highway == "traffic_signals":
            direction = tags.get("traffic_signals:direction") or tags.get("direction")
            return NodeRule(
                delay_s=self.traffic_signal_penalty,
                direction=direction if direction in {"forward", "backward"} else "both",
                kind="traffic_signals",
            )
        if highway == "stop":
            direction = tags.get("direction")
            return NodeRule(
                delay_s=self.stop_penalty,
                direction=direction if direction in {"forward", "backward"} else "both",
                minor_stop=tags.get("stop") == "minor",
                kind="stop",
            )
        if highway == "give_way":
            direction = tags.get("direction")
            return NodeRule(
                delay_s=self.give_way_penalty,
                direction=direction if direction in {"forward", "backward"} else "both",
                kind="give_way",
            )
        return None

    # --- turns -------------------------------------------------------------------------------

    def turn_seconds(self, angle, n_roads, is_u_turn, either_roundabout):  # type: ignore[no-untyped-def]
        """Turn duration in seconds for arrays of turns (OSRM ``process_turn``).

        Parameters
        ----------
        angle : numpy.ndarray
            Turn angle in degrees, -180..180, positive to the right, 0 straight on.
        n_roads : numpy.ndarray
            Number of roads meeting at the intersection (incoming and outgoing included).
        is_u_turn : numpy.ndarray of bool
            Whether the turn goes back onto the same road.
        either_roundabout : numpy.ndarray of bool
            Whether the incoming or outgoing road is part of a roundabout.

        Returns
        -------
        numpy.ndarray
            Seconds, 0 where no turn cost applies (no intersection, no U-turn).
        """
        import numpy as np

        bias = 1.0 / self.turn_bias if self.left_hand_driving else self.turn_bias
        a = np.asarray(angle, dtype=float)
        right = self.turn_penalty / (1 + np.exp(-((13 / bias) * a / 180 - 6.5 * bias)))
        left = self.turn_penalty / (1 + np.exp(-((13 * bias) * -a / 180 - 6.5 / bias)))
        cost = np.where(a >= 0, right, left)
        crosses = a > 0 if self.left_hand_driving else a < 0
        oncoming = crosses & ~is_u_turn & (n_roads > 2) & ~either_roundabout
        sharp = 1 / (1 + np.exp(-(13 * np.abs(a) / 180 - 3.25)))
        cost = cost + np.where(oncoming, self.oncoming_turn_penalty * sharp, 0.0)
        cost = cost + np.where(is_u_turn, self.u_turn_penalty, 0.0)
        applies = (n_roads > 2) | is_u_turn
        return np.where(applies, cost, 0.0)


def _parse_duration(value: str | None) -> float | None:
    """Parse an OSM ``duration`` (``HH:MM[:SS]``, minutes, ISO 8601 ``PT1H30M``) in seconds."""
    if not value:
        return None
    v = value.strip()
    m = re.fullmatch(r"(\d+):(\d{1,2})(?::(\d{1,2}))?", v)
    if m:
        h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        return max(float(h * 3600 + mi * 60 + s), 1.0)
    m = re.fullmatch(r"P(?:T)?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", v)
    if m and any(m.groups()):
        h, mi, s = (int(g or 0) for g in m.groups())
        return max(float(h * 3600 + mi * 60 + s), 1.0)
    if v.isdigit():
        return max(float(v) * 60, 1.0)
    return None


def default_profile() -> CarProfile:
    """Return the car profile from :data:`routing.settings.data_dir` (read once per file)."""
    path = Path(settings.data_dir) / "car_profile.yaml"
    key = (str(path), path.stat().st_mtime_ns if path.exists() else 0)
    cached = _PROFILE_CACHE.get(key)
    if cached is None:
        cached = _PROFILE_CACHE[key] = CarProfile(path)
    return cached


_PROFILE_CACHE: dict[tuple[str, int], CarProfile] = {}
