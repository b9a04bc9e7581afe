"""The suite's second pass (PostgreSQL + Redis, ``GW_TEST_DB_ONLY=1``) runs the crash tests too.

Issue 10: the worker-crash test must run on PostgreSQL + Redis as well as on
SQLite. The Makefile's second pass keeps only tests that touch the database;
this checks, by collecting as that pass does, that the crash and broker-loss
tests are among them (the end-to-end stack reaches the database through its
fixtures), so a refactor of the fixtures cannot silently drop them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUST_RUN = [
    "tests/e2e/test_delivery.py::test_worker_killed_mid_delivery_yields_exactly_one_accepted_delivery",
    "tests/e2e/test_delivery.py::test_sweeper_finishes_work_the_broker_lost",
    "tests/e2e/test_bounded_work.py::test_the_worker_is_free_after_the_refusals",
]


def test_the_database_only_pass_keeps_the_crash_tests() -> None:
    env = {**os.environ, "GW_TEST_DB_ONLY": "1", "GW_TEST_DATABASE": "postgresql"}
    done = subprocess.run(
        [
            sys.executable,
            *("-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider"),
            *sorted({m.split("::")[0] for m in MUST_RUN}),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    collected = set(done.stdout.split())
    for test_id in MUST_RUN:
        assert test_id in collected, f"{test_id} is left out of the PostgreSQL + Redis pass"
