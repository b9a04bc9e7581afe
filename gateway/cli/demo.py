"""``gateway demo``: the stories the gateway supports, told against a running gateway."""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import httpx
import typer

from gateway.cli.common import settings

__all__ = ["register"]

# (module, story name); a domain's story is told when the domain provides it.
STORIES = [
    ("gateway.demo_kernel", "pipeline"),
    ("gateway.demo_validation", "validation"),
    ("reporting.demo", "reporting"),
    ("tendering.demo", "tendering"),
    ("invoicing.demo", "invoicing"),
]


def _alive(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _start_embedded(base: str) -> subprocess.Popen[bytes]:
    """``gateway up`` on the address the demo was told to use, in a data folder of its own."""
    where = urlsplit(base)
    host, port = where.hostname or "127.0.0.1", where.port or 8000
    typer.echo(f"no gateway answers at {base}; starting an embedded one in {_demo_dir()}")
    return subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "up", "--host", host, "--port", str(port)],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _demo_dir() -> Path:
    return settings().data_path / "demo"


def _use_demo_dir() -> None:
    """The embedded demo's organisations live in their own database, removable at once."""
    from gateway.bootstrap import reset_container
    from gateway.settings import get_settings

    s = settings()
    os.environ.setdefault("GW_ARTEFACTS_DIR", str(s.effective_artefacts_dir))
    os.environ["GW_DATA_DIR"] = str(_demo_dir())
    get_settings.cache_clear()
    reset_container()


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGTERM)
    try:
        child.wait(timeout=60)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=30)


def _cleanup() -> None:
    where = _demo_dir()
    if not where.exists():
        typer.echo(f"nothing to remove: {where} does not exist")
        return
    shutil.rmtree(where)
    typer.echo(f"removed the embedded demo's data (its organisations, keys, documents): {where}")


def demo(
    url: Annotated[
        str | None, typer.Option(help="gateway to run against (default: GW_PUBLIC_URL)")
    ] = None,
    json_summary: Annotated[
        bool, typer.Option("--json", help="end with one JSON summary line")
    ] = False,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="tell only these stories")
    ] = None,
    cleanup: Annotated[
        bool,
        typer.Option(
            "--cleanup", help="remove the embedded demo's data folder (GW_DATA_DIR/demo) and stop"
        ),
    ] = False,
) -> None:
    """Tell every story the gateway supports, step by step; exit 0 only if all succeed.

    Against the gateway at ``--url`` (its database must be this command's: the same
    GW_DATA_DIR or GW_DATABASE_URL, since the demo registers its organisations there;
    and its sandbox: the same GW_SANDBOX_URL or GW_SANDBOX_PORT).
    With none answering, an embedded gateway starts on that address with a data folder
    of its own (GW_DATA_DIR/demo; ``--cleanup`` removes it) and is stopped when the demo
    ends, is interrupted or fails.
    """
    from gateway.bootstrap import get_container
    from gateway.demo import DemoContext

    if cleanup:
        _cleanup()
        return
    base = (url or settings().effective_public_url).rstrip("/")
    child: subprocess.Popen[bytes] | None = None

    def _terminate(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        if not _alive(base):
            _use_demo_dir()
            child = _start_embedded(base)
            deadline = time.monotonic() + 600  # a first start installs artefacts and keys
            while not _alive(base):
                if time.monotonic() > deadline or child.poll() is not None:
                    typer.secho("the embedded gateway did not start", fg=typer.colors.RED, err=True)
                    raise typer.Exit(1)
                time.sleep(0.5)
        ctx = DemoContext(base_url=base, container=get_container(), out=sys.stdout)
        for module_name, name in STORIES:
            if only and name not in only:
                continue
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name == module_name:
                    continue
                raise
            ctx.begin_story(name, getattr(module, "TITLE", name))
            try:
                module.story(ctx)
            except Exception:  # the step already printed what went wrong
                continue
    finally:
        if child is not None:
            _stop(child)
        signal.signal(signal.SIGTERM, previous)
    summary = ctx.summary()
    typer.echo("")
    for story in summary["stories"]:
        mark = "ok  " if story["ok"] else "FAIL"
        done = sum(1 for st in story["steps"] if st["ok"])
        typer.echo(f"[{mark}] {story['name']}: {done}/{len(story['steps'])} steps")
    if json_summary:
        typer.echo(ctx.summary_line())
    raise typer.Exit(0 if summary["ok"] else 1)


def register(app: typer.Typer) -> None:
    app.command()(demo)
