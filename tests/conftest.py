"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _artefacts_dir() -> Path:
    return Path(os.environ.get("GW_ARTEFACTS_DIR", ROOT / "var" / "artefacts")).resolve()


@pytest.fixture(scope="session")
def artefacts_dir() -> Path:
    """The installed official artefacts (installed by manifest before the suite runs)."""
    path = _artefacts_dir()
    if not path.is_dir():
        pytest.fail(f"artefacts are not installed in {path}: run `gateway artefacts install`")
    return path
