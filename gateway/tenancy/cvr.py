"""CVR numbers (Danish company registration numbers): format and modulus-11 check."""

from __future__ import annotations

import random

__all__ = ["is_valid_cvr", "random_cvr"]

_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def is_valid_cvr(cvr: str) -> bool:
    """Eight digits, first not zero, weighted sum divisible by 11."""
    if len(cvr) != 8 or not cvr.isdigit() or cvr[0] == "0":
        return False
    return sum(int(d) * w for d, w in zip(cvr, _WEIGHTS, strict=True)) % 11 == 0


def random_cvr() -> str:
    """A fresh, valid CVR number for demos, benchmarks and tests (never a real lookup)."""
    while True:
        head = [random.randint(1, 9)] + [random.randint(0, 9) for _ in range(6)]
        check = (-sum(d * w for d, w in zip(head, _WEIGHTS, strict=False))) % 11
        if check < 10:  # a remainder needing check digit 10 has no valid number
            return "".join(map(str, head)) + str(check)
