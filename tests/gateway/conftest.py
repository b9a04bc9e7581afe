"""Kernel fixtures: a container on the run's database, the API, organisations with keys."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.bootstrap import Container, bootstrap
from gateway.composition import create_sandbox_app
from gateway.settings import PipelineSettings, Settings, XmlSettings
from gateway.signing import init_keys
from gateway.tenancy.service import create_key, create_organisation
from tests.support.cvr import random_cvr
from tests.support.live import serve_in_thread


@dataclass
class OrgKeys:
    cvr: str
    organisation_id: str
    keys: dict[str, str]

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


@pytest.fixture(scope="session")
def kernel_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gwdata")


@pytest.fixture(scope="session")
def keys_dir(kernel_data_dir: Path) -> Path:
    """Development keys (CA, signing certificate, TLS) made for this run."""
    directory = kernel_data_dir / "keys"
    init_keys(directory, org_name="Gateway tests")
    return directory


@pytest.fixture(scope="session")
def sandbox_url(kernel_data_dir: Path, keys_dir: Path) -> Iterator[str]:
    """The sandbox authorities served for real on a loopback port; they trust our test CA."""
    app = create_sandbox_app(Settings(data_dir=kernel_data_dir / "sandbox", keys_dir=keys_dir))
    with serve_in_thread(app) as url:
        yield url


@pytest.fixture(scope="session")
def settings(
    kernel_data_dir: Path, database_url: str, sandbox_url: str, artefacts_dir: Path
) -> Settings:
    return Settings(
        data_dir=kernel_data_dir,
        database_url=database_url,
        sandbox_url=sandbox_url,
        artefacts_dir=artefacts_dir,
        xml=XmlSettings(max_bytes=2 * 1024 * 1024),
        pipeline=PipelineSettings(
            max_attempts=3, backoff_base_seconds=0.05, backoff_cap_seconds=0.2, lease_seconds=5
        ),
    )


@pytest.fixture(scope="session")
def container(settings: Settings) -> Container:
    return bootstrap(settings)


@pytest.fixture(scope="session")
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container, mount_sandbox=False)) as c:
        yield c


@pytest.fixture
def make_org(container: Container) -> Callable[..., OrgKeys]:
    """Create an organisation with one API key per role asked for."""

    def make(*roles: str, name: str = "Test ApS") -> OrgKeys:
        cvr = random_cvr()
        with container.db.transaction() as s:
            org = create_organisation(s, cvr=cvr, name=name, actor="test")
            keys = {
                role: create_key(
                    s, organisation=org, role=role, name=f"{role} key", actor="test"
                ).key
                for role in (roles or ("admin",))
            }
        return OrgKeys(cvr, org.id, keys)

    return make
