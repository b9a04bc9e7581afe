"""``gateway demo``: the stories the gateway supports, told against a running gateway."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time
from typing import Annotated

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
) -> None:
    """Tell every story the gateway supports, step by step; exit 0 only if all succeed."""
    from gateway.bootstrap import get_container
    from gateway.demo import DemoContext

    s = settings()
    base = (url or s.effective_public_url).rstrip("/")
    child: subprocess.Popen[bytes] | None = None
    if not _alive(base):
        typer.echo(f"no gateway answers at {base}; starting an embedded one")
        env = dict(os.environ)
        child = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "up", "--port", str(s.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while not _alive(base):
            if time.monotonic() > deadline or child.poll() is not None:
                typer.secho("the embedded gateway did not start", fg=typer.colors.RED, err=True)
                raise typer.Exit(1)
            time.sleep(0.5)
    ctx = DemoContext(base_url=base, container=get_container(), out=sys.stdout)
    try:
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
            import signal

            os.killpg(child.pid, signal.SIGTERM)
            child.wait(timeout=30)
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
