"""Interop with an independent AS4 implementation (the ``as4`` package on PyPI), both ways,
over HTTP on loopback."""

from __future__ import annotations

import httpx
import pytest

# bench/as4.py shadows the package for a whole-tree mypy run; the names exist at run time.
from as4 import (  # type: ignore[attr-defined]
    AS4LocalPrivateKey,
    SecurityPolicy,
    pinned_certificates,
)
from as4.peppol import (  # type: ignore[import-not-found]
    build_peppol_message,
    create_peppol_external_party,
    create_peppol_internal_party,
    parse_peppol_message,
    parse_peppol_receipt,
)
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from invoicing.as4 import As4Receiver, DeliveryStatus, InboundMessage, PinnedCertificates, send_as4
from invoicing.as4.devcerts import DevIdentity, make_dev_ca, make_dev_identity
from invoicing.peppol import PeppolEndpoint
from invoicing.peppol_ids import ParticipantId
from invoicing.peppol_smp import SmpDirectory
from sandbox.peppol import create_peppol_sandbox
from tests.invoicing.test_as4_http import DOC_TYPE, INVOICE, PROCESS, RECEIVER, SENDER, serve, stop


@pytest.fixture(scope="module")
def pki() -> dict[str, DevIdentity]:
    ca = make_dev_ca()
    return {
        "ours": make_dev_identity("PDK000011", ca=ca),
        "theirs": make_dev_identity("PDK000012", ca=ca),
    }


def _c14n(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml), method="c14n")


def _business_document(sbd: bytes) -> bytes:
    root = etree.fromstring(sbd)
    return etree.tostring(root[1], method="c14n")


def test_our_sender_to_their_receiver(pki: dict[str, DevIdentity]) -> None:
    theirs = create_peppol_internal_party(
        "PDK000012", pki["theirs"].certificate, AS4LocalPrivateKey(pki["theirs"].private_key)
    )
    policy = SecurityPolicy(signer_resolver=pinned_certificates(pki["ours"].certificate))
    received: list[bytes] = []

    async def endpoint(request: Request) -> Response:
        exchange = parse_peppol_message(
            dict(request.headers), await request.body(), theirs, security_policy=policy
        )
        if exchange.successful and exchange.message is not None:
            received.extend(exchange.message.decrypted_data.values())
        headers, signal = exchange.build_signal()
        return Response(signal, headers=headers)

    lb = serve(Starlette(routes=[Route("/as4", endpoint, methods=["POST"])]))
    try:
        with httpx.Client(timeout=30) as client:
            outcome = send_as4(
                INVOICE,
                sender_id=SENDER,
                receiver_id=RECEIVER,
                doc_type_id=DOC_TYPE,
                process_id=PROCESS,
                identity=pki["ours"],
                endpoint=PeppolEndpoint(
                    ParticipantId.parse(RECEIVER),
                    DOC_TYPE,
                    PROCESS,
                    lb.url + "/as4",
                    pki["theirs"].certificate,
                ),
                client=client,
            )
    finally:
        stop(lb)
    assert outcome.status is DeliveryStatus.DELIVERED, outcome.detail
    assert outcome.receipt is not None and outcome.receipt.ref_to_message_id == outcome.message_id
    assert len(received) == 1
    assert _business_document(received[0]) == _c14n(INVOICE)


def test_their_sender_to_our_receiver(pki: dict[str, DevIdentity]) -> None:
    delivered: list[InboundMessage] = []
    ap = As4Receiver(
        identity=pki["ours"],
        trust=PinnedCertificates((pki["theirs"].certificate,)),
        deliver=delivered.append,
    )
    directory = SmpDirectory(signer=(pki["ours"].private_key, pki["ours"].certificate))
    lb = serve(create_peppol_sandbox(smp=directory, access_point=ap))
    sender = create_peppol_internal_party(
        "PDK000012", pki["theirs"].certificate, AS4LocalPrivateKey(pki["theirs"].private_key)
    )
    message = build_peppol_message(
        INVOICE,
        local_party=sender,
        remote_party=create_peppol_external_party("PDK000011", pki["ours"].certificate),
        sender=SENDER,
        recipient=RECEIVER,
        sender_country_id="DK",
        document_type_identifier_scheme="busdox-docid-qns",
        document_type_identifier_value=DOC_TYPE,
        process_identifier=PROCESS,
    )
    body, boundary = message.get_request_data()
    try:
        with httpx.Client(timeout=30) as client:
            response = client.post(
                lb.url + "/as4", content=body, headers=message.get_http_headers(boundary)
            )
    finally:
        stop(lb)
    assert response.status_code == 200
    receipt = parse_peppol_receipt(response.content, pki["ours"].certificate)
    receipt.verify_non_repudiation(message.signed_references)
    assert receipt.success and receipt.original_message_id == message.message_id
    assert [m.message_id for m in delivered] == [message.message_id]
    assert _c14n(delivered[0].document) == _c14n(INVOICE)
    assert delivered[0].final_recipient == RECEIVER


def test_their_receiver_refusing_our_signer_is_a_refusal_for_us(
    pki: dict[str, DevIdentity],
) -> None:
    theirs = create_peppol_internal_party(
        "PDK000012", pki["theirs"].certificate, AS4LocalPrivateKey(pki["theirs"].private_key)
    )
    # They trust only some other access point, not ours.
    stranger = make_dev_identity("PDK000019")
    policy = SecurityPolicy(signer_resolver=pinned_certificates(stranger.certificate))

    async def endpoint(request: Request) -> Response:
        exchange = parse_peppol_message(
            dict(request.headers), await request.body(), theirs, security_policy=policy
        )
        headers, signal = exchange.build_signal()
        return Response(signal, headers=headers)

    lb = serve(Starlette(routes=[Route("/as4", endpoint, methods=["POST"])]))
    try:
        with httpx.Client(timeout=30) as client:
            outcome = send_as4(
                INVOICE,
                sender_id=SENDER,
                receiver_id=RECEIVER,
                doc_type_id=DOC_TYPE,
                process_id=PROCESS,
                identity=pki["ours"],
                endpoint=PeppolEndpoint(
                    ParticipantId.parse(RECEIVER),
                    DOC_TYPE,
                    PROCESS,
                    lb.url + "/as4",
                    pki["theirs"].certificate,
                ),
                client=client,
            )
    finally:
        stop(lb)
    assert outcome.status is DeliveryStatus.REFUSED
    assert outcome.error_code == "EBMS:0101"
    assert not outcome.retryable
