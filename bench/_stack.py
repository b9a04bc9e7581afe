"""Shared by the benchmarks: start a real API server and worker processes on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(url)


@contextmanager
def fresh_postgres() -> Iterator[str]:
    import psycopg

    admin = os.environ.get("GW_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"gw_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def gateway_stack(
    *,
    database_url: str | None,
    broker_url: str | None,
    workers: int,
    concurrency: int,
    extra_env: dict[str, str] | None = None,
) -> Iterator[tuple[str, dict[str, str]]]:
    """API server, sandbox server and ``workers`` worker processes (the first runs the scheduler).

    The sandbox's base URL is ``env["GW_SANDBOX_URL"]``.
    """
    data = Path(tempfile.mkdtemp(prefix="gw-bench-"))
    port = free_port()
    sandbox_port = free_port()
    env = {
        **os.environ,
        "GW_DATA_DIR": str(data),
        "GW_PORT": str(port),
        "GW_SANDBOX_PORT": str(sandbox_port),
        "GW_SANDBOX_URL": f"http://127.0.0.1:{sandbox_port}",
        "GW_QUEUE": f"bench-{uuid.uuid4().hex[:8]}",
        "GW_LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    env.setdefault("GW_ARTEFACTS_DIR", str(ROOT / "var" / "artefacts"))
    if database_url:
        env["GW_DATABASE_URL"] = database_url
    if broker_url:
        env["GW_BROKER_URL"] = broker_url
    py = [sys.executable, "-m", "gateway.cli"]
    subprocess.run([*py, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*py, "keys", "init"], env=env, check=True, capture_output=True)
    log = (data / "bench.log").open("ab")
    procs = [
        subprocess.Popen(
            [*py, role, "--port", str(p)],
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        for role, p in (("serve", port), ("sandbox", sandbox_port))
    ]
    for i in range(workers):
        args = [*py, "worker", f"--concurrency={concurrency}"] + (["--beat"] if i == 0 else [])
        procs.append(
            subprocess.Popen(args, env=env, stdout=log, stderr=log, start_new_session=True)
        )
    try:
        _wait(f"http://127.0.0.1:{port}/healthz")
        _wait(f"{env['GW_SANDBOX_URL']}/healthz")
        yield f"http://127.0.0.1:{port}", env
    finally:
        for p in procs:
            with suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def make_org_key(env: dict[str, str], role: str = "reporter") -> tuple[str, str]:
    from gateway.tenancy.cvr import random_cvr

    cvr = random_cvr()
    py = [sys.executable, "-m", "gateway.cli"]
    subprocess.run(
        [*py, "org", "create", "--cvr", cvr, "--name", "Bench ApS"],
        env=env,
        check=True,
        capture_output=True,
    )
    key = subprocess.run(
        [*py, "key", "create", "--org", cvr, "--role", role],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return cvr, key


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
