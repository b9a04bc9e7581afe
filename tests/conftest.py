"""Fixtures shared by the whole suite.

The backend is chosen by ``GW_TEST_DATABASE``: ``sqlite`` (default) or
``postgresql``; every run gets a database of its own, dropped at the end.
``GW_TEST_BROKER`` picks the broker of end-to-end tests: ``filesystem``
(default with SQLite), ``redis`` or ``rabbitmq``.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cvr import random_cvr
from tests.support.services import fresh_postgres_database

ROOT = Path(__file__).resolve().parent.parent


def _artefacts_dir() -> Path:
    return Path(os.environ.get("GW_ARTEFACTS_DIR", ROOT / "var" / "artefacts")).resolve()


@pytest.fixture(scope="session")
def artefacts_dir() -> Path:
    """The installed official artefacts (installed by manifest before the suite runs)."""
    from schemas import artefacts

    path = _artefacts_dir()
    try:
        source = artefacts.default_source()
    except artefacts.ArtefactError:
        source = None
    if source is not None:
        artefacts.install(source, path)  # a quick no-op when every set is in place
    elif not path.is_dir():
        pytest.fail(f"artefacts are not installed in {path}: run `gateway artefacts install`")
    return path


@pytest.fixture(scope="session")
def backend() -> str:
    return os.environ.get("GW_TEST_DATABASE", "sqlite")


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, migrated database for this test run."""
    from gateway.db.migrate import upgrade

    if backend == "postgresql":
        with fresh_postgres_database() as url:
            upgrade(url)
            yield url
        return
    path = tmp_path_factory.mktemp("db") / "gateway.sqlite"
    url = f"sqlite:///{path}"
    upgrade(url)
    yield url


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
def cvr() -> str:
    return random_cvr()


@pytest.fixture
def secret_token() -> str:
    return secrets.token_hex(8)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ``GW_TEST_DB_ONLY=1`` run only the tests that touch the database.

    The suite's second pass (PostgreSQL) repeats just what depends on the
    backend; pure rules and official conformance cases ran in the first pass.
    """
    if os.environ.get("GW_TEST_DB_ONLY") != "1":
        return
    keep, drop = [], []
    for item in items:
        names = getattr(item, "fixturenames", ())
        (keep if "database_url" in names else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
