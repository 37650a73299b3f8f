"""Benchmarks of the router against OSRM, Valhalla and an osmnx/networkx baseline (issue 4).

``bench/engines.py`` fetches and builds the reference engines, ``bench/speed.py`` runs the speed
benchmark. Each engine answers queries in its own subprocess (``bench/workers/``), so that its
peak memory is measured on its own.
"""
