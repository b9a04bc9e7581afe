"""The sandbox tests reuse the audit fixtures (keys and a served TSA)."""

from tests.gateway.audit.conftest import audit_keys, tsa_url

__all__ = ["audit_keys", "tsa_url"]
