"""Hostile XML posted to the API is refused with problem details and nothing is stored."""

from __future__ import annotations

import resource

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gateway.bootstrap import Container
from gateway.pipeline.models import Submission

URL = "/v1/submissions?kind=test_doc&recipient=sandbox-authority"

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]><lolz>&lol9;</lolz>"
)
HOSTILE = {
    "billion-laughs": BILLION_LAUGHS,
    "external-entity-local-file": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
    "external-dtd": b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>',
    "xinclude": b'<r xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd" parse="text"/></r>',
    "deep-nesting": b"<a>" * 10_000 + b"</a>" * 10_000,
}


def _count(container: Container) -> int:
    with container.db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(Submission)) or 0)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_document_is_refused_and_not_stored(
    name: str, client: TestClient, container: Container, make_org
) -> None:
    org = make_org("reporter")
    before = _count(container)
    blobs_before = sum(1 for p in container.settings.effective_blob_dir.rglob("*") if p.is_file())
    resp = client.post(
        URL,
        content=HOSTILE[name],
        headers={**org.headers("reporter"), "Content-Type": "application/xml"},
    )
    assert resp.status_code == 422, resp.text
    problem = resp.json()
    assert resp.headers["content-type"] == "application/problem+json"
    assert problem["status"] == 422 and problem["detail"]
    assert "root:" not in resp.text  # /etc/passwd never leaks
    assert _count(container) == before
    assert (
        sum(1 for p in container.settings.effective_blob_dir.rglob("*") if p.is_file())
        == blobs_before
    )


def test_document_over_the_size_limit_is_413(
    client: TestClient, container: Container, make_org
) -> None:
    org = make_org("reporter")
    limit = container.settings.xml.max_bytes
    big = b"<r>" + b"<x>padding</x>" * (limit // 14 + 10) + b"</r>"
    before = _count(container)
    resp = client.post(
        URL, content=big, headers={**org.headers("reporter"), "Content-Type": "application/xml"}
    )
    assert resp.status_code == 413
    assert "limit" in resp.json()["detail"]
    assert _count(container) == before


def test_memory_stays_bounded_under_entity_attacks(client: TestClient, make_org) -> None:
    org = make_org("reporter")
    headers = {**org.headers("reporter"), "Content-Type": "application/xml"}
    client.post(URL, content=BILLION_LAUGHS, headers=headers)  # warm up
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(20):
        assert client.post(URL, content=BILLION_LAUGHS, headers=headers).status_code == 422
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    # Expanded, one billion laughs is 3 GB; refused, twenty cost next to nothing.
    assert grown_kib < 50 * 1024
