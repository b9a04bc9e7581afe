"""The pipeline's status machine and back-off at their edges (mutation-testing survivors)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from gateway.audit.chain import ChainBreak
from gateway.pipeline.lifecycle import Status, check_move, next_attempt

NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def test_an_allowed_move_returns_the_target_status() -> None:
    assert check_move("received", "validated") is Status.VALIDATED
    assert check_move(Status.SENDING, Status.DELIVERED) is Status.DELIVERED


def test_the_given_random_source_decides_the_delay() -> None:
    class Top(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    due = next_attempt(
        attempts=3, now=NOW, base_seconds=4, cap_seconds=600, max_attempts=9, rng=Top()
    )
    assert due == NOW + timedelta(seconds=16)  # the whole of 4 * 2**2


def test_a_chain_break_reads_as_the_entry_and_row_it_names() -> None:
    assert str(ChainBreak("org-1", 7, 42, "content altered")) == (
        "chain org-1: entry 7 (row 42): content altered"
    )
    assert str(ChainBreak("org-1", 7, None, "entries removed")) == (
        "chain org-1: entry 7: entries removed"
    )
