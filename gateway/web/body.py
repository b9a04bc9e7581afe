"""Reading request bodies with a size limit, before anything is parsed or stored."""

from __future__ import annotations

from fastapi import Request

from gateway.errors import PayloadTooLarge

__all__ = ["read_limited"]


async def read_limited(request: Request, max_bytes: int) -> bytes:
    """The whole body, refusing it as soon as it passes ``max_bytes``."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise PayloadTooLarge(f"body is {declared} bytes; the limit is {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(f"body is over the limit of {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
