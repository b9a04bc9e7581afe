"""``gateway up``: the sandbox authorities in a process of their own, started and stopped by it."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.live import Process, gateway_cmd, wait_until
from tests.support.services import free_port, port_open, wait_for_port


@pytest.fixture
def up(tmp_path: Path, artefacts_dir: Path, run_id: str) -> Iterator[Process]:
    port, sandbox_port = free_port(), free_port()
    env = {
        **os.environ,
        "GW_DATA_DIR": str(tmp_path / "data"),
        "GW_ARTEFACTS_DIR": str(artefacts_dir),
        "GW_PORT": str(port),
        "GW_SANDBOX_PORT": str(sandbox_port),
        "GW_QUEUE": f"gw-test-{run_id}-up",
    }
    env.pop("GW_SANDBOX_URL", None)
    env.pop("GW_DATABASE_URL", None)
    process = Process(gateway_cmd("up", "--no-worker"), env, tmp_path / "up.log").start()
    process.ports = (port, sandbox_port)  # type: ignore[attr-defined]
    yield process
    process.stop()


def test_up_runs_the_sandbox_apart_and_stops_it(up: Process) -> None:
    port, sandbox_port = up.ports  # type: ignore[attr-defined]
    wait_for_port(port, timeout=180)
    wait_for_port(sandbox_port, timeout=180)
    api, sandbox = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{sandbox_port}"
    assert "authority" in httpx.get(f"{sandbox}/", timeout=30).json()["authorities"]
    # The API does not serve the sandbox, and the channels point at the sandbox process.
    assert httpx.get(f"{api}/sandbox/", timeout=30).status_code == 404
    assert f"Sandbox authorities at {sandbox}" in up.log.read_text()
    assert up.proc is not None
    os.kill(up.proc.pid, signal.SIGTERM)
    up.proc.wait(timeout=60)
    wait_until(lambda: not port_open(sandbox_port), timeout=60, what="the sandbox to stop")
    assert not port_open(port)
