"""Bad input is refused at once: exit 1 naming the field, exit 2 for a wrong command line.

The commands run in process against a SQLite data folder of their own; the
refusals here happen before any gateway would be called.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gateway.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
runner = CliRunner()


@pytest.fixture
def data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, artefacts_dir: Path
) -> Iterator[Path]:
    from gateway.bootstrap import reset_container
    from gateway.settings import get_settings

    for name in ("GW_DATABASE_URL", "GW_API_KEY", "GW_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GW_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GW_ARTEFACTS_DIR", str(artefacts_dir))
    get_settings.cache_clear()
    reset_container()
    yield tmp_path
    get_settings.cache_clear()
    reset_container()


def test_a_database_never_migrated_is_named_with_the_fix(data_dir: Path) -> None:
    done = runner.invoke(app, ["org", "create", "--cvr", "10150817", "--name", "Acme ApS"])
    assert done.exit_code == 1
    assert "never migrated" in done.output and "gateway db upgrade" in done.output
    assert "Traceback" not in done.output and "sqlite3" not in done.output


def test_metrics_on_a_database_never_migrated_answer_503_with_the_fix(data_dir: Path) -> None:
    from gateway.app import create_app

    with TestClient(create_app(mount_sandbox=False)) as client:
        r = client.get("/metrics")
    assert r.status_code == 503
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "gateway db upgrade" in r.json()["detail"]


@pytest.fixture
def org(data_dir: Path) -> str:
    from gateway.db.migrate import upgrade
    from gateway.settings import get_settings

    upgrade(get_settings().effective_database_url)
    done = runner.invoke(app, ["org", "create", "--cvr", "25313763", "--name", "Demo ApS"])
    assert done.exit_code == 0, done.output
    return "25313763"


def test_ingest_with_a_period_that_does_not_hold_the_postings_names_the_ledger_period(
    org: str,
) -> None:
    journal = str(EXAMPLES / "journal-2025-Q3.csv")
    wrong = runner.invoke(app, ["ingest", journal, "--org", org, "--period", "2025-Q4"])
    assert wrong.exit_code == 1
    # The postings run 3 July .. 29 September: the message says so.
    assert "2025-07-03..2025-09-29" in wrong.output and "2025-10-01..2025-12-31" in wrong.output
    right = runner.invoke(app, ["ingest", journal, "--org", org, "--period", "2025-Q3", "--json"])
    assert right.exit_code == 0, right.output
    stored = json.loads(right.output)
    assert (stored["period_start"], stored["period_end"]) == ("2025-07-01", "2025-09-30")
    same = runner.invoke(app, ["ingest", journal, "--org", org, "--period", "2025-Q3"])
    assert same.exit_code == 0 and "already stored" in same.output
    bad_label = runner.invoke(app, ["ingest", journal, "--org", org, "--period", "Q3"])
    assert bad_label.exit_code == 2 and "--period" in bad_label.output


def test_the_same_file_read_another_way_is_refused(org: str) -> None:
    journal = str(EXAMPLES / "journal-2025-Q3.csv")
    first = runner.invoke(app, ["ingest", journal, "--org", org, "--period", "2025-Q3"])
    assert first.exit_code == 0, first.output
    other = runner.invoke(app, ["ingest", journal, "--org", org, "--profile", "regnskab-basis"])
    assert other.exit_code == 1
    assert "--profile generic-gl" in other.output and "--profile regnskab-basis" in other.output
    fmt = runner.invoke(app, ["ingest", journal, "--org", org, "--format", "sie4"])
    assert fmt.exit_code == 1 and "--format" in fmt.output


def test_list_profiles_shows_each_profile_with_its_columns(data_dir: Path) -> None:
    done = runner.invoke(app, ["ingest", "--list-profiles"])
    assert done.exit_code == 0, done.output
    assert "generic-gl" in done.output and "regnskab-basis" in done.output
    assert "debit" in done.output and "KONTONUMMER_" in done.output
    bare = runner.invoke(app, ["ingest"])
    assert bare.exit_code == 2 and "--org" in bare.output


def test_a_tender_whose_deadline_has_passed_is_refused_naming_the_field(
    data_dir: Path, tmp_path: Path
) -> None:
    text = (EXAMPLES / "tender.toml").read_text()
    past = tmp_path / "past.toml"
    past.write_text(
        text.replace("2031-03-01T12:00:00+01:00", "2020-03-01T12:00:00+01:00").replace(
            "questions_deadline = 2031-02-20T12:00:00+01:00\n", ""
        )
    )
    done = runner.invoke(
        app, ["tender", "create", str(past), "--url", "http://127.0.0.1:9", "--key", "gw_x"]
    )
    assert done.exit_code == 1
    assert "timeline.deadline" in done.output and "passed" in done.output


def test_api_commands_without_a_key_or_with_a_misplaced_item_are_usage_errors(
    data_dir: Path,
) -> None:
    no_key = runner.invoke(app, ["invoice", "list", "--url", "http://127.0.0.1:9"])
    assert no_key.exit_code == 2 and "GW_API_KEY" in no_key.output
    item = runner.invoke(
        app,
        ["invoice", "create", "--number", "F-1", "--order", "o", "--item", "nope=1", "--key", "k"],
    )
    assert item.exit_code == 2 and "--item needs --contract" in item.output
    syntax = runner.invoke(
        app, ["order", "create", "--contract", "c", "--item", "nope", "--key", "k"]
    )
    assert syntax.exit_code == 2 and "ITEM=QUANTITY" in syntax.output


def test_an_unreachable_database_is_not_called_unmigrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.bootstrap import reset_container
    from gateway.settings import get_settings

    # A folder where the SQLite file should be: the database cannot be opened at all.
    (tmp_path / "db.sqlite").mkdir()
    monkeypatch.setenv("GW_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.setenv("GW_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    reset_container()
    try:
        done = runner.invoke(app, ["org", "create", "--cvr", "10150817", "--name", "Acme ApS"])
    finally:
        get_settings.cache_clear()
        reset_container()
    assert done.exit_code != 0
    assert "never migrated" not in done.output
