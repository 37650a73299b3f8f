"""ziekenvervoer: interfaces (command line, web) on top of :mod:`routing` and :mod:`transport`.

The rules live in :mod:`transport`, the kilometres in :mod:`routing`; this package only presents
them. Its ``data`` subpackage is the project's ``data/`` folder (parameters, speed profile).
"""

__version__ = "0.1.0"
