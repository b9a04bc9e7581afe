"""CVR numbers (Danish company registration numbers): format and modulus-11 check."""

from __future__ import annotations

__all__ = ["is_valid_cvr"]

_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def is_valid_cvr(cvr: str) -> bool:
    """Eight digits, first not zero, weighted sum divisible by 11."""
    if len(cvr) != 8 or not cvr.isdigit() or cvr[0] == "0":
        return False
    return sum(int(d) * w for d, w in zip(cvr, _WEIGHTS, strict=True)) % 11 == 0
