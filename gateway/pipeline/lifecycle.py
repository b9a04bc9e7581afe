"""The submission status machine and retry timing (pure, no I/O)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from enum import StrEnum

__all__ = [
    "ACTIVE",
    "FINAL",
    "IllegalTransition",
    "Status",
    "can_move",
    "check_move",
    "next_attempt",
]


class Status(StrEnum):
    RECEIVED = "received"
    VALIDATED = "validated"
    SIGNED = "signed"
    QUEUED = "queued"
    SENDING = "sending"
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"
    INVALID = "invalid"
    REJECTED = "rejected"
    FAILED = "failed"
    DEAD = "dead"


_MOVES: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.VALIDATED, Status.INVALID, Status.FAILED, Status.DEAD}),
    Status.VALIDATED: frozenset({Status.SIGNED, Status.FAILED, Status.DEAD}),
    Status.SIGNED: frozenset({Status.QUEUED, Status.FAILED, Status.DEAD}),
    # Inbound documents are delivered to us: they go from queued straight to delivered.
    Status.QUEUED: frozenset({Status.SENDING, Status.DELIVERED, Status.FAILED, Status.DEAD}),
    Status.SENDING: frozenset(
        {Status.DELIVERED, Status.REJECTED, Status.QUEUED, Status.FAILED, Status.DEAD}
    ),
    Status.DELIVERED: frozenset({Status.ACKNOWLEDGED, Status.REJECTED, Status.DEAD}),
    # A failure that a person fixed can be retried from the start.
    Status.FAILED: frozenset({Status.QUEUED, Status.DEAD}),
    Status.ACKNOWLEDGED: frozenset(),
    Status.INVALID: frozenset(),
    Status.REJECTED: frozenset(),
    Status.DEAD: frozenset(),
}

FINAL = frozenset({Status.ACKNOWLEDGED, Status.INVALID, Status.REJECTED, Status.DEAD})
# States in which the sweeper expects more work to happen.
ACTIVE = frozenset(
    {
        Status.RECEIVED,
        Status.VALIDATED,
        Status.SIGNED,
        Status.QUEUED,
        Status.SENDING,
        Status.DELIVERED,
    }
)


class IllegalTransition(ValueError):
    pass


def can_move(current: Status | str, target: Status | str) -> bool:
    return Status(target) in _MOVES[Status(current)]


def check_move(current: Status | str, target: Status | str) -> Status:
    if not can_move(current, target):
        raise IllegalTransition(f"a submission cannot go from {current} to {target}")
    return Status(target)


def next_attempt(
    *,
    attempts: int,
    now: datetime,
    base_seconds: float,
    cap_seconds: float,
    max_attempts: int,
    rng: random.Random | None = None,
) -> datetime | None:
    """When to try again after ``attempts`` failures, or None when it is time to give up.

    Exponential back-off with "full jitter": uniformly between half and the whole
    of ``base * 2**(attempts-1)``, capped, so retries of many submissions spread out.
    """
    if attempts >= max_attempts:
        return None
    ceiling = min(cap_seconds, base_seconds * (2 ** max(attempts - 1, 0)))
    r = rng or random
    delay = r.uniform(ceiling / 2, ceiling)
    return now + timedelta(seconds=delay)
