"""Optimistic concurrency: ``ETag`` on what a client may change, ``If-Match`` honoured.

The tag is the SHA-256 of the resource's JSON representation, so any change a
client could see changes it, and no version column is needed. A change sent
with an ``If-Match`` that is not the current tag is refused with 412 before
anything is touched; a change without ``If-Match`` goes through (the header is
optional, as for most public APIs; the 428 problem exists for routes that
insist).
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import Header, Response
from fastapi.encoders import jsonable_encoder

from gateway.errors import PreconditionFailed, PreconditionRequired

__all__ = ["IfMatch", "check_if_match", "etag_of", "with_etag"]

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag of your last read; if the resource changed since, 412",
    ),
]


def etag_of(representation: Any) -> str:
    """The strong ETag of a representation (a pydantic model, a dict, an ORM view)."""
    data = jsonable_encoder(representation)
    digest = hashlib.sha256(
        json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()
    return f'"{digest[:32]}"'


def check_if_match(header: str | None, current: Any, *, required: bool = False) -> None:
    """Refuse the change (412) unless ``If-Match`` names the current representation's tag."""
    if header is None:
        if required:
            raise PreconditionRequired("send If-Match with the ETag of your last read")
        return
    if header.strip() == "*":
        return
    tag = etag_of(current)
    offered = [t.strip() for t in header.split(",")]
    if tag not in offered:  # strong comparison (RFC 9110 §13.1.1): W/ tags never match
        raise PreconditionFailed(
            "the resource changed since you read it; GET it again and retry with its ETag",
            current_etag=tag,
        )


def with_etag(response: Response, representation: Any) -> Any:
    """Set the ``ETag`` header for ``representation`` and hand it back for returning."""
    response.headers["ETag"] = etag_of(representation)
    return representation
