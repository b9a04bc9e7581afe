"""``gateway up`` keeps one admin key; ``gateway demo`` stops the gateway it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.live import ROOT, wait_until
from tests.support.services import free_port


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from gateway.bootstrap import reset_container
    from gateway.db.migrate import upgrade
    from gateway.settings import get_settings

    monkeypatch.delenv("GW_DATABASE_URL", raising=False)
    monkeypatch.setenv("GW_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    reset_container()
    upgrade(get_settings().effective_database_url)
    yield tmp_path
    get_settings.cache_clear()
    reset_container()


def test_up_prints_the_same_admin_key_at_every_start_until_it_is_revoked(data_dir: Path) -> None:
    from gateway.bootstrap import get_container
    from gateway.cli.server import demo_key
    from gateway.tenancy.key_lifecycle import revoke_key
    from gateway.tenancy.service import authenticate, get_organisation_by_cvr

    cvr, first = demo_key()
    assert demo_key() == (cvr, first)
    kept = data_dir / "keys" / "demo-admin.key"
    assert kept.read_text().strip() == first and (kept.stat().st_mode & 0o777) == 0o600
    with get_container().db.transaction() as s:
        revoke_key(s, organisation_id=get_organisation_by_cvr(s, cvr).id, key=first, actor="test")
    _, second = demo_key()
    assert second != first
    with get_container().db.transaction() as s:
        assert authenticate(s, second).organisation_id == get_organisation_by_cvr(s, cvr).id


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.slow
def test_an_interrupted_demo_stops_the_gateway_it_started(
    tmp_path: Path, artefacts_dir: Path
) -> None:
    port, sandbox = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GW_")}
    env |= {
        "GW_DATA_DIR": str(tmp_path),
        "GW_ARTEFACTS_DIR": str(artefacts_dir),
        "GW_SANDBOX_PORT": str(sandbox),
    }
    demo = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "demo", "--url", url, "--only", "pipeline"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until(lambda: _answers(url), timeout=600, what="the embedded gateway to answer")
        # The embedded gateway's data is the demo's own, apart from the user's.
        assert (tmp_path / "demo" / "gateway.sqlite").exists()
        os.kill(demo.pid, signal.SIGTERM)
        demo.wait(timeout=180)
        wait_until(lambda: not _answers(url), timeout=120, what="the gateway to stop")
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait(timeout=30)
    assert demo.returncode != 0
    done = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "demo", "--cleanup"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and "removed" in done.stdout
    assert not (tmp_path / "demo").exists()
