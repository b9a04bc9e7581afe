"""Bounded work per document, against a real API process and worker (issue 10, class 1).

A 200,000-attribute document (2.3 MB) used to be accepted and then hold both
workers for tens of minutes. Now it and its cousins are refused at intake with a
finding naming the limit, nothing is stored, and the API and the worker stay
responsive: ``/healthz`` answers while the document is being posted.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import Stack

DOC = "/v1/submissions?kind=test_doc&recipient=sandbox-authority"
UBL = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"


def _attrs(n: int) -> str:
    return " ".join(f'a{i}="x"' for i in range(n))


HOSTILE = {
    "200k-attributes-on-one-element": (
        f'<Invoice xmlns="{UBL}" {_attrs(200_000)}><ID>1</ID></Invoice>'.encode(),
        "max_attributes_per_element",
    ),
    "long-element-name": (
        f'<Invoice xmlns="{UBL}"><{"N" * 20_000}/></Invoice>'.encode(),
        "max_name_chars",
    ),
    "huge-text-node": (
        f'<Invoice xmlns="{UBL}"><Note>{"x" * 9_000_000}</Note></Invoice>'.encode(),
        "max_text_chars",
    ),
    "many-namespaces": (
        (
            f'<Invoice xmlns="{UBL}" '
            + " ".join(f'xmlns:p{i}="urn:p:{i}"' for i in range(20_000))
            + "><ID>1</ID></Invoice>"
        ).encode(),
        "max_namespaces",
    ),
    "deep-nesting": (b"<a>" * 200 + b"</a>" * 200, "max_depth"),
}


def _total(stack: Stack, headers: dict[str, str]) -> int:
    return int(stack.http.get(f"{stack.url}/v1/submissions", headers=headers).json()["total"])


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_oversized_documents_are_refused_at_intake_while_the_api_answers(
    stack: Stack, name: str
) -> None:
    body, limit = HOSTILE[name]
    _, h = stack.new_org("reporter")
    before = _total(stack, h)
    half = len(body) // 2
    in_flight = threading.Event()
    health_answered = threading.Event()
    health: list[int] = []
    result: dict[str, httpx.Response] = {}

    def chunks() -> Iterator[bytes]:
        yield body[:half]
        in_flight.set()
        # The rest waits until /healthz has answered: the two overlap on any machine.
        assert health_answered.wait(timeout=120)
        yield body[half:]

    def post() -> None:
        with httpx.Client(timeout=300) as client:
            result["post"] = client.post(
                stack.url + DOC,
                content=chunks(),
                headers={**h, "Content-Type": "application/xml"},
            )

    poster = threading.Thread(target=post)
    poster.start()
    try:
        assert in_flight.wait(timeout=120)
        health.append(stack.http.get(f"{stack.url}/healthz").status_code)
        health_answered.set()
        # And while the gateway parses and refuses it: every probe must be answered.
        while poster.is_alive():
            health.append(stack.http.get(f"{stack.url}/healthz").status_code)
            poster.join(timeout=0.05)
    finally:
        health_answered.set()
        poster.join(timeout=300)
    assert health and set(health) == {200}
    resp = result["post"]
    assert resp.status_code == 422, resp.text[:500]
    assert resp.headers["content-type"] == "application/problem+json"
    findings = resp.json()["findings"]
    assert findings and f"limit {limit}" in findings[0]["message"]
    assert _total(stack, h) == before  # nothing stored half-way


def test_the_worker_is_free_after_the_refusals(stack: Stack) -> None:
    _, h = stack.new_org("reporter")
    resp = stack.http.post(
        stack.url + DOC,
        content=b"<Report><Line>ordinary</Line></Report>",
        headers={**h, "Content-Type": "application/xml"},
    )
    assert resp.status_code == 201
    stack.wait_status(h, resp.json()["id"], "acknowledged")
