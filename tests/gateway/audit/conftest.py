"""An isolated gateway for each anchoring test: its own database, checkpoint folder and TSA."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI

from gateway.audit.anchoring import Anchoring
from gateway.audit.service import record
from gateway.db.migrate import upgrade
from gateway.db.session import Database
from gateway.settings import AuditSettings, Settings
from gateway.signing import init_keys
from sandbox.tsa import mount
from tests.support.live import serve_in_thread


@pytest.fixture(scope="session")
def audit_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("audit-keys") / "keys"
    init_keys(directory, org_name="Audit tests", key_size=2048)
    return directory


@pytest.fixture(scope="session")
def tsa_url(audit_keys: Path) -> Iterator[str]:
    """The sandbox time-stamping authority, served for real on loopback."""
    app = FastAPI()
    mount(app, Settings(keys_dir=audit_keys))
    with serve_in_thread(app) as url:
        yield f"{url}/tsa"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audit-db") / "template.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


@dataclass
class Gateway:
    settings: Settings
    db: Database
    anchoring: Anchoring

    def add(self, chain: str, n: int) -> None:
        with self.db.transaction() as s:
            for i in range(n):
                record(
                    s,
                    organisation_id=chain,
                    actor="tester",
                    action="test.event",
                    subject_type="thing",
                    subject_id=str(i),
                    data={"i": i},
                )

    def env(self) -> dict[str, str]:
        s = self.settings
        return {
            "GW_DATA_DIR": str(s.data_dir),
            "GW_DATABASE_URL": str(s.database_url),
            "GW_KEYS_DIR": str(s.keys_dir),
            "GW_AUDIT__TSA_URL": str(s.audit.tsa_url),
        }


@pytest.fixture
def gw(
    tmp_path: Path, migrated_template: Path, audit_keys: Path, tsa_url: str
) -> Iterator[Gateway]:
    db_file = tmp_path / "gateway.sqlite"
    shutil.copy(migrated_template, db_file)
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{db_file}",
        keys_dir=audit_keys,
        audit=AuditSettings(tsa_url=tsa_url),
    )
    db = Database(settings.effective_database_url)
    yield Gateway(settings, db, Anchoring.from_settings(settings))
    db.dispose()
