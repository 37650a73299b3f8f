"""Shared test fixtures: the real extracts in ../shared/data, skipped with a reason when absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


def shared_path(*parts: str) -> Path:
    """Return a path under ../shared/data, skipping the calling test when it does not exist.

    In CI (``CI=true``) a missing file is an error instead of a skip: CI must test on real data.
    """
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        reason = f"shared data not found: {path} (check out ../shared beside the project)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The ../shared/data folder."""
    return shared_path()
