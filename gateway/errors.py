"""Domain errors of the gateway, rendered as RFC 9457 problem details.

    GatewayError (500)
    ├── BadRequest (400)
    │   └── InvalidDocument (422)   carries validation findings
    ├── Unauthenticated (401)
    ├── Forbidden (403)
    ├── NotFound (404)               also for another organisation's object
    ├── Conflict (409)
    │   └── IdempotencyConflict
    ├── PreconditionFailed (412)      a stale ``If-Match``
    ├── PayloadTooLarge (413)
    ├── PreconditionRequired (428)
    └── Unavailable (503)

Every domain's own error base derives from :class:`GatewayError`, so one
handler turns any of them into ``application/problem+json``.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "BadRequest",
    "Conflict",
    "Forbidden",
    "GatewayError",
    "IdempotencyConflict",
    "InvalidDocument",
    "NotFound",
    "PayloadTooLarge",
    "PreconditionFailed",
    "PreconditionRequired",
    "Unauthenticated",
    "Unavailable",
]


class GatewayError(Exception):
    """Base of every error we raise on purpose; ``detail`` is safe to show."""

    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"
    slug: ClassVar[str] = "internal"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions

    @property
    def type_uri(self) -> str:
        return f"https://gateway.example/problems/{self.slug}"

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type_uri,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        return body


class BadRequest(GatewayError):
    status = 400
    title = "Bad request"
    slug = "bad-request"


class InvalidDocument(BadRequest):
    """A document refused by the parser or by validation; ``findings`` lists why."""

    status = 422
    title = "Invalid document"
    slug = "invalid-document"


class Unauthenticated(GatewayError):
    status = 401
    title = "Unauthenticated"
    slug = "unauthenticated"


class Forbidden(GatewayError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


class NotFound(GatewayError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(GatewayError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class IdempotencyConflict(Conflict):
    title = "Idempotency key reused"
    slug = "idempotency-conflict"


class PreconditionFailed(GatewayError):
    """The resource changed since the caller read it: its ``If-Match`` names an old ETag.

    Read the resource again (GET), apply the change to what it holds now, and
    send the request with the new ``ETag`` in ``If-Match``.
    """

    status = 412
    title = "Precondition failed"
    slug = "precondition-failed"


class PreconditionRequired(GatewayError):
    """The change must say which version it applies to: send ``If-Match: <ETag>``."""

    status = 428
    title = "Precondition required"
    slug = "precondition-required"


class PayloadTooLarge(GatewayError):
    status = 413
    title = "Payload too large"
    slug = "payload-too-large"


class Unavailable(GatewayError):
    status = 503
    title = "Service unavailable"
    slug = "unavailable"
