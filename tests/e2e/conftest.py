"""A real gateway for end-to-end tests: API server and Celery worker as processes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.clock import clock_env
from tests.support.cvr import random_cvr
from tests.support.live import (
    Process,
    api_process,
    gateway_cmd,
    sandbox_process,
    wait_until,
    worker_process,
)
from tests.support.services import ensure_service, free_port, wait_for_port

BROKERS = {
    "filesystem": None,
    "redis": "redis://127.0.0.1:6379/3",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:5672//",
}


def broker_kind(backend: str) -> str:
    return os.environ.get("GW_TEST_BROKER") or (
        "redis" if backend == "postgresql" else "filesystem"
    )


@dataclass
class Stack:
    url: str
    env: dict[str, str]
    logs: Path
    api: Process
    workers: list[Process] = field(default_factory=list)
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))
    # The sandbox authorities' own process (``gateway sandbox``) and its base URL.
    sandbox: Process | None = None
    sandbox_url: str = ""

    def start_worker(self, name: str = "worker") -> Process:
        w = worker_process(self.env, self.logs / f"{name}.log").start()
        self.workers.append(w)
        return w

    def cli(self, *args: str) -> tuple[int, str, str]:
        import subprocess

        done = subprocess.run(
            gateway_cmd(*args), env=self.env, capture_output=True, text=True, timeout=120
        )
        return done.returncode, done.stdout, done.stderr

    def purge_queue(self) -> int:
        """Drop every message the broker holds for this gateway; returns how many."""
        import re
        import subprocess
        import sys

        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "gateway.celery_app:celery_app",
                "purge",
                "-f",
                "-Q",
                self.env["GW_QUEUE"],
            ],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        found = re.search(r"Purged (\d+) message", done.stdout)
        return int(found.group(1)) if found else 0

    def new_org(self, role: str = "admin") -> tuple[str, dict[str, str]]:
        cvr = random_cvr()
        code, _, err = self.cli("org", "create", "--cvr", cvr, "--name", "E2E ApS")
        assert code == 0, err
        code, key, err = self.cli("key", "create", "--org", cvr, "--role", role)
        assert code == 0, err
        return cvr, {"Authorization": f"Bearer {key.strip()}"}

    def status(self, headers: dict[str, str], sid: str) -> str:
        return str(
            self.http.get(f"{self.url}/v1/submissions/{sid}", headers=headers).json()["status"]
        )

    def wait_status(
        self, headers: dict[str, str], sid: str, *wanted: str, timeout: float = 90
    ) -> str:
        return str(
            wait_until(
                lambda: (s := self.status(headers, sid)) in wanted and s,
                timeout=timeout,
                what=f"{sid} in {wanted}",
            )
        )


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
    database_url: str,
    backend: str,
    artefacts_dir: Path,
    run_id: str,
) -> Iterator[Stack]:
    kind = broker_kind(backend)
    if kind != "filesystem":
        ensure_service(kind)
    data = tmp_path_factory.mktemp("e2e")
    port = free_port()
    sandbox_port = free_port()
    env = {
        **os.environ,
        "GW_DATA_DIR": str(data),
        "GW_DATABASE_URL": database_url,
        "GW_ARTEFACTS_DIR": str(artefacts_dir),
        "GW_PORT": str(port),
        "GW_SANDBOX_PORT": str(sandbox_port),
        "GW_SANDBOX_URL": f"http://127.0.0.1:{sandbox_port}",
        "GW_QUEUE": f"gw-test-{run_id}-{data.name}",
        "GW_PIPELINE__LEASE_SECONDS": "4",
        "GW_PIPELINE__SWEEP_INTERVAL_SECONDS": "1",
        "GW_PIPELINE__BACKOFF_BASE_SECONDS": "0.2",
        "GW_PIPELINE__HTTP_TIMEOUT_SECONDS": "3",
        "GW_WEBHOOKS__BACKOFF_BASE_SECONDS": "0.2",
        "GW_LOG_JSON": "true",
        # Deadlines and standstills are stepped past with tests.support.clock.advance.
        **clock_env(data),
    }
    if BROKERS[kind]:
        env["GW_BROKER_URL"] = str(BROKERS[kind])
    logs = data / "logs"
    logs.mkdir()
    import subprocess

    subprocess.run(
        gateway_cmd("keys", "init"), env=env, check=True, capture_output=True, timeout=120
    )
    sandbox = sandbox_process(env, logs / "sandbox.log", sandbox_port).start()
    api = api_process(env, logs / "api.log", port).start()
    wait_for_port(sandbox_port, timeout=60)
    wait_for_port(port, timeout=60)
    s = Stack(
        f"http://127.0.0.1:{port}",
        env,
        logs,
        api,
        sandbox=sandbox,
        sandbox_url=env["GW_SANDBOX_URL"],
    )
    s.start_worker()
    try:
        yield s
    finally:
        for w in s.workers:
            w.stop()
        api.stop()
        sandbox.stop()
        s.http.close()
