"""What the tax agency sandbox remembers: delegations, companies, drafts, and answered messages.

One SQLite database: in memory by default (a fresh agency per process), or a
file when the sandbox should survive restarts. Calls come from the server's
event loop and from tests or the portal endpoint at once, so one lock guards
the connection.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from gateway.errors import Conflict, NotFound
from sandbox.skat_calendar import QUARTERLY

__all__ = ["Draft", "SkatState"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS delegation (
    se TEXT NOT NULL, provider TEXT NOT NULL, PRIMARY KEY (se, provider));
CREATE TABLE IF NOT EXISTS company (
    se TEXT PRIMARY KEY, frequency INTEGER NOT NULL, registered TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS draft (
    transaction_id TEXT PRIMARY KEY, se TEXT NOT NULL, period_start TEXT NOT NULL,
    period_end TEXT NOT NULL, fields TEXT NOT NULL, status TEXT NOT NULL, kind TEXT NOT NULL,
    provider TEXT NOT NULL, submitted_at TEXT NOT NULL, decided_at TEXT);
CREATE INDEX IF NOT EXISTS draft_period ON draft (se, period_start, period_end);
CREATE TABLE IF NOT EXISTS reply (
    provider TEXT NOT NULL, message_id TEXT NOT NULL, request_hash TEXT NOT NULL,
    response BLOB NOT NULL, PRIMARY KEY (provider, message_id));
"""

PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
SUPERSEDED = "superseded"


@dataclass(frozen=True, slots=True)
class Draft:
    """A VAT return as the agency holds it."""

    transaction_id: str
    se: str
    period_start: date
    period_end: date
    fields: dict[str, int]
    status: str
    kind: str  # "ordinary" or "correction"
    provider: str
    submitted_at: datetime
    decided_at: datetime | None


def _draft(row: sqlite3.Row) -> Draft:
    return Draft(
        transaction_id=row["transaction_id"],
        se=row["se"],
        period_start=date.fromisoformat(row["period_start"]),
        period_end=date.fromisoformat(row["period_end"]),
        fields=json.loads(row["fields"]),
        status=row["status"],
        kind=row["kind"],
        provider=row["provider"],
        submitted_at=datetime.fromisoformat(row["submitted_at"]),
        decided_at=datetime.fromisoformat(row["decided_at"]) if row["decided_at"] else None,
    )


