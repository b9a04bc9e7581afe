"""A real gateway for the portal tests: uvicorn on loopback with the sandbox's OIDC provider."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from gateway.app import create_app
from gateway.bootstrap import Container, bootstrap
from gateway.settings import Settings
from gateway.tenancy.service import create_organisation
from tests.support.cvr import random_cvr
from tests.support.services import free_port, wait_for_port


class Clock:
    """A settable UTC clock: session expiry and deadlines pass without sleeping."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def set(self, when: datetime) -> None:
        self.now = when


@dataclass
class Portal:
    url: str
    container: Container
    clock: Clock

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=30)


@pytest.fixture(scope="session")
def portal(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, artefacts_dir: Path
) -> Iterator[Portal]:
    port = free_port()
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("portal"),
        database_url=database_url,
        artefacts_dir=artefacts_dir,
        port=port,
        public_url=f"http://127.0.0.1:{port}",
        # The sandbox (its identity provider) is mounted on this server, not its own process.
        sandbox_url=f"http://127.0.0.1:{port}/sandbox",
    )
    clock = Clock()
    container = bootstrap(settings, clock=clock)
    app = create_app(container, mount_sandbox=True)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_port(port, timeout=60)
    try:
        yield Portal(f"http://127.0.0.1:{port}", container, clock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Person:
    uuid: str
    name: str
    cvr: str
    organisation_id: str


@pytest.fixture
def person(portal: Portal) -> Callable[..., Person]:
    """A person of a new organisation (registered here) known to the identity provider."""

    def make(
        name: str = "Test Person", roles: tuple[str, ...] = ("buyer",), cvr: str | None = None
    ) -> Person:
        cvr = cvr or random_cvr()
        with portal.container.db.transaction() as s:
            from sqlalchemy import select

            from gateway.tenancy.models import Organisation

            org = s.scalar(select(Organisation).where(Organisation.cvr == cvr))
            if org is None:
                org = create_organisation(s, cvr=cvr, name=f"Org {cvr}", actor="test")
            org_id = org.id
        r = httpx.post(
            f"{portal.url}/sandbox/oidc/users",
            json={"name": name, "cvr": cvr, "org_name": f"Org {cvr}", "roles": list(roles)},
        )
        r.raise_for_status()
        return Person(r.json()["uuid"], name, cvr, org_id)

    return make


def login(client: httpx.Client, person: Person, next_path: str = "/") -> httpx.Response:
    """Walk the authorization-code flow as a browser does; returns the callback's answer."""
    start = client.get("/login", params={"next": next_path})
    assert start.status_code == 303, start.text
    authorize = httpx.get(start.headers["location"])
    assert authorize.status_code == 200, authorize.text
    form = _hidden_fields(authorize.text)
    form["user"] = person.uuid
    approved = httpx.post(str(authorize.url), data=form)
    assert approved.status_code == 303, approved.text
    return client.get(approved.headers["location"])


def _hidden_fields(html: str) -> dict[str, str]:
    import re
    from html import unescape

    return {
        m.group(1): unescape(m.group(2))
        for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)
    }


@pytest.fixture
def new_org(portal: Portal) -> Callable[..., Any]:
    """An organisation with one API key per label (as the tendering tests make them)."""
    from gateway.tenancy.service import create_key
    from tests.tendering.conftest import Org

    def make(*who: str, name: str = "Test ApS") -> Org:
        cvr = random_cvr()
        with portal.container.db.transaction() as s:
            org = create_organisation(s, cvr=cvr, name=name, actor="test")
            out = Org(cvr, org.id, name)
            for label in who:
                made = create_key(
                    s, organisation=org, role=label.split(":")[0], name=label, actor="test"
                )
                out.keys[label] = made.key
                out.principals[label] = made.principal_id
        return out

    return make


@pytest.fixture
def publish_tender(portal: Portal, new_org: Callable[..., Any]) -> Callable[..., Any]:
    """Publish a two-lot tender over the JSON API, as an officer's tool would."""
    from tests.tendering import flow

    def make(**over: Any) -> Any:
        body = flow.tender_body(portal.clock)  # type: ignore[arg-type]
        body.update(over)
        api = httpx.Client(base_url=portal.url, timeout=60)
        return flow.publish(api, portal.clock, new_org, body=body)  # type: ignore[arg-type]

    return make
