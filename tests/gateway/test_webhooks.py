"""Webhooks: subscribe by API, signed deliveries to a real loopback receiver, back-off, ETags."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient
from standardwebhooks.webhooks import Webhook

from gateway import jobs
from gateway.app import create_app
from gateway.bootstrap import Container, bootstrap
from gateway.celery_app import dispatch
from gateway.settings import Settings, WebhookSettings
from gateway.webhooks import emit
from gateway.webhooks.service import deliver, sweep
from tests.gateway.conftest import OrgKeys
from tests.support.live import serve_in_thread
from tests.support.services import free_port


@dataclass
class Receiver:
    """An HTTP endpoint on loopback that records what it gets; ``fail`` answers 500 first."""

    url: str = ""
    fail: int = 0
    got: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> Response:
        rec.got.append((dict(request.headers), await request.body()))
        if rec.fail > 0:
            rec.fail -= 1
            return Response(status_code=500)
        return Response(status_code=204)

    with serve_in_thread(app) as url:
        rec.url = f"{url}/hook"
        yield rec


@dataclass
class Clock:
    at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def wh_container(settings: Settings, clock: Clock) -> Container:
    s = settings.model_copy(
        update={
            "webhooks": WebhookSettings(
                max_attempts=4, backoff_base_seconds=10, backoff_cap_seconds=600, timeout_seconds=5
            )
        }
    )
    return bootstrap(s, clock=clock)


@pytest.fixture(scope="module")
def wh_client(wh_container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(wh_container, mount_sandbox=False)) as c:
        yield c


@pytest.fixture
def sent() -> Iterator[list[tuple[str, tuple[Any, ...], dict[str, Any]]]]:
    jobs_sent: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    jobs.install_dispatcher(lambda task, args, options: jobs_sent.append((task, args, options)))
    yield jobs_sent
    jobs.install_dispatcher(dispatch)


def _subscribe(client: TestClient, org: OrgKeys, url: str, events: list[str]) -> dict[str, Any]:
    r = client.post(
        "/v1/webhooks", json={"url": url, "events": events}, headers=org.headers("admin")
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _by_hand(secret: str, headers: dict[str, str], body: bytes) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return f"v1,{expected}" in headers["webhook-signature"].split(" ")


def test_a_ping_reaches_the_receiver_signed_with_the_subscriptions_secret(
    wh_client: TestClient,
    wh_container: Container,
    make_org: Callable[..., OrgKeys],
    receiver: Receiver,
    sent: list[Any],
) -> None:
    org = make_org("admin")
    sub = _subscribe(wh_client, org, receiver.url, ["tendering.tender.published"])
    assert sub["secret"].startswith("whsec_")
    shown = wh_client.get(f"/v1/webhooks/{sub['id']}", headers=org.headers("admin"))
    assert "secret" not in shown.json() and shown.headers["etag"].startswith('"')

    r = wh_client.post(f"/v1/webhooks/{sub['id']}/ping", headers=org.headers("admin"))
    assert r.status_code == 202 and r.json()["status"] == "pending"
    assert [(t, a) for t, a, _ in sent] == [("webhooks.deliver", (r.json()["id"],))]
    before = len(receiver.got)
    assert deliver(wh_container, r.json()["id"]) == "delivered"

    headers, body = receiver.got[before]
    assert _by_hand(sub["secret"], headers, body)
    assert not _by_hand(sub["secret"][:-4] + "AAA=", headers, body)
    payload = Webhook(sub["secret"]).verify(body, headers)  # the reference implementation
    assert payload["type"] == "webhook.ping"
    assert payload["data"] == {"subscription_id": sub["id"]}
    assert headers["webhook-id"] == r.json()["message_id"]

    page = wh_client.get(
        f"/v1/webhooks/{sub['id']}/deliveries", headers=org.headers("admin")
    ).json()
    assert page["total"] == 1 and page["offset"] == 0 and page["limit"] == 100
    (seen,) = page["items"]
    assert (seen["status"], seen["attempts"], seen["last_status_code"]) == ("delivered", 1, 204)


def test_a_failing_receiver_is_retried_with_growing_back_off_until_it_answers(
    wh_client: TestClient,
    wh_container: Container,
    make_org: Callable[..., OrgKeys],
    receiver: Receiver,
    clock: Clock,
    sent: list[Any],
) -> None:
    org = make_org("admin")
    sub = _subscribe(wh_client, org, receiver.url, ["tendering.tender.published"])
    with wh_container.db.transaction() as s:
        (made,) = emit(
            s,
            "tendering.tender.published",
            organisation_id=org.organisation_id,
            data={"tender_id": "t-1"},
            now=clock(),
        )
        # An event the subscription did not ask for makes no delivery.
        assert (
            emit(s, "invoicing.invoice.received", organisation_id=org.organisation_id, data={})
            == []
        )
        delivery_id = made.id
    receiver.fail = 2
    start = len(receiver.got)

    assert deliver(wh_container, delivery_id) == "retrying"
    first = wh_client.get(f"/v1/webhook-deliveries/{delivery_id}", headers=org.headers("admin"))
    assert first.json()["last_status_code"] == 500 and first.json()["last_error"] == "HTTP 500"
    due1 = datetime.fromisoformat(first.json()["next_attempt_at"])
    assert timedelta(seconds=5) <= due1 - clock() <= timedelta(seconds=10)
    retry = [o for t, a, o in sent if a == (delivery_id,)][-1]
    assert 5 <= retry["countdown"] <= 10

    # A duplicate hint before the retry is due sends nothing.
    assert deliver(wh_container, delivery_id) == "retrying"
    assert len(receiver.got) == start + 1

    clock.at = due1
    assert deliver(wh_container, delivery_id) == "retrying"
    second = wh_client.get(f"/v1/webhook-deliveries/{delivery_id}", headers=org.headers("admin"))
    due2 = datetime.fromisoformat(second.json()["next_attempt_at"])
    assert timedelta(seconds=10) <= due2 - clock() <= timedelta(seconds=20)

    clock.at = due2
    assert sweep(wh_container) >= 1  # the sweeper finds the due retry too
    assert deliver(wh_container, delivery_id) == "delivered"
    attempts = receiver.got[start:]
    assert len(attempts) == 3
    assert len({h["webhook-id"] for h, _ in attempts}) == 1  # receivers can drop repeats
    assert all(_by_hand(sub["secret"], h, b) for h, b in attempts)
    done = wh_client.get(f"/v1/webhook-deliveries/{delivery_id}", headers=org.headers("admin"))
    assert (done.json()["status"], done.json()["attempts"]) == ("delivered", 3)


def test_a_receiver_that_never_answers_ends_dead_with_the_reason(
    wh_client: TestClient,
    wh_container: Container,
    make_org: Callable[..., OrgKeys],
    clock: Clock,
    sent: list[Any],
) -> None:
    org = make_org("admin")
    sub = _subscribe(
        wh_client, org, f"http://127.0.0.1:{free_port()}/gone", ["tendering.award.decided"]
    )
    d = wh_client.post(f"/v1/webhooks/{sub['id']}/ping", headers=org.headers("admin")).json()
    statuses = []
    for _ in range(4):
        statuses.append(deliver(wh_container, d["id"]))
        clock.at += timedelta(hours=1)
    assert statuses == ["retrying", "retrying", "retrying", "dead"]
    dead = wh_client.get(f"/v1/webhook-deliveries/{d['id']}", headers=org.headers("admin")).json()
    assert dead["next_attempt_at"] is None and "ConnectError" in dead["last_error"]
    assert deliver(wh_container, d["id"]) is None  # dead stays dead


def test_subscriptions_honour_if_match_roles_and_the_organisation(
    wh_client: TestClient, make_org: Callable[..., OrgKeys], receiver: Receiver
) -> None:
    org = make_org("admin", "buyer")
    other = make_org("admin")
    sub = _subscribe(wh_client, org, receiver.url, ["tendering.bid.receipted"])
    url = f"/v1/webhooks/{sub['id']}"
    etag = wh_client.get(url, headers=org.headers("admin")).headers["etag"]

    changed = wh_client.patch(
        url, json={"active": False}, headers={**org.headers("admin"), "If-Match": etag}
    )
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert changed.headers["etag"] != etag

    stale = wh_client.patch(
        url,
        json={"url": "https://elsewhere.example/"},
        headers={**org.headers("admin"), "If-Match": etag},
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert stale.json()["type"].endswith("/problems/precondition-failed")
    assert stale.json()["current_etag"] == changed.headers["etag"]
    assert wh_client.get(url, headers=org.headers("admin")).json()["url"] == receiver.url

    bad = wh_client.post(
        "/v1/webhooks",
        json={"url": receiver.url, "events": ["tender.eaten"]},
        headers=org.headers("admin"),
    )
    assert bad.status_code == 400 and "tender.eaten" in bad.json()["detail"]
    assert bad.json()["field"] == "events"
    assert wh_client.get(url, headers=other.headers("admin")).status_code == 404
    assert wh_client.get(url, headers=org.headers("buyer")).status_code == 403
    listing = wh_client.get("/v1/webhooks", headers=other.headers("admin")).json()
    assert listing["total"] == 0 and listing["items"] == []
    events = wh_client.get("/v1/webhook-events").json()
    assert "reporting.vat_return.receipted" in {e["event"] for e in events["items"]}
    gone = wh_client.delete(url, headers=org.headers("admin"))
    assert gone.status_code == 204
    assert wh_client.get(url, headers=org.headers("admin")).status_code == 404


def test_a_public_event_reaches_every_organisation_subscribed_and_only_them(
    wh_client: TestClient,
    wh_container: Container,
    make_org: Callable[..., OrgKeys],
    receiver: Receiver,
    sent: list[Any],
) -> None:
    supplier, other, quiet = make_org("admin"), make_org("admin"), make_org("admin")
    a = _subscribe(wh_client, supplier, receiver.url, ["tendering.tender.published"])
    b = _subscribe(wh_client, other, receiver.url, ["tendering.tender.published"])
    _subscribe(wh_client, quiet, receiver.url, ["tendering.award.decided"])
    with wh_container.db.transaction() as s:
        made = emit(s, "tendering.tender.published", organisation_id=None, data={"tender_id": "t"})
    reached = {d.organisation_id for d in made}
    assert {supplier.organisation_id, other.organisation_id} <= reached
    assert quiet.organisation_id not in reached
    # Each organisation sees its own delivery, and only its own.
    for org, sub in ((supplier, a), (other, b)):
        page = wh_client.get(
            f"/v1/webhooks/{sub['id']}/deliveries", headers=org.headers("admin")
        ).json()
        assert page["total"] == 1 and page["items"][0]["event"] == "tendering.tender.published"
    mine = wh_client.get(f"/v1/webhook-deliveries/{made[0].id}", headers=quiet.headers("admin"))
    assert mine.status_code == 404
