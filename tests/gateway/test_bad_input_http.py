"""Bad input over HTTP is a 4xx problem, never a 500 or a misleading answer (issue 10, class 5)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from gateway.bootstrap import Container
from gateway.composition import create_sandbox_app
from gateway.settings import Settings, XmlSettings
from gateway.signing.namespaces import DS
from tests.gateway.test_pipeline import _drive, _submit

LISTINGS = [
    ("/v1/submissions", "offset", "reporter"),
    ("/v1/ledgers", "offset", "reporter"),
    ("/v1/reports", "offset", "reporter"),
    ("/v1/orders", "offset", "buyer"),
    ("/v1/invoices", "offset", "buyer"),
    ("/v1/public/tenders", "offset", None),
    ("/v1/audit", "after", "auditor"),
]
HUGE = ["99999999999999999999999", str(2**63), str(2**31), "-1"]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize(("path", "param", "role"), LISTINGS)
def test_out_of_range_paging_is_a_422_naming_the_parameter(
    client: TestClient, make_org, path: str, param: str, role: str | None, value: str
) -> None:
    headers = make_org(role).headers(role) if role else {}
    resp = client.get(path, params={param: value}, headers=headers)
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    assert param in resp.json()["detail"]
    huge_limit = client.get(path, params={"limit": value}, headers=headers)
    assert huge_limit.status_code == 422, huge_limit.text


def test_the_largest_accepted_offset_answers_an_empty_page(client: TestClient, make_org) -> None:
    org = make_org("reporter")
    resp = client.get(
        "/v1/submissions", params={"offset": 2**31 - 1}, headers=org.headers("reporter")
    )
    assert resp.status_code == 200 and resp.json()["items"] == []


@pytest.mark.parametrize(
    "filename",
    ["x" * 300, "é" * 300, "../../etc/passwd", "..", ".", "a\x00b.csv", "ledger\\..\\x.xml"],
    ids=["300-chars", "300-two-byte-chars", "traversal", "dotdot", "dot", "nul", "backslashes"],
)
def test_any_filename_on_a_ledger_upload_is_an_answer_not_a_500(
    client: TestClient, make_org, filename: str
) -> None:
    org = make_org("reporter")
    resp = client.post(
        "/v1/ledgers",
        params={"filename": filename},
        content=b"this is not a ledger export\n",
        headers=org.headers("reporter"),
    )
    # The body is no ledger: refused for what it is, whatever it was called.
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"] == "application/problem+json"


def test_compressed_bodies_are_refused_before_reading(client: TestClient, make_org) -> None:
    org = make_org("reporter")
    for encoding in ("gzip", "deflate", "br", "gzip, identity"):
        resp = client.post(
            "/v1/submissions?kind=test_doc&recipient=sandbox-authority",
            content=gzip.compress(b"<Doc/>"),
            headers={
                **org.headers("reporter"),
                "Content-Type": "application/xml",
                "Content-Encoding": encoding,
            },
        )
        assert resp.status_code == 415, resp.text
        assert resp.headers["content-type"] == "application/problem+json"


@pytest.fixture(scope="module")
def capped_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The sandbox authorities as their own process serves them: with the body cap."""
    data = tmp_path_factory.mktemp("capped-sandbox")
    # The cap follows the XML limit: 256 KiB of XML gives a cap of about 1.3 MiB.
    app = create_sandbox_app(Settings(data_dir=data, xml=XmlSettings(max_bytes=256 * 1024)))
    with TestClient(app) as c:
        yield c


def _envelope(payload: bytes) -> bytes:
    return json.dumps(
        {
            "message_id": "m-1@test",
            "sender": "12345678",
            "recipient": "sandbox-authority",
            "kind": "test_doc",
            "content_type": "application/xml",
            "payload": base64.b64encode(payload).decode(),
        }
    ).encode()


def test_sandbox_intake_streams_with_a_cap(capped_sandbox: TestClient) -> None:
    big = _envelope(b"<a>" + b"x" * (2 * 1024 * 1024) + b"</a>")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap must hold while reading
        for i in range(0, len(big), 64 * 1024):
            yield big[i : i + 64 * 1024]

    streamed = capped_sandbox.post(
        "/authority/messages", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413, streamed.text
    declared = capped_sandbox.post(
        "/authority/messages", content=big, headers={"Content-Type": "application/json"}
    )
    assert declared.status_code == 413
    assert "limit" in declared.json()["detail"]


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b'{"message_id": "\xe6\xf8\xe5"}', {}),
        (b"\xff\xfe{\x00}\x00", {}),
        (gzip.compress(b'{"message_id": "m"}'), {}),
        (gzip.compress(b'{"message_id": "m"}'), {"Content-Encoding": "gzip"}),
        (b"{", {}),
    ],
    ids=["latin-1", "utf-16-bom", "gzip-undeclared", "gzip-declared", "truncated-json"],
)
def test_sandbox_intake_refuses_undecodable_bodies_as_4xx(
    capped_sandbox: TestClient, body: bytes, headers: dict[str, str]
) -> None:
    resp = capped_sandbox.post(
        "/authority/messages", content=body, headers={"Content-Type": "application/json", **headers}
    )
    assert 400 <= resp.status_code < 500, resp.text


