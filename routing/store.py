"""Save and load a compiled map: the car network and its contraction hierarchy.

Building the network and ordering the hierarchy takes seconds for a city and minutes for a country;
loading the saved arrays takes milliseconds. A compiled map is one ``.zvengine`` file (a numpy
``.npz`` archive, written atomically) beside the map file, or in the cache folder when the map's
folder is read-only. Its header ties it to

- the format version of this module,
- the SHA-256 of the map file,
- the SHA-256 of the speed profile,

and a compiled map whose header does not match is never used: it is rebuilt.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from routing import settings
from routing.cch import CCH
from routing.maps import _identity
from routing.network import CarNetwork
from routing.profile import CarProfile
from routing.results import MapIdentity

#: Bump when the saved arrays or their meaning change.
FORMAT_VERSION = 3
SUFFIX = ".zvengine"

_ARRAYS = (
    "lat", "lon", "osm_node_ids", "way_ids", "chain", "chain_m", "edge_first", "edge_last",
    "edge_u", "edge_v", "edge_way", "edge_length_m", "edge_startpoint", "state_ok",
    "state_weight_ms", "state_duration_s", "state_restricted", "arc_from", "arc_to",
    "arc_weight_ms", "arc_turn_s", "arc_ptr", "state_component",
)  # fmt: skip


def candidate_paths(map_path: Path, map_sha256: str, profile: CarProfile) -> list[Path]:
    """Where a compiled map may live: beside the map (if that folder is writable), then the cache.

    A folder whose permission bits allow no writing (a shared, read-only data folder) is left
    alone even for a user, such as root, whom the system would let write there.
    """
    name = f"{map_path.name}.{profile.sha256[:12]}{SUFFIX}"
    cache_name = f"{map_sha256[:16]}.{profile.sha256[:12]}{SUFFIX}"
    cache = Path(settings.cache_dir) / "engines" / cache_name
    folder = map_path.resolve().parent
    try:
        writable = bool(folder.stat().st_mode & 0o222) and os.access(folder, os.W_OK)
    except OSError:
        writable = False
    return [map_path.with_name(name), cache] if writable else [cache]


def save(
    network: CarNetwork,
    cch: CCH | None,
    map_path: Path,
    extra: dict[str, Any] | None = None,
) -> Path | None:
    """Save a compiled map beside ``map_path`` (or in the cache folder); return where, or None.

    Failing to save (read-only folders, full disk) is not an error: the map is only rebuilt next
    time.
    """
    header = {
        "format": FORMAT_VERSION,
        "map_sha256": network.identity.sha256,
        "profile_sha256": network.profile.sha256,
        "identity": network.identity.to_dict(),
        "bounds": list(network.bounds),
        "main_component": network.main_component,
        "stats": network.stats,
        "way_names": network.way_names,
        "way_highway": network.way_highway,
        **(extra or {}),
    }
    arrays = {name: getattr(network, name) for name in _ARRAYS}
    if cch is not None:
        arrays.update({f"cch_{name}": value for name, value in cch.arrays().items()})
    arrays["header"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
    for target in candidate_paths(map_path, network.identity.sha256, network.profile):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".npz")
            os.close(fd)
            try:
                np.savez(tmp, **arrays)
                os.replace(tmp, target)
            finally:
                Path(tmp).unlink(missing_ok=True)
            return target
        except OSError:
            continue
    return None


def load(map_path: Path, profile: CarProfile) -> tuple[CarNetwork, CCH | None] | None:
    """Load the compiled map of ``map_path`` if one exists and matches the file and profile.

    Returns
    -------
    (CarNetwork, CCH or None) or None
        ``None`` when there is no usable compiled map (then build it).
    """
    identity = _identity(map_path)
    for path in candidate_paths(map_path, identity.sha256, profile):
        if not path.is_file():
            continue
        try:
            with np.load(path, allow_pickle=False) as z:
                header = json.loads(bytes(z["header"]).decode("utf-8"))
                if (
                    header.get("format") != FORMAT_VERSION
                    or header.get("map_sha256") != identity.sha256
                    or header.get("profile_sha256") != profile.sha256
                ):
                    continue
                arrays = {name: z[name] for name in _ARRAYS}
                cch = (
                    CCH(**{name: z[f"cch_{name}"] for name in CCH.ARRAYS})
                    if all(f"cch_{name}" in z.files for name in CCH.ARRAYS)
                    else None
                )
        except (OSError, ValueError, KeyError):
            continue  # unreadable or truncated: rebuild
        network = CarNetwork(
            identity=MapIdentity(**{**header["identity"], **_fresh(identity)}),
            profile=profile,
            bounds=tuple(header["bounds"]),
            way_names=header["way_names"],
            way_highway=header["way_highway"],
            main_component=int(header["main_component"]),
            stats=header["stats"],
            **arrays,
        )
        return network, cch
    return None


def _fresh(identity: MapIdentity) -> dict[str, Any]:
    """Return the parts of the identity that come from the file itself, not the saved header."""
    return {"source": identity.source, "sha256": identity.sha256, "query": identity.query,
            "downloaded": identity.downloaded}  # fmt: skip
