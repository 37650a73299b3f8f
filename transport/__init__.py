"""Rules of Dutch zittend ziekenvervoer as code: eligibility, hardheidsclausule, rates, quotes."""
