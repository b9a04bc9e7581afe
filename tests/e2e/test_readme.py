"""The README's tour, run as written against a real ``gateway up``.

The gateway starts embedded in a fresh folder (its own SQLite, broker folder,
keys, worker, scheduler and sandbox process) on free ports; ``127.0.0.1:8000``
(the API) and ``127.0.0.1:8100`` (the sandbox) in the README are read as those. The folder holds what a clone holds: ``.venv``
and ``examples/`` (linked), and ``var/artefacts`` (linked to the installed
artefacts, so nothing is copied). ``<admin key>`` is the key ``gateway up``
printed; every other placeholder is bound by a command's ``→ <name>`` comment
(see ``tests/e2e/readme_tour.py``). A README that drifts from the code fails here.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.readme_tour import Command, bind, commands, substitute
from tests.support.live import ROOT, wait_until
from tests.support.services import free_port

README = ROOT / "README.md"
# Generous: the tour waits on a worker, Saxon and Arelle on a busy two-core machine.
COMMAND_TIMEOUT = 900
START_TIMEOUT = 600


def test_the_readme_names_its_runnable_commands() -> None:
    tour = commands(README)
    assert len(tour) > 40
    texts = [c.text for c in tour]
    assert any(t.startswith(".venv/bin/gateway ingest") for t in texts)
    assert any(t.startswith(".venv/bin/gateway tender create") for t in texts)
    assert any(c.exit_code == 1 for c in tour)  # refusals are shown, and checked
    # Placeholders are bound before they are used, so a reader can follow along.
    bound = {"admin key"}
    for c in tour:
        _, missing = substitute(c.text, dict.fromkeys(bound, "x"))
        assert not missing, f"README line {c.line} uses <{missing[0]}> before any command binds it"
        bound |= {cap.name for cap in c.captures}


class _Gateway:
    def __init__(self, home: Path, env: dict[str, str], port: int) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.proc = subprocess.Popen(
            [str(home / ".venv" / "bin" / "gateway"), "up", "--port", str(port)],
            cwd=home,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.output: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)
            self.lines.put(line)

    def admin_key(self) -> str:
        while True:
            try:
                line = self.lines.get(timeout=START_TIMEOUT)
            except queue.Empty:
                pytest.fail("gateway up printed no admin key:\n" + "".join(self.output[-40:]))
            found = re.search(r"Demo API key \(admin\): (gw_\S+)", line)
            if found:
                return found.group(1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)


@pytest.fixture
def home(tmp_path: Path, artefacts_dir: Path) -> Path:
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "artefacts").symlink_to(artefacts_dir)
    return tmp_path


@pytest.fixture
def gateway(home: Path) -> Iterator[tuple[str, str, dict[str, str]]]:
    port = free_port()
    # A user's shell: none of the suite's GW_ settings, the defaults of a fresh clone.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GW_")}
    env["GW_PORT"] = str(port)
    env["GW_SANDBOX_PORT"] = str(free_port())
    gw = _Gateway(home, env, port)
    try:
        key = gw.admin_key()
        url = f"http://127.0.0.1:{port}"
        wait_until(
            lambda: _alive(url), timeout=START_TIMEOUT, what="the gateway to answer /healthz"
        )
        yield url, key, env
    finally:
        gw.stop()


def _alive(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def _run(
    cmd: Command, text: str, home: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    state = home / ".tour-state"
    script = f"source {state}\n{text}\nrc=$?\nexport -p > {state}\nexit $rc\n"
    return subprocess.run(
        ["bash", "-c", script],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )


@pytest.mark.slow
def test_the_readme_tour_runs_as_written(
    home: Path, gateway: tuple[str, str, dict[str, str]]
) -> None:
    url, key, env = gateway
    (home / ".tour-state").write_text("")
    bound = {"admin key": key}
    for cmd in commands(README):
        text, missing = substitute(cmd.text, bound)
        assert not missing, f"README line {cmd.line}: nothing bound <{missing[0]}>"
        text = text.replace("http://127.0.0.1:8000", url)
        text = text.replace("127.0.0.1:8100", f"127.0.0.1:{env['GW_SANDBOX_PORT']}")
        done = _run(cmd, text, home, env)
        where = f"README line {cmd.line}: {cmd.text}"
        assert done.returncode == cmd.exit_code, (
            f"{where}\nexit {done.returncode}, the README says {cmd.exit_code}\n"
            f"stdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}"
        )
        for cap in cmd.captures:
            try:
                bound[cap.name] = bind(cap, done.stdout)
            except (ValueError, KeyError, IndexError) as exc:
                pytest.fail(
                    f"{where}\ncannot take <{cap.name}> from its output ({exc}):\n{done.stdout[-2000:]}"
                )
