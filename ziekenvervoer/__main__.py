"""Run the command line with ``python -m ziekenvervoer``."""

from ziekenvervoer.cli import main

main()
