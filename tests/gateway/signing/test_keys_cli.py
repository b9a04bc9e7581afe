"""``gateway keys init|show``: what an operator sees, and never a secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli.keys import app, default_keys_dir
from gateway.signing import KeyPaths, load_trust_store

runner = CliRunner()


def test_default_keys_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GW_KEYS_DIR", raising=False)
    monkeypatch.delenv("GW_DATA_DIR", raising=False)
    assert default_keys_dir() == Path("var") / "keys"
    monkeypatch.setenv("GW_DATA_DIR", "/srv/gw")
    assert default_keys_dir() == Path("/srv/gw/keys")
    monkeypatch.setenv("GW_KEYS_DIR", "/etc/gw-keys")
    assert default_keys_dir() == Path("/etc/gw-keys")


def test_init_then_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GW_KEYS_DIR", str(tmp_path / "keys"))
    created = runner.invoke(app, ["init", "--key-size", "2048"])
    assert created.exit_code == 0, created.output
    paths = KeyPaths.under(tmp_path / "keys")
    assert all(p.exists() for p in paths.files())
    assert "signing.p12" in created.output

    shown = runner.invoke(app, ["show"])
    assert shown.exit_code == 0, shown.output
    ca = load_trust_store(paths.trust_store).certificates[0]
    assert ca.subject.rfc4514_string() in shown.output
    assert "not_after" in shown.output
    assert "PRIVATE KEY" not in shown.output and "BEGIN" not in shown.output

    again = runner.invoke(app, ["init", "--key-size", "2048"])
    assert again.exit_code != 0
    assert "already exist" in again.output


def test_show_json_lists_fingerprints(tmp_path: Path, dev_keys: KeyPaths) -> None:
    import json

    shown = runner.invoke(app, ["show", "--dir", str(dev_keys.directory), "--json"])
    assert shown.exit_code == 0, shown.output
    items = json.loads(shown.output)
    assert {i["file"] for i in items} == {
        "ca-cert.pem",
        "signing-cert.pem",
        "tls-server-cert.pem",
        "tls-client-cert.pem",
    }
    assert all(len(i["sha256"]) == 64 for i in items)


def test_show_without_keys_says_how_to_make_them(tmp_path: Path) -> None:
    shown = runner.invoke(app, ["show", "--dir", str(tmp_path)])
    assert shown.exit_code == 1
    assert "gateway keys init" in shown.output
