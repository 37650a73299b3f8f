"""Global settings of ziekenvervoer (in the style of ``osmnx.settings``).

Change a value by assignment, for example ``routing.settings.snap_limit_m = 150``, or through the
environment variables named below (read once, at import). Command-line options override both.

Attributes
----------
data_dir : pathlib.Path
    Folder with the parameter files and the speed profile. Defaults to the ``data/`` folder shipped
    with the package; ``ZIEKENVERVOER_DATA`` points it elsewhere.
cache_dir : pathlib.Path
    Folder for downloaded maps, compiled engines and geocoder caches
    (``ZIEKENVERVOER_CACHE``, default ``~/.cache/ziekenvervoer``).
snap_limit_m : float
    A point farther than this from any drivable road is a ``NoSegment`` error (default 250 m).
overpass_url : str
    Base URL of the Overpass API used for map downloads (``ZIEKENVERVOER_OVERPASS_URL``).
nominatim_url : str
    Base URL of the Nominatim API (``ZIEKENVERVOER_NOMINATIM_URL``).
pdok_url : str
    Base URL of the PDOK Locatieserver (``ZIEKENVERVOER_PDOK_URL``).
online_geocoding : bool
    Whether online geocoders may be used at all. Off by default: patient addresses are personal
    data and leave the machine only when the user opts in (``ZIEKENVERVOER_ONLINE_GEOCODING=1``).
user_agent : str
    HTTP User-Agent sent to online services, as their usage policies require.
"""

from __future__ import annotations

import os
from pathlib import Path


def _default_data_dir() -> Path:
    """Return the ``data/`` folder: beside the packages in a checkout, else the installed copy."""
    checkout = Path(__file__).resolve().parent.parent / "data"
    if (checkout / "car_profile.yaml").is_file():
        return checkout
    from importlib.resources import files

    return Path(str(files("ziekenvervoer.data")))


data_dir: Path = (
    Path(os.environ["ZIEKENVERVOER_DATA"])
    if os.environ.get("ZIEKENVERVOER_DATA")
    else _default_data_dir()
)
cache_dir: Path = Path(
    os.environ.get("ZIEKENVERVOER_CACHE", Path.home() / ".cache" / "ziekenvervoer")
)
snap_limit_m: float = float(os.environ.get("ZIEKENVERVOER_SNAP_LIMIT_M", "250"))
overpass_url: str = os.environ.get("ZIEKENVERVOER_OVERPASS_URL", "https://overpass-api.de/api")
nominatim_url: str = os.environ.get(
    "ZIEKENVERVOER_NOMINATIM_URL", "https://nominatim.openstreetmap.org/"
)
pdok_url: str = os.environ.get(
    "ZIEKENVERVOER_PDOK_URL", "https://api.pdok.nl/bzk/locatieserver/search/v3_1"
)
online_geocoding: bool = os.environ.get("ZIEKENVERVOER_ONLINE_GEOCODING", "") in {
    "1",
    "true",
    "yes",
}
user_agent: str = "ziekenvervoer/0.1 (https://github.com/ziekenvervoer/ziekenvervoer)"
