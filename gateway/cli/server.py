"""Running the gateway: everything embedded (``up``) or one role per process."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from typing import Annotated

import typer

from gateway.cli.common import settings

__all__ = ["register"]

DEMO_CVR = "25313763"
DEMO_NAME = "Demo ApS"


def _gateway(*args: str) -> list[str]:
    return [sys.executable, "-m", "gateway.cli", *args]


def _celery(*args: str) -> list[str]:
    # With JSON logs the start-up banner would be the one non-JSON output: leave it out.
    quiet = ["--quiet"] if settings().log_json else []
    return [sys.executable, "-m", "celery", "-A", "gateway.celery_app:celery_app", *quiet, *args]


def prepare(*, artefacts: bool = True) -> None:
    """Data folder, artefacts, keys and schema: what every embedded start needs."""
    s = settings()
    s.data_path.mkdir(parents=True, exist_ok=True)
    if artefacts:
        from gateway.cli.artefacts_setup import ensure_artefacts

        ensure_artefacts(s)
    from gateway.signing import init_keys

    if not s.signing_key_file.exists() and s.signing.key_file is None:
        init_keys(s.effective_keys_dir, org_name="Gateway development")
        typer.echo(f"created development keys in {s.effective_keys_dir}")
    from gateway.db.migrate import upgrade

    upgrade(s.effective_database_url)


def demo_key() -> tuple[str, str]:
    """The demo organisation (created once) and its admin key, the same at every start.

    The key is kept in the keys folder (mode 0600) beside the development keys; a
    start makes a new one only when that file is missing or its key no longer
    authenticates (revoked, expired, another database).
    """
    from gateway.bootstrap import get_container
    from gateway.errors import GatewayError, NotFound
    from gateway.tenancy.service import (
        authenticate,
        create_key,
        create_organisation,
        get_organisation_by_cvr,
    )

    kept = settings().effective_keys_dir / "demo-admin.key"
    with get_container().db.transaction() as s:
        try:
            org = get_organisation_by_cvr(s, DEMO_CVR)
        except NotFound:
            org = create_organisation(s, cvr=DEMO_CVR, name=DEMO_NAME, actor="gateway up")
        if kept.is_file():
            key = kept.read_text().strip()
            try:
                if authenticate(s, key).organisation_id == org.id:
                    return org.cvr, key
            except GatewayError:
                pass  # revoked, expired or from another database: make a new one
        created = create_key(
            s, organisation=org, role="admin", name="demo admin", actor="gateway up"
        )
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.touch(mode=0o600, exist_ok=True)
    kept.chmod(0o600)
    kept.write_text(created.key + "\n")
    return org.cvr, created.key


def _worker_env() -> dict[str, str]:
    env = dict(os.environ)
    metrics_dir = settings().data_path / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    return env


def up(
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
    worker: Annotated[
        bool, typer.Option(help="start a worker and scheduler beside the API")
    ] = True,
) -> None:
    """Start the whole gateway embedded: API, worker, scheduler, sandbox authorities, demo data.

    The sandbox authorities run in their own process (like the worker), so a slow
    counterparty never holds up the API; channels find them through ``GW_SANDBOX_URL``.
    """
    s = settings()
    if host:
        os.environ["GW_HOST"] = host
    if port:
        os.environ["GW_PORT"] = str(port)
    sandbox_apart = s.sandbox_url is None
    if sandbox_apart:
        os.environ["GW_SANDBOX_URL"] = f"http://127.0.0.1:{s.sandbox_port}"
    from gateway.settings import get_settings

    get_settings.cache_clear()
    s = settings()
    prepare()
    cvr, key = demo_key()
    env = _worker_env()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = env["PROMETHEUS_MULTIPROC_DIR"]
    children: list[subprocess.Popen[bytes]] = []
    if sandbox_apart:
        # Each child leads its own process group, so stopping it takes its pool too.
        children.append(
            subprocess.Popen(
                _gateway("sandbox", "--port", str(s.sandbox_port)), env=env, start_new_session=True
            )
        )
    if worker:
        schedule = f"--schedule={s.data_path / 'celerybeat-schedule'}"
        for args in (
            _celery("worker", "--loglevel=WARNING", "--concurrency=2"),
            _celery("beat", "--loglevel=WARNING", schedule),
        ):
            children.append(subprocess.Popen(args, env=env, start_new_session=True))
    url = s.effective_public_url
    typer.secho(f"\nGateway at {url}  (API docs: {url}/docs)", bold=True)
    typer.echo(f"Sandbox authorities at {s.effective_sandbox_url}")
    typer.echo(f"Demo organisation: {DEMO_NAME}, CVR {cvr}")
    typer.echo(f"Demo API key (admin): {key}")
    typer.echo(f"Try: curl -H 'Authorization: Bearer {key}' {url}/v1/me\n")

    def _terminate(signum: int, _frame: object) -> None:
        # uvicorn shuts down gracefully, then re-raises the signal: stop the children here.
        _stop(children)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    try:
        import uvicorn

        uvicorn.run("gateway.asgi:app", host=s.host, port=s.port, log_level="warning")
    finally:
        _stop(children)


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each child's process group, then SIGKILL whatever is left after a grace period."""
    for child in children:
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=10)


def serve(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
) -> None:
    """Serve the API only (several machines: workers and beat run apart)."""
    import uvicorn

    s = settings()
    uvicorn.run(
        "gateway.asgi:app",
        host=host or s.host,
        port=port or s.port,
        workers=workers,
        log_level="warning",
    )


def worker(
    concurrency: Annotated[int, typer.Option(help="worker processes")] = 2,
    beat: Annotated[bool, typer.Option(help="also run the scheduler in this worker")] = False,
) -> None:
    """Run a Celery worker for the pipeline and the domains' tasks."""
    args = ["worker", "--loglevel=INFO", f"--concurrency={concurrency}"]
    if beat:
        args += ["-B", f"--schedule={settings().data_path / 'celerybeat-schedule'}"]
    os.execv(sys.executable, _celery(*args))


def beat() -> None:
    """Run the scheduler (the sweeper and the automatic reporting schedule)."""
    os.execv(
        sys.executable,
        _celery(
            "beat", "--loglevel=INFO", f"--schedule={settings().data_path / 'celerybeat-schedule'}"
        ),
    )


def sandbox(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="default: GW_SANDBOX_PORT (8100)")] = None,
) -> None:
    """Serve the simulated authorities on loopback."""
    import uvicorn

    from gateway.celery_app import configure, dispatch
    from gateway.composition import create_sandbox_app
    from gateway.jobs import install_dispatcher

    # The gateway's own access point answers here too: what it receives goes to the worker.
    configure(settings())
    install_dispatcher(dispatch)
    app = create_sandbox_app(settings())
    if app is None:
        typer.secho("the sandbox package is not installed", err=True, fg="red")
        raise typer.Exit(1)
    uvicorn.run(
        app,
        host=host,
        port=port or settings().sandbox_port,
        log_level="warning",
    )


def register(app: typer.Typer) -> None:
    app.command()(up)
    app.command()(serve)
    app.command()(worker)
    app.command()(beat)
    app.command()(sandbox)
