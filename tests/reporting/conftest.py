"""Fixtures of the reporting tests."""

from __future__ import annotations

import pytest

from adapters.ledger import Ledger
from tests.reporting.reporting_fixtures import build, sample_records


@pytest.fixture
def sample_ledger() -> Ledger:
    return build(sample_records())