NOT_XML = [
    b"\x00\x01\x02random bytes\xff",
    b"random text, no markup",
    b"",
    b"<Invoice><unclosed></Invoice>",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    ("<Invoice " + " ".join(f'a{i}="1"' for i in range(1000)) + "/>").encode(),
    b"<a>" * 500 + b"</a>" * 500,
]


@pytest.mark.parametrize("body", NOT_XML, ids=range(len(NOT_XML)))
def test_verify_refuses_what_is_not_acceptable_xml_as_422(
    client: TestClient, make_org, body: bytes
) -> None:
    org = make_org("supplier")
    resp = client.post("/v1/signatures/verify", content=body, headers=org.headers("supplier"))
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    assert "signed" not in resp.json()


@pytest.fixture(scope="module")
def example(artefacts_dir: Path) -> bytes:
    return (artefacts_dir / "en16931-ubl-1.3.16/examples/ubl-tc434-example1.xml").read_bytes()


def test_verify_says_signed_only_when_a_signature_is_there(
    client: TestClient, container: Container, make_org, example: bytes
) -> None:
    org = make_org("reporter", "supplier")
    unsigned = client.post(
        "/v1/signatures/verify", content=example, headers=org.headers("supplier")
    ).json()
    assert unsigned["signed"] is False and unsigned["valid"] is False
    assert unsigned["signed_content"] is None
    plain = client.post(
        "/v1/signatures/verify", content=b"<Note>hello</Note>", headers=org.headers("supplier")
    ).json()
    assert plain["signed"] is False and plain["refusal"] == "missing-signature"

    sid = _submit(client, org, example)
    assert _drive(container, sid) == "acknowledged"
    signed = client.get(f"/v1/submissions/{sid}/signature", headers=org.headers("supplier"))
    good = client.post(
        "/v1/signatures/verify", content=signed.content, headers=org.headers("supplier")
    ).json()
    assert good["valid"] is True and good["signed"] is True
    # What it covers, recomputed here: the document without its ds:Signature, canonical.
    root = etree.fromstring(signed.content)
    signature = root.find(f".//{{{DS}}}Signature")
    assert signature is not None
    signature.getparent().remove(signature)
    canonical = etree.tostring(root, method="c14n", with_comments=False)
    assert good["signed_content"]["sha256"] == hashlib.sha256(canonical).hexdigest()
    data_ref = next(r for r in good["references"] if r["uri"] == "")
    assert base64.b64decode(data_ref["digest_value"]) == hashlib.sha256(canonical).digest()

    tampered = signed.content.replace(b"250.33", b"250.34", 1)
    bad = client.post(
        "/v1/signatures/verify", content=tampered, headers=org.headers("supplier")
    ).json()
    assert bad["signed"] is True and bad["valid"] is False
    assert bad["refusal"] == "digest-mismatch" and bad["signed_content"] is None


@pytest.mark.parametrize("value", ["ÿþ", "QUJD\u00e6", "not base64!"])
def test_non_ascii_base64_is_a_400_not_a_500(client: TestClient, make_org, value: str) -> None:
    """Found by the fuzz run: b64decode raises ValueError, not binascii.Error, on non-ASCII."""
    org = make_org("reporter")
    resp = client.post(
        "/v1/submissions",
        json={"kind": "test_doc", "recipient": "sandbox-authority", "payload_base64": value},
        headers=org.headers("reporter"),
    )
    assert resp.status_code == 400, resp.text
    assert "payload_base64" in resp.json()["detail"]


def test_a_list_under_a_non_ascii_path_links_its_pages_percent_encoded(
    client: TestClient, make_org
) -> None:
    """Found by the fuzz run: the Link header carried the raw path and could not be encoded."""
    org = make_org("supplier")
    resp = client.get("/v1/tenders/t%C3%A6st%F1%B8%A9%B2/my-bids", headers=org.headers("supplier"))
    assert resp.status_code < 500, resp.text
    if "link" in resp.headers:
        assert resp.headers["link"].isascii()
        assert "t%C3%A6st" in resp.headers["link"]
