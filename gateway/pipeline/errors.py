"""Pipeline errors.

GatewayError
├── InvalidDocument   RefusedDocument (hostile or malformed XML, 422; 413 when too large)
├── BadRequest        UnknownKind
└── Conflict          IdempotencyConflict (from gateway.errors)
"""

from __future__ import annotations

from gateway.errors import BadRequest, InvalidDocument

__all__ = ["RefusedDocument", "UnknownKind"]


class RefusedDocument(InvalidDocument):
    title = "Document refused"
    slug = "document-refused"


class UnknownKind(BadRequest):
    title = "Unknown document kind"
    slug = "unknown-kind"
