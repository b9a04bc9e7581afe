"""Fixtures for the adapter tests: installed samples and generated SAF-T files."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

from gateway.bootstrap import Container
from tests.support.app import api_client, container_in, org_with_key

_HERE = Path(__file__).parent


def _fixture_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("saft_fixture", _HERE / "saft_fixture.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("saft_fixture", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def saft_fixture() -> ModuleType:
    """The SAF-T 1.30 generator (tests/adapters/saft_fixture.py)."""
    return _fixture_module()


@pytest.fixture(scope="session")
def saft_dir(artefacts_dir: Path) -> Path:
    return artefacts_dir / "saf-t-no"


@pytest.fixture(scope="session")
def sie_dir(artefacts_dir: Path) -> Path:
    return artefacts_dir / "sie-samples"


@pytest.fixture()
def company_file(tmp_path: Path, saft_fixture: ModuleType) -> Path:
    """A small, consistent SAF-T 1.30 file of a Danish-like company."""
    return saft_fixture.write_saft(tmp_path / "company.xml", lines=120)


@pytest.fixture(scope="module")
def container(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, artefacts_dir: Path
) -> Container:
    return container_in(
        tmp_path_factory.mktemp("ledgers"), database_url=database_url, artefacts_dir=artefacts_dir
    )


@pytest.fixture(scope="module")
def client(container: Container) -> Iterator[TestClient]:
    with api_client(container) as c:
        yield c


Org = tuple[str, dict[str, str]]


@pytest.fixture
def org(container: Container) -> Callable[..., Org]:
    def make(role: str = "reporter") -> Org:
        return org_with_key(container, role=role, name="Bogholderi ApS")

    return make
