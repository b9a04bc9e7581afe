"""Valid CVR numbers for tests, so every test owns its organisation."""

from gateway.tenancy.cvr import random_cvr

__all__ = ["random_cvr"]
