"""Fixtures for the validation tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.validation import Validator


@pytest.fixture(scope="session")
def validator(artefacts_dir: Path) -> Validator:
    """One validator for the session: every stylesheet compiles once."""
    return Validator(artefacts_dir)
