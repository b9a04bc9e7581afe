"""The command line: help everywhere, clear errors with exit codes, the compose file's commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.main import get_command
from typer.testing import CliRunner

from gateway.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _paths(cmd: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    if hasattr(cmd, "commands"):  # a group (typer ships its own click)
        for name, sub in cmd.commands.items():
            out += _paths(sub, (*prefix, name))
    return out


COMMANDS = _paths(get_command(app))


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) or "gateway" for p in COMMANDS])
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert len(result.output.strip().splitlines()) > 3


def test_the_core_commands_exist() -> None:
    names = {" ".join(p) for p in COMMANDS}
    for needed in (
        "up",
        "serve",
        "worker",
        "beat",
        "sandbox",
        "demo",
        "db upgrade",
        "org create",
        "key create",
        "audit verify",
        "artefacts install",
        "artefacts verify",
        "artefacts list",
        "keys init",
    ):
        assert needed in names, needed


def test_invalid_cvr_is_a_message_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.bootstrap import reset_container
    from gateway.db.migrate import upgrade
    from gateway.settings import get_settings

    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    upgrade(url)
    monkeypatch.setenv("GW_DATABASE_URL", url)
    monkeypatch.setenv("GW_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    reset_container()
    try:
        bad = runner.invoke(app, ["org", "create", "--cvr", "12345678", "--name", "X"])
        assert bad.exit_code == 1
        assert "not a valid CVR" in bad.output
        ok = runner.invoke(app, ["org", "create", "--cvr", "10150817", "--name", "Acme ApS"])
        assert ok.exit_code == 0, ok.output
        dup = runner.invoke(app, ["org", "create", "--cvr", "10150817", "--name", "Acme ApS"])
        assert dup.exit_code == 1 and "exists" in dup.output
        role = runner.invoke(app, ["key", "create", "--org", "10150817", "--role", "king"])
        assert role.exit_code == 1 and "unknown role" in role.output
        key = runner.invoke(app, ["key", "create", "--org", "10150817", "--role", "reporter"])
        assert key.exit_code == 0 and key.output.startswith("gw_")
        missing = runner.invoke(app, ["key", "create", "--org", "25313763", "--role", "reporter"])
        assert missing.exit_code == 1 and "no organisation" in missing.output
    finally:
        get_settings.cache_clear()
        reset_container()


def test_compose_file_runs_commands_the_gateway_has() -> None:
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    services = compose["services"]
    assert {"api", "worker", "beat", "sandbox", "postgres", "redis"} <= set(services)
    for name in ("migrate", "api", "worker", "beat", "sandbox"):
        command = services[name]["command"]
        assert command[0] == "gateway"
        result = runner.invoke(app, [*command[1:], "--help"])
        assert result.exit_code == 0, f"{name}: {result.output}"
    env = compose["x-gateway"]["environment"]
    assert env["GW_DATABASE_URL"].startswith("postgresql://") and env["GW_BROKER_URL"].startswith(
        "redis://"
    )
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    assert "USER gateway" in dockerfile and "gateway artefacts install" in dockerfile


def test_compose_makes_keys_once_and_checks_the_health_of_every_service() -> None:
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    services = compose["services"]
    assert services["keys"]["command"][:4] == ["gateway", "keys", "init", "--if-missing"]
    assert "keys" in compose["volumes"]
    for name in ("migrate", "api", "worker", "beat", "sandbox"):
        service = services[name]
        # Every process signs or verifies with the same identity: the keys volume, made first.
        assert "keys:/var/lib/gateway/keys" in service["volumes"], name
        assert service["depends_on"]["keys"]["condition"] == "service_completed_successfully"
    for name in ("api", "worker", "beat", "sandbox", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
    # The probes ask the ports the services listen on.
    assert "127.0.0.1:8000/readyz" in " ".join(services["api"]["healthcheck"]["test"])
    assert "127.0.0.1:8100/healthz" in " ".join(services["sandbox"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    assert "mkdir -p /var/lib/gateway/keys" in dockerfile


def test_keys_init_if_missing_keeps_the_keys_there(tmp_path: Path) -> None:
    first = runner.invoke(app, ["keys", "init", "--dir", str(tmp_path), "--key-size", "2048"])
    assert first.exit_code == 0, first.output
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    again = runner.invoke(app, ["keys", "init", "--dir", str(tmp_path), "--if-missing"])
    assert again.exit_code == 0 and "already in place" in again.output
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    plain = runner.invoke(app, ["keys", "init", "--dir", str(tmp_path)])
    assert plain.exit_code == 1 and "already exist" in plain.output
