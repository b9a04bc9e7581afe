"""Peppol AS4 over real HTTP on loopback: SMP lookup, send, receive, receipt, refusals."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import pytest
import uvicorn
from lxml import etree
from starlette.applications import Starlette

from invoicing.as4 import (
    As4Receiver,
    DeliveryStatus,
    InboundMessage,
    PinnedCertificates,
    build_user_message,
    read_receipt,
    send_as4,
)
from invoicing.as4.devcerts import DevIdentity, make_dev_ca, make_dev_identity
from invoicing.as4.errors import As4Refused
from invoicing.peppol import ParticipantNotFound, PeppolEndpoint, PeppolLookup, StaticSmpLocator
from invoicing.peppol_ids import ParticipantId
from invoicing.peppol_smp import SmpDirectory
from sandbox.peppol import create_peppol_sandbox

DOC_TYPE = (
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice"
    "##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
)
PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
SENDER = "0184:11111111"
RECEIVER = "0184:22222222"
INVOICE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"'
    b' xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
    b"<cbc:ID>INV-1</cbc:ID><cbc:Note>Tak for handlen \xc3\xa6\xc3\xb8\xc3\xa5</cbc:Note></Invoice>"
)


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # runs in a thread
        pass


@dataclass
class Loopback:
    url: str
    server: _Server
    thread: threading.Thread


def serve(app: Starlette) -> Loopback:
    """Run ``app`` under uvicorn on a free loopback port in a thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # generous: a busy machine starts slowly
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    return Loopback(f"http://127.0.0.1:{port}", server, thread)


def stop(lb: Loopback) -> None:
    lb.server.should_exit = True
    lb.thread.join(timeout=10)


@dataclass
class Network:
    """Two access points' identities, a sandbox SMP + receiving AP, and what it delivered."""

    url: str
    sender: DevIdentity
    receiver: DevIdentity
    smp_identity: DevIdentity
    directory: SmpDirectory
    ap: As4Receiver
    delivered: list[InboundMessage] = field(default_factory=list)
    fail_delivery: list[bool] = field(default_factory=lambda: [False])

    def lookup(self, client: httpx.Client) -> PeppolLookup:
        return PeppolLookup(
            locator=StaticSmpLocator(self.url + "/smp"),
            client=client,
            smp_certificate=self.smp_identity.certificate,
        )


@pytest.fixture(scope="module")
def pki() -> dict[str, DevIdentity]:
    ca = make_dev_ca()
    return {
        "sender": make_dev_identity("PDK000001", ca=ca),
        "receiver": make_dev_identity("PDK000002", ca=ca),
        "other": make_dev_identity("PDK000003", ca=ca),
        "smp": make_dev_identity("SMP000001", ca=ca),
    }


@pytest.fixture(scope="module")
def network(pki: dict[str, DevIdentity]) -> Iterator[Network]:
    directory = SmpDirectory(signer=(pki["smp"].private_key, pki["smp"].certificate))
    holder: dict[str, Network] = {}

    def deliver(message: InboundMessage) -> None:
        net = holder["net"]
        if net.fail_delivery[0]:
            raise RuntimeError("inbound pipeline is down")
        net.delivered.append(message)

    ap = As4Receiver(
        identity=pki["receiver"],
        trust=PinnedCertificates((pki["sender"].certificate,)),
        deliver=deliver,
        accepts_recipient=lambda pid: pid != "0184:99999999",
    )
    lb = serve(create_peppol_sandbox(smp=directory, access_point=ap))
    net = Network(lb.url, pki["sender"], pki["receiver"], pki["smp"], directory, ap)
    holder["net"] = net
    for participant in (RECEIVER, "0184:99999999"):
        directory.register(
            participant,
            DOC_TYPE,
            process_id=PROCESS,
            url=lb.url + "/as4",
            certificate=pki["receiver"].certificate,
        )
    yield net
    stop(lb)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as c:
        yield c


def _c14n(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml), method="c14n")


