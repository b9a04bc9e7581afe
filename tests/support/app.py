"""A container on the run's database and an API client over it, for tests of one domain."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.bootstrap import Container, bootstrap
from gateway.settings import Settings
from gateway.tenancy.service import create_key, create_organisation
from tests.support.cvr import random_cvr


def container_in(data_dir: Path, *, database_url: str, artefacts_dir: Path) -> Container:
    """The kernel's container with its data folder in ``data_dir``, on the run's database."""
    return bootstrap(
        Settings(data_dir=data_dir, database_url=database_url, artefacts_dir=artefacts_dir)
    )


@contextmanager
def api_client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container, mount_sandbox=False)) as c:
        yield c


def org_with_key(
    container: Container, *, role: str = "reporter", name: str = "Test ApS"
) -> tuple[str, dict[str, str]]:
    """A new organisation and the Authorization header of a key with ``role`` in it."""
    cvr = random_cvr()
    with container.db.transaction() as s:
        o = create_organisation(s, cvr=cvr, name=name, actor="test")
        key = create_key(s, organisation=o, role=role, name=role, actor="test").key
    return cvr, {"Authorization": f"Bearer {key}"}