class SkatState:
    """The sandbox agency's memory; ``path=None`` keeps it in memory only."""

    def __init__(self, path: str | Path | None = None) -> None:
        self._db = sqlite3.connect(
            ":memory:" if path is None else str(path), check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        with self._tx() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._db:
            yield self._db

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ---------------------------------------------------------------- delegation

    def grant(self, se: str, provider: str) -> None:
        """Record that company ``se`` delegated VAT reporting to software provider ``provider``."""
        with self._tx() as db:
            db.execute("INSERT OR IGNORE INTO delegation VALUES (?, ?)", (se, provider))

    def revoke(self, se: str, provider: str) -> None:
        """Withdraw a delegation."""
        with self._tx() as db:
            db.execute("DELETE FROM delegation WHERE se = ? AND provider = ?", (se, provider))

    def is_delegated(self, se: str, provider: str) -> bool:
        with self._tx() as db:
            row = db.execute(
                "SELECT 1 FROM delegation WHERE se = ? AND provider = ?", (se, provider)
            ).fetchone()
        return row is not None

    # ------------------------------------------------------------------ companies

    def set_company(
        self, se: str, *, frequency: int = QUARTERLY, registered: date = date(2000, 1, 1)
    ) -> None:
        """Set a company's VAT frequency; unknown companies report quarterly."""
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO company VALUES (?, ?, ?)",
                (se, frequency, registered.isoformat()),
            )

    def company(self, se: str) -> tuple[int, date]:
        """The company's VAT frequency code and registration date."""
        with self._tx() as db:
            row = db.execute("SELECT * FROM company WHERE se = ?", (se,)).fetchone()
        if row is None:
            return QUARTERLY, date(2000, 1, 1)
        return row["frequency"], date.fromisoformat(row["registered"])

    # --------------------------------------------------------------------- drafts

    def add_draft(
        self,
        *,
        transaction_id: str,
        se: str,
        period: tuple[date, date],
        fields: dict[str, int],
        provider: str,
        now: datetime,
    ) -> Draft:
        """Store a new draft; an open draft for the period is superseded by it."""
        start, end = (d.isoformat() for d in period)
        with self._tx() as db:
            approved = db.execute(
                "SELECT 1 FROM draft WHERE se = ? AND period_start = ? AND period_end = ? "
                "AND status = ?",
                (se, start, end, APPROVED),
            ).fetchone()
            db.execute(
                "UPDATE draft SET status = ?, decided_at = ? WHERE se = ? AND period_start = ? "
                "AND period_end = ? AND status = ?",
                (SUPERSEDED, now.isoformat(), se, start, end, PENDING),
            )
            db.execute(
                "INSERT INTO draft VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                (
                    transaction_id,
                    se,
                    start,
                    end,
                    json.dumps(fields, sort_keys=True),
                    PENDING,
                    "correction" if approved else "ordinary",
                    provider,
                    now.isoformat(),
                ),
            )
        return self.draft(transaction_id)

    def draft(self, transaction_id: str) -> Draft:
        with self._tx() as db:
            row = db.execute(
                "SELECT * FROM draft WHERE transaction_id = ?", (transaction_id,)
            ).fetchone()
        if row is None:
            raise NotFound(f"no draft with transaction id {transaction_id}")
        return _draft(row)

    def find_draft(self, transaction_id: str) -> Draft | None:
        try:
            return self.draft(transaction_id)
        except NotFound:
            return None

    def drafts(self, se: str) -> list[Draft]:
        with self._tx() as db:
            rows = db.execute(
                "SELECT * FROM draft WHERE se = ? ORDER BY submitted_at", (se,)
            ).fetchall()
        return [_draft(r) for r in rows]

    def previous_approved(self, draft: Draft) -> Draft | None:
        """The approved return a correction replaces (the latest before it)."""
        with self._tx() as db:
            row = db.execute(
                "SELECT * FROM draft WHERE se = ? AND period_start = ? AND period_end = ? "
                "AND status = ? AND submitted_at < ? ORDER BY submitted_at DESC LIMIT 1",
                (
                    draft.se,
                    draft.period_start.isoformat(),
                    draft.period_end.isoformat(),
                    APPROVED,
                    draft.submitted_at.isoformat(),
                ),
            ).fetchone()
        return _draft(row) if row else None

    def decide(self, transaction_id: str, *, approve: bool, now: datetime | None = None) -> Draft:
        """The company approves (or rejects) a pending draft on the portal."""
        draft = self.draft(transaction_id)
        if draft.status != PENDING:
            raise Conflict(f"draft {transaction_id} is {draft.status}, not pending")
        moment = (now or datetime.now(UTC)).isoformat()
        with self._tx() as db:
            db.execute(
                "UPDATE draft SET status = ?, decided_at = ? WHERE transaction_id = ?",
                (APPROVED if approve else REJECTED, moment, transaction_id),
            )
        return self.draft(transaction_id)

    # -------------------------------------------------------------------- replies

    def reply(self, provider: str, message_id: str) -> tuple[str, bytes] | None:
        """The request hash and stored answer for a message id already seen."""
        with self._tx() as db:
            row = db.execute(
                "SELECT request_hash, response FROM reply WHERE provider = ? AND message_id = ?",
                (provider, message_id),
            ).fetchone()
        return (row["request_hash"], bytes(row["response"])) if row else None

    def remember_reply(
        self, provider: str, message_id: str, request_hash: str, response: bytes
    ) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO reply VALUES (?, ?, ?, ?)",
                (provider, message_id, request_hash, response),
            )
