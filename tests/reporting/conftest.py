"""Fixtures of the reporting tests."""

from __future__ import annotations

import pytest
from reporting_fixtures import build, sample_records

from adapters.ledger import Ledger


@pytest.fixture
def sample_ledger() -> Ledger:
    return build(sample_records())
