"""Errors of the audit anchoring.

GatewayError
├── AuditError (500)
│   ├── CheckpointStoreError (500)   the checkpoint folder cannot be read or written
│   └── TimestampError (503)         the time-stamping authority failed or answered wrongly
├── Conflict
│   ├── CheckpointExists (409)       that checkpoint number was taken (another maker won)
│   └── ChainNotAnchorable (409)     a chain no longer extends what the last checkpoint holds
└── NotFound
    └── CheckpointNotFound (404)     no checkpoint with that number
"""

from __future__ import annotations

from gateway.errors import Conflict, GatewayError, NotFound

__all__ = [
    "AuditError",
    "ChainNotAnchorable",
    "CheckpointExists",
    "CheckpointNotFound",
    "CheckpointStoreError",
    "TimestampError",
]


class AuditError(GatewayError):
    title = "Audit error"
    slug = "audit-error"


class CheckpointStoreError(AuditError):
    title = "Checkpoint store error"
    slug = "checkpoint-store-error"


class TimestampError(AuditError):
    status = 503
    title = "Time-stamping failed"
    slug = "timestamp-failed"


class CheckpointExists(Conflict):
    title = "Checkpoint exists"
    slug = "checkpoint-exists"


class ChainNotAnchorable(Conflict):
    title = "Chain does not extend its checkpoint"
    slug = "chain-not-anchorable"


class CheckpointNotFound(NotFound):
    title = "Checkpoint not found"
    slug = "checkpoint-not-found"
