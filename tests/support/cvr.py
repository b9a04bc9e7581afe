"""Valid CVR numbers for tests (modulus-11), so every test owns its organisation."""

from __future__ import annotations

import random

_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)


def random_cvr() -> str:
    while True:
        head = [random.randint(1, 9)] + [random.randint(0, 9) for _ in range(6)]
        rest = sum(d * w for d, w in zip(head, _WEIGHTS, strict=True)) % 11
        check = (11 - rest) % 11
        if check < 10:
            return "".join(map(str, head)) + str(check)
