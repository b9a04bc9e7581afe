"""The sandbox authorities' own small database (SQLite), shared by every process."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["SandboxStore"]

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
