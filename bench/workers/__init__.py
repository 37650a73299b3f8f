"""Engine workers: small scripts that each run one engine in its own process.

A worker is started as ``python <worker>.py REQUEST.json RESPONSE.json`` by the harness, possibly
in another Python (OSRM's bindings need 3.12, pyvalhalla 3.2.0 needs 3.11). Workers use only the
standard library plus their engine, and share code through ``_common.py``.
"""
