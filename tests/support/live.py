"""Real servers and workers for tests: uvicorn on loopback, Celery workers as processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from tests.support.services import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def serve_in_thread(app: Any) -> Iterator[str]:
    """Serve an ASGI app on a free loopback port in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_port(port, timeout=30)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Process:
    """A child process in its own process group, so SIGKILL takes its children too."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args = args
        self.env = env
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        fh = self.log.open("ab")
        self.proc = subprocess.Popen(
            self.args,
            env=self.env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def gateway_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "gateway.cli", *args]


def worker_process(
    env: dict[str, str], log: Path, *, concurrency: int = 1, beat: bool = True
) -> Process:
    args = gateway_cmd("worker", f"--concurrency={concurrency}")
    if beat:
        args.append("--beat")
    return Process(args, env, log)


def api_process(env: dict[str, str], log: Path, port: int) -> Process:
    return Process(gateway_cmd("serve", "--port", str(port)), env, log)


def sandbox_process(env: dict[str, str], log: Path, port: int) -> Process:
    """The sandbox authorities in their own process, as ``gateway up`` runs them."""
    return Process(gateway_cmd("sandbox", "--port", str(port)), env, log)


def wait_until(
    predicate: Any, *, timeout: float = 60.0, interval: float = 0.2, what: str = "condition"
) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def get_json(client: httpx.Client, url: str) -> Any:
    resp = client.get(url)
    resp.raise_for_status()
    return resp.json()
