"""Fixtures of the benchmark tests: the worker folder importable, a tiny OSM file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

WORKERS = Path(__file__).resolve().parents[2] / "bench" / "workers"
if str(WORKERS) not in sys.path:
    sys.path.insert(0, str(WORKERS))  # workers import their sibling ``_common`` as top level

# A little town: a two-way square (1-2-3-4), a one-way spur into a dead end (2->5, so 5 is
# reachable but cannot be left), a footway and a private road. Node 9 belongs only to the footway.
TINY_OSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <node id="1" lat="52.0000" lon="5.0000"/>
  <node id="2" lat="52.0000" lon="5.0100"/>
  <node id="3" lat="52.0100" lon="5.0100"/>
  <node id="4" lat="52.0100" lon="5.0000"/>
  <node id="5" lat="52.0000" lon="5.0200"/>
  <node id="6" lat="52.0200" lon="5.0000"/>
  <node id="7" lat="52.0200" lon="5.0100"/>
  <node id="9" lat="52.0050" lon="5.0050"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
    <tag k="highway" v="residential"/></way>
  <way id="11"><nd ref="2"/><nd ref="5"/>
    <tag k="highway" v="tertiary"/><tag k="oneway" v="yes"/></way>
  <way id="12"><nd ref="1"/><nd ref="9"/><nd ref="3"/><tag k="highway" v="footway"/></way>
  <way id="13"><nd ref="4"/><nd ref="6"/><nd ref="7"/>
    <tag k="highway" v="residential"/><tag k="access" v="private"/></way>
</osm>
"""


@pytest.fixture
def tiny_osm(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.osm"
    path.write_text(TINY_OSM, encoding="utf-8")
    return path
