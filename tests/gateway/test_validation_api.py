"""`POST /v1/validate` and the pipeline's validate step use the official rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from gateway.bootstrap import Container
from tests.gateway.test_pipeline import _drive, _submit

EXAMPLE = "en16931-ubl-1.3.16/examples/ubl-tc434-example1.xml"


@pytest.fixture(scope="module")
def example(artefacts_dir: Path) -> bytes:
    return (artefacts_dir / EXAMPLE).read_bytes()


def _break_totals(xml: bytes) -> bytes:
    tree = etree.fromstring(xml)
    ns = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
    payable = tree.find(".//cbc:PayableAmount", ns)
    assert payable is not None and payable.text
    payable.text = str(float(payable.text) + 100)
    tax_inclusive = tree.find(".//cbc:TaxInclusiveAmount", ns)
    assert tax_inclusive is not None and tax_inclusive.text
    tax_inclusive.text = str(float(tax_inclusive.text) + 100)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def test_a_valid_invoice_is_valid(client: TestClient, make_org, example: bytes) -> None:
    org = make_org("reporter")
    report = client.post("/v1/validate", content=example, headers=org.headers("reporter")).json()
    assert report["valid"] is True, report["findings"][:3]
    assert report["plan"].startswith("en16931")


def test_altered_totals_name_the_broken_rule(client: TestClient, make_org, example: bytes) -> None:
    org = make_org("reporter")
    resp = client.post(
        "/v1/validate", content=_break_totals(example), headers=org.headers("reporter")
    )
    assert resp.status_code == 200
    report = resp.json()
    assert report["valid"] is False
    fired = {f["rule"] for f in report["findings"] if f["severity"] == "fatal"}
    assert "BR-CO-15" in fired
    text = client.post(
        "/v1/validate?format=text", content=_break_totals(example), headers=org.headers("reporter")
    )
    assert "BR-CO-15" in text.text
    svrl = client.post(
        "/v1/validate?format=svrl", content=_break_totals(example), headers=org.headers("reporter")
    )
    assert b"failed-assert" in svrl.content


def _cast_abc(xml: bytes) -> bytes:
    # The schema refuses "abc"; the EN 16931 stylesheet stops on xs:decimal("abc").
    tree = etree.fromstring(xml)
    ns = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
    payable = tree.find(".//cbc:PayableAmount", ns)
    assert payable is not None
    payable.text = "abc"
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def test_a_rule_set_dynamic_error_is_a_finding_beside_the_schema_errors(
    client: TestClient, make_org, example: bytes
) -> None:
    org = make_org("reporter")
    resp = client.post("/v1/validate", content=_cast_abc(example), headers=org.headers("reporter"))
    assert resp.status_code == 200
    report = resp.json()
    assert report["valid"] is False
    by_rule = {f["rule"]: f for f in report["findings"]}
    assert "XSD" in by_rule
    error = by_rule["RULESET-ERROR"]
    assert (error["code"], error["value"], error["ruleset"]) == ("FORG0001", "abc", "EN16931")


def test_no_plan_is_a_finding_and_an_unknown_plan_a_bad_request(
    client: TestClient, make_org, example: bytes
) -> None:
    org = make_org("reporter")
    resp = client.post("/v1/validate", content=b"<note/>", headers=org.headers("reporter"))
    assert resp.status_code == 422
    assert [f["rule"] for f in resp.json()["findings"]] == ["NO-PLAN"]
    resp = client.post("/v1/validate?plan=nope", content=example, headers=org.headers("reporter"))
    assert resp.status_code == 400 and "unknown validation plan" in resp.json()["detail"]


def test_pipeline_marks_a_dynamic_error_invalid_with_its_findings(
    client: TestClient, container: Container, make_org, example: bytes
) -> None:
    org = make_org("reporter")
    sid = _submit(client, org, _cast_abc(example))
    assert _drive(container, sid) == "invalid"
    sub = client.get(f"/v1/submissions/{sid}", headers=org.headers("reporter")).json()
    rules = {f["rule"] for f in sub["findings"]}
    assert {"XSD", "RULESET-ERROR"} <= rules


def test_the_compiled_engine_is_chosen_per_request(
    client: TestClient, make_org, example: bytes
) -> None:
    org = make_org("reporter")
    broken = _break_totals(example)
    saxon = client.post("/v1/validate", content=broken, headers=org.headers("reporter")).json()
    compiled = client.post(
        "/v1/validate?engine=compiled", content=broken, headers=org.headers("reporter")
    ).json()
    assert compiled["valid"] is False
    assert sorted(f["rule"] for f in compiled["findings"]) == sorted(
        f["rule"] for f in saxon["findings"]
    )
    bad = client.post("/v1/validate?engine=fast", content=example, headers=org.headers("reporter"))
    assert bad.status_code == 422


def test_hostile_xml_never_reaches_saxon(client: TestClient, make_org) -> None:
    org = make_org("reporter")
    xxe = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Invoice>&x;</Invoice>'
    resp = client.post("/v1/validate", content=xxe, headers=org.headers("reporter"))
    assert resp.status_code == 422
    assert resp.headers["content-type"] == "application/problem+json"
    assert "DTD" in resp.json()["detail"]


def test_validation_needs_a_key(client: TestClient, example: bytes) -> None:
    assert client.post("/v1/validate", content=example).status_code == 401


def test_pipeline_refuses_an_invoice_with_a_fatal_finding(
    client: TestClient, container: Container, make_org, example: bytes
) -> None:
    org = make_org("reporter")
    sid = _submit(client, org, _break_totals(example))
    assert _drive(container, sid) == "invalid"
    sub = client.get(f"/v1/submissions/{sid}", headers=org.headers("reporter")).json()
    assert sub["plan"].startswith("en16931")
    assert any(f["rule"] == "BR-CO-15" for f in sub["findings"])
    assert "BR-CO-15" in sub["last_error"]


def test_a_signed_invoice_verifies_and_a_tampered_copy_does_not(
    client: TestClient, container: Container, make_org, example: bytes
) -> None:
    org = make_org("reporter", "supplier")
    sid = _submit(client, org, example)
    assert _drive(container, sid) == "acknowledged"
    signed = client.get(f"/v1/submissions/{sid}/signature", headers=org.headers("supplier"))
    assert signed.status_code == 200
    good = client.post(
        "/v1/signatures/verify", content=signed.content, headers=org.headers("supplier")
    ).json()
    assert good["valid"] is True
    assert "Gateway tests" in good["signer"]
    tampered = signed.content.replace(b"250.33", b"250.34", 1)
    assert tampered != signed.content
    bad = client.post(
        "/v1/signatures/verify", content=tampered, headers=org.headers("supplier")
    ).json()
    assert bad["valid"] is False and bad["refusal"] == "digest-mismatch"
    unsigned = client.post(
        "/v1/signatures/verify", content=example, headers=org.headers("supplier")
    ).json()
    assert unsigned["valid"] is False and unsigned["refusal"] == "missing-signature"
