"""Query parameters for paging, bounded so no number reaches the database out of range.

SQLite binds integers as signed 64-bit and PostgreSQL's OFFSET is a bigint: an
unbounded ``offset=99999999999999999999`` was a 500 (OverflowError) instead of
a 422 naming the parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, TypeVar
from urllib.parse import quote

from fastapi import Query, Request, Response

__all__ = ["MAX_OFFSET", "After", "ListLimit", "Offset", "page_headers", "paged_list"]

T = TypeVar("T")

# Reserved and already-escaped characters stay as they are; everything else is encoded.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"

# Far past any real listing, far below 2**63.
MAX_OFFSET = 2**31 - 1

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")]
After = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="return entries after this sequence")]

# Lists that were unpaged before take a generous default, so old clients see everything.
ListLimit = Annotated[int, Query(ge=1, le=1000, description="rows to return")]


def page_headers(
    request: Request, response: Response, *, total: int, limit: int, offset: int
) -> None:
    """``X-Total-Count`` and RFC 8288 ``Link`` (first, prev, next, last) on a list's answer.

    Every list of the API carries them, whatever its body; the bodies of paged
    lists also hold ``total``, ``limit`` and ``offset``.
    """
    response.headers["X-Total-Count"] = str(total)

    def at(start: int) -> str:
        url = str(request.url.include_query_params(limit=limit, offset=max(start, 0)))
        # A header is Latin-1: a path with other characters goes percent-encoded (RFC 3986),
        # never as a 500 (found by the fuzz run: /v1/tenders/<non-ASCII id>/my-bids).
        return quote(url, safe=_URL_SAFE)

    links = [f'<{at(0)}>; rel="first"']
    if offset > 0:
        links.append(f'<{at(offset - limit)}>; rel="prev"')
    if offset + limit < total:
        links.append(f'<{at(offset + limit)}>; rel="next"')
    last = max((total - 1) // limit * limit, 0) if total else 0
    links.append(f'<{at(last)}>; rel="last"')
    response.headers["Link"] = ", ".join(links)


def paged_list(
    request: Request, response: Response, items: Sequence[T], *, limit: int, offset: int
) -> list[T]:
    """One page of a list computed in full, with the paging headers set."""
    page_headers(request, response, total=len(items), limit=limit, offset=offset)
    return list(items[offset : offset + limit])