def test_send_is_delivered_and_the_signed_receipt_verified(
    network: Network, client: httpx.Client
) -> None:
    before = len(network.delivered)
    outcome = send_as4(
        INVOICE,
        sender_id=SENDER,
        receiver_id=RECEIVER,
        doc_type_id=DOC_TYPE,
        process_id=PROCESS,
        identity=network.sender,
        resolver=network.lookup(client),
        client=client,
    )
    assert outcome.status is DeliveryStatus.DELIVERED, outcome.detail
    assert outcome.receipt is not None
    assert outcome.receipt.ref_to_message_id == outcome.message_id
    assert outcome.receipt.signer == network.receiver.certificate
    assert len(network.delivered) == before + 1
    got = network.delivered[-1]
    assert got.message_id == outcome.message_id
    assert _c14n(got.document) == _c14n(INVOICE)
    assert (got.original_sender, got.final_recipient) == (SENDER, RECEIVER)
    assert got.sbdh.document_type_id == DOC_TYPE and got.sbdh.process_id == PROCESS
    assert got.from_party == "PDK000001"


def test_a_resent_message_is_acknowledged_but_delivered_once(
    network: Network, client: httpx.Client
) -> None:
    endpoint = network.lookup(client).lookup(RECEIVER, doc_type_id=DOC_TYPE, process_id=PROCESS)
    kwargs = dict(
        sender_id=SENDER,
        receiver_id=RECEIVER,
        doc_type_id=DOC_TYPE,
        process_id=PROCESS,
        identity=network.sender,
        endpoint=endpoint,
        client=client,
    )
    first = send_as4(INVOICE, **kwargs)  # type: ignore[arg-type]
    count = len(network.delivered)
    again = send_as4(INVOICE, message_id=first.message_id, **kwargs)  # type: ignore[arg-type]
    assert first.status is again.status is DeliveryStatus.DELIVERED
    assert again.message_id == first.message_id
    assert len(network.delivered) == count
    assert [m.message_id for m in network.delivered].count(first.message_id) == 1


def _post(client: httpx.Client, url: str, body: bytes, content_type: str) -> httpx.Response:
    return client.post(url, content=body, headers={"Content-Type": content_type})


def _build(network: Network, *, receiver_cert: object = None, identity: DevIdentity | None = None):  # type: ignore[no-untyped-def]
    return build_user_message(
        INVOICE,
        identity=identity or network.sender,
        receiver_certificate=receiver_cert or network.receiver.certificate,  # type: ignore[arg-type]
        sender_id=SENDER,
        receiver_id=RECEIVER,
        doc_type_id=DOC_TYPE,
        process_id=PROCESS,
        country_c1="DK",
        to_party="PDK000002",
    )


def _refusal_code(
    network: Network, client: httpx.Client, body: bytes, content_type: str, sent
) -> str:  # type: ignore[no-untyped-def]
    before = len(network.delivered)
    response = _post(client, network.url + "/as4", body, content_type)
    assert response.status_code == 500
    with pytest.raises(As4Refused) as info:
        read_receipt(
            response.content,
            response.headers["content-type"],
            sent=sent,
            receiver_certificate=network.receiver.certificate,
        )
    assert len(network.delivered) == before
    return info.value.code


def test_a_tampered_ebms_header_is_refused(network: Network, client: httpx.Client) -> None:
    sent = _build(network)
    # Only the SOAP part holds the participant in clear (the SBDH is encrypted).
    tampered = sent.body.replace(b">0184:22222222<", b">0184:22222223<")
    assert tampered != sent.body
    assert _refusal_code(network, client, tampered, sent.content_type, sent) == "EBMS:0101"


def test_a_signature_by_an_untrusted_access_point_is_refused(
    network: Network, client: httpx.Client, pki: dict[str, DevIdentity]
) -> None:
    sent = _build(network, identity=pki["other"])
    assert _refusal_code(network, client, sent.body, sent.content_type, sent) == "EBMS:0101"


