"""Shared test fixtures: where the golden corpus lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def golden_dir() -> Path | None:
    """The golden corpus: $ASNGEN_GOLDEN, else ../shared/golden beside the repository."""
    candidates = [os.environ.get("ASNGEN_GOLDEN"), REPO.parent / "shared" / "golden"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "cases.json").is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def golden() -> Path:
    found = golden_dir()
    if found is None:
        pytest.skip("golden corpus not found (set ASNGEN_GOLDEN or place it at ../shared/golden)")
    return found
