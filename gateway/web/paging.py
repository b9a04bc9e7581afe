"""Query parameters for paging, bounded so no number reaches the database out of range.

SQLite binds integers as signed 64-bit and PostgreSQL's OFFSET is a bigint: an
unbounded ``offset=99999999999999999999`` was a 500 (OverflowError) instead of
a 422 naming the parameter.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

__all__ = ["MAX_OFFSET", "After", "Offset"]

# Far past any real listing, far below 2**63.
MAX_OFFSET = 2**31 - 1

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")]
After = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="return entries after this sequence")]
