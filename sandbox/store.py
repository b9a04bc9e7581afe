"""The sandbox authorities' own small database (SQLite), shared by every process."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["Intake", "SandboxStore", "accept_once"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    authority TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    receipt_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT,
    PRIMARY KEY (authority, message_id)
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    authority TEXT NOT NULL,
    message_id TEXT NOT NULL,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS config (
    authority TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (authority, key)
);
"""


class SandboxStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._conn().executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; BEGIN IMMEDIATE serialises writers across processes."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def get_config(self, authority: str, key: str, default: str) -> str:
        row = (
            self._conn()
            .execute("SELECT value FROM config WHERE authority=? AND key=?", (authority, key))
            .fetchone()
        )
        return str(row["value"]) if row else default

    def set_config(self, authority: str, values: dict[str, str]) -> None:
        with self.tx() as db:
            for k, v in values.items():
                db.execute(
                    "INSERT INTO config(authority, key, value) VALUES(?,?,?) "
                    "ON CONFLICT(authority, key) DO UPDATE SET value=excluded.value",
                    (authority, k, v),
                )


@dataclass(frozen=True, slots=True)
class Intake:
    """What an authority's intake made of one delivery."""

    receipt_id: str
    duplicate: bool  # the message id was seen before with the same document
    conflict: bool  # the message id was seen before with another document


def accept_once(
    store: SandboxStore,
    authority: str,
    *,
    message_id: str,
    sender: str,
    recipient: str,
    kind: str,
    sha256: str,
    receipt_prefix: str,
    status: str,
    detail: str | None = None,
) -> Intake:
    """Record a delivery once per message id, as every authority's intake does."""
    now = datetime.now(UTC).isoformat()
    with store.tx() as db:
        row = db.execute(
            "SELECT receipt_id, sha256 FROM messages WHERE authority=? AND message_id=?",
            (authority, message_id),
        ).fetchone()
        if row is not None:
            db.execute(
                "INSERT INTO deliveries(authority, message_id, at, outcome) VALUES(?,?,?,?)",
                (authority, message_id, now, "duplicate"),
            )
            return Intake(str(row["receipt_id"]), True, row["sha256"] != sha256)
        receipt_id = f"{receipt_prefix}-{uuid.uuid4().hex[:16].upper()}"
        db.execute(
            "INSERT INTO messages VALUES(?,?,?,?,?,?,?,?,?,?)",
            (
                authority,
                message_id,
                sender,
                recipient,
                kind,
                sha256,
                receipt_id,
                now,
                status,
                detail,
            ),
        )
        db.execute(
            "INSERT INTO deliveries(authority, message_id, at, outcome) VALUES(?,?,?,?)",
            (authority, message_id, now, "accepted"),
        )
    return Intake(receipt_id, False, False)
