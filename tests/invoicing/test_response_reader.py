"""Received Invoice Responses (T111) and Order Responses (T76) read back into the model."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from invoicing.builders.ordering import build_invoice_response, build_order_response
from invoicing.errors import UnknownReference, UnsupportedDocument
from invoicing.orders import InvoiceStatus, OrderResponseCode, StatusAction, StatusReasonCode
from invoicing.response_reader import read_invoice_response, read_order_response
from tests.invoicing.test_ordering_builders import INVOICE_RESPONSES, RESPONSES
from tests.invoicing.ubl_checks import fatal, ordering_findings

ROOT = Path(__file__).resolve().parents[2]
USE_CASES = "peppol-bis-ordering-3/rules/examples/Invoice reponse use cases"
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def _use_cases() -> list[str]:
    base = Path(os.environ.get("GW_ARTEFACTS_DIR", ROOT / "var" / "artefacts")) / USE_CASES
    return sorted(p.name for p in base.glob("*.xml")) if base.is_dir() else []


def _terms(xml: bytes) -> dict[str, list[str]]:
    doc = etree.fromstring(xml)
    paths = {
        "status": "cac:DocumentResponse/cac:Response/cbc:ResponseCode",
        "effective": "cac:DocumentResponse/cac:Response/cbc:EffectiveDate",
        "codes": "cac:DocumentResponse/cac:Response/cac:Status/cbc:StatusReasonCode",
        "lists": "cac:DocumentResponse/cac:Response/cac:Status/cbc:StatusReasonCode/@listID",
        "reasons": "cac:DocumentResponse/cac:Response/cac:Status/cbc:StatusReason",
        "terms": "cac:DocumentResponse/cac:Response/cac:Status/cac:Condition/cbc:*",
        "invoice": "cac:DocumentResponse/cac:DocumentReference/cbc:*",
        "sender": "cac:SenderParty/cbc:EndpointID|cac:SenderParty/cbc:EndpointID/@schemeID",
        "receiver": "cac:ReceiverParty/cbc:EndpointID|cac:ReceiverParty/cbc:EndpointID/@schemeID",
        "id": "cbc:ID|cbc:IssueDate|cbc:Note",
    }
    out = {}
    for name, path in paths.items():
        values = doc.xpath(path, namespaces=NS)
        out[name] = [v if isinstance(v, str) else (v.text or "").strip() for v in values]
    return out


def test_use_cases_are_found() -> None:
    assert len(_use_cases()) >= 10


@pytest.mark.parametrize("name", _use_cases())
def test_official_invoice_response_use_case_round_trips(name: str, artefacts_dir: Path) -> None:
    original = (artefacts_dir / USE_CASES / name).read_bytes()
    rewritten = build_invoice_response(read_invoice_response(original))
    assert _terms(rewritten) == _terms(original)
    assert fatal(ordering_findings(rewritten, artefacts_dir, "T111")) == []


@pytest.mark.parametrize("name", sorted(INVOICE_RESPONSES))
def test_our_invoice_responses_read_back_equal(name: str) -> None:
    response = INVOICE_RESPONSES[name]
    again = read_invoice_response(build_invoice_response(response))
    assert again.status == response.status
    assert again.reasons == response.reasons
    assert (again.invoice_number, again.invoice_issue_date) == (
        "INV-1001",
        response.invoice_issue_date,
    )
    assert again.sender.endpoint == response.sender.endpoint


def test_rejection_reasons_say_what_and_what_to_do() -> None:
    again = read_invoice_response(build_invoice_response(INVOICE_RESPONSES["rejected"]))
    assert again.status is InvoiceStatus.REJECTED
    assert [r.code for r in again.reasons] == [
        StatusReasonCode.PRICES_INCORRECT,
        StatusAction.ISSUE_NEW_INVOICE,
    ]
    assert (again.reasons[0].term, again.reasons[0].term_value) == ("BT-146", "120")


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_order_response_reads_back_equal(name: str) -> None:
    response = RESPONSES[name]
    again = read_order_response(build_order_response(response), orders={"PO-77": response.order})
    expected_lines = (
        response.lines if response.code is OrderResponseCode.ACCEPTED_WITH_CHANGES else ()
    )
    # Lines travel only with code CA; the other codes answer the order as a whole.
    assert again == replace(response, lines=expected_lines)


def test_order_response_to_an_unknown_order_is_refused() -> None:
    xml = build_order_response(RESPONSES["accept"])
    with pytest.raises(UnknownReference):
        read_order_response(xml, orders={})


def test_an_invoice_is_not_a_response() -> None:
    invoice = b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'
    with pytest.raises(UnsupportedDocument):
        read_invoice_response(invoice)