def test_a_message_encrypted_for_another_certificate_is_refused(
    network: Network, client: httpx.Client, pki: dict[str, DevIdentity]
) -> None:
    sent = _build(network, receiver_cert=pki["other"].certificate)
    assert _refusal_code(network, client, sent.body, sent.content_type, sent) == "EBMS:0102"


def test_an_unserviced_final_recipient_gets_peppol_not_serviced(
    network: Network, client: httpx.Client
) -> None:
    outcome = send_as4(
        INVOICE,
        sender_id=SENDER,
        receiver_id="0184:99999999",
        doc_type_id=DOC_TYPE,
        process_id=PROCESS,
        identity=network.sender,
        resolver=network.lookup(client),
        client=client,
    )
    assert outcome.status is DeliveryStatus.REFUSED
    assert outcome.error_code == "PEPPOL:NOT_SERVICED"
    assert not outcome.retryable


def test_no_receipt_is_a_retryable_outcome_and_the_retry_delivers_once(
    network: Network, client: httpx.Client
) -> None:
    endpoint = network.lookup(client).lookup(RECEIVER, doc_type_id=DOC_TYPE, process_id=PROCESS)
    kwargs = dict(
        sender_id=SENDER,
        receiver_id=RECEIVER,
        doc_type_id=DOC_TYPE,
        process_id=PROCESS,
        identity=network.sender,
        endpoint=endpoint,
        client=client,
    )
    network.fail_delivery[0] = True
    try:
        failed = send_as4(INVOICE, **kwargs)  # type: ignore[arg-type]
    finally:
        network.fail_delivery[0] = False
    assert failed.status is DeliveryStatus.MISSING_RECEIPT and failed.retryable
    retried = send_as4(INVOICE, message_id=failed.message_id, **kwargs)  # type: ignore[arg-type]
    assert retried.status is DeliveryStatus.DELIVERED
    assert [m.message_id for m in network.delivered].count(failed.message_id) == 1


def test_an_unreachable_access_point_is_a_missing_receipt(
    network: Network, client: httpx.Client
) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    endpoint = PeppolEndpoint(
        ParticipantId.parse(RECEIVER),
        DOC_TYPE,
        PROCESS,
        f"http://127.0.0.1:{port}/as4",
        network.receiver.certificate,
    )
    outcome = send_as4(
        INVOICE,
        sender_id=SENDER,
        receiver_id=RECEIVER,
        doc_type_id=DOC_TYPE,
        process_id=PROCESS,
        identity=network.sender,
        endpoint=endpoint,
        client=client,
    )
    assert outcome.status is DeliveryStatus.MISSING_RECEIPT and outcome.retryable
    assert outcome.receipt is None


def test_lookup_of_an_unregistered_participant_is_not_found(
    network: Network, client: httpx.Client
) -> None:
    with pytest.raises(ParticipantNotFound):
        network.lookup(client).lookup("0184:55555555", doc_type_id=DOC_TYPE, process_id=PROCESS)


def test_the_service_group_lists_the_registered_document_type(
    network: Network, client: httpx.Client
) -> None:
    refs = network.lookup(client).document_types(RECEIVER)
    assert len(refs) == 1
    assert refs[0].startswith(
        network.url + "/smp/iso6523-actorid-upis%3A%3A0184%3A22222222/services/"
    )
    assert client.get(refs[0]).status_code == 200


def test_two_copies_arriving_together_are_delivered_once(
    network: Network, client: httpx.Client
) -> None:
    sent = _build(network)
    before = len(network.delivered)
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(
            pool.map(
                lambda _: _post(client, network.url + "/as4", sent.body, sent.content_type),
                range(4),
            )
        )
    for response in responses:
        receipt = read_receipt(
            response.content,
            response.headers["content-type"],
            sent=sent,
            receiver_certificate=network.receiver.certificate,
        )
        assert receipt.ref_to_message_id == sent.message_id
    assert len(network.delivered) == before + 1
