"""API key format and hashing (pure)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

__all__ = ["ParsedKey", "hash_secret", "new_key", "parse_key", "secret_matches"]

PREFIX = "gw"


@dataclass(frozen=True, slots=True)
class ParsedKey:
    key_id: str
    secret: str


def new_key() -> tuple[str, ParsedKey]:
    """A new key ``gw_<id>_<secret>``; the secret has 256 bits of entropy."""
    parsed = ParsedKey(secrets.token_hex(8), secrets.token_urlsafe(32))
    return f"{PREFIX}_{parsed.key_id}_{parsed.secret}", parsed


def parse_key(token: str) -> ParsedKey | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != 16 or not parts[2]:
        return None
    return ParsedKey(parts[1], parts[2])


def hash_secret(secret: str) -> str:
    # The secret is random and long, so one SHA-256 is enough (no password stretching needed).
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
