"""Errors of the adapters; each carries the problems found in the source.

InvalidDocument (gateway.errors, 422)
└── AdapterError              ``problems``: list of Problem (file, line/element, message)
    ├── UnknownFormat         no reader recognises the file
    ├── UnreadableSource      not well-formed, wrong encoding, broken CSV
    ├── LedgerRejected        read fully, but the books do not add up
    └── ProfileError (400)    a CSV mapping profile is missing or invalid
"""

from __future__ import annotations

from collections.abc import Sequence

from gateway.errors import InvalidDocument

from .problems import Problem

__all__ = ["AdapterError", "LedgerRejected", "ProfileError", "UnknownFormat", "UnreadableSource"]


class AdapterError(InvalidDocument):
    """A source file refused by an adapter; ``problems`` says where and why."""

    title = "Ledger file refused"
    slug = "ledger-file-refused"

    def __init__(self, detail: str, *, problems: Sequence[Problem] = (), truncated: bool = False):
        self.problems = list(problems)
        super().__init__(
            detail,
            problems=[p.to_dict() for p in self.problems],
            findings=[p.to_finding() for p in self.problems],
            truncated=truncated,
        )


class UnknownFormat(AdapterError):
    title = "Unknown ledger file format"
    slug = "unknown-ledger-format"


class UnreadableSource(AdapterError):
    title = "Unreadable ledger file"
    slug = "unreadable-ledger-file"


class LedgerRejected(AdapterError):
    title = "Ledger does not add up"
    slug = "ledger-rejected"


class ProfileError(AdapterError):
    status = 400
    title = "Invalid CSV mapping profile"
    slug = "invalid-csv-profile"
