"""The AS4 message layer without HTTP: refusals a receiving or sending access point must make."""

from __future__ import annotations

import copy

import pytest
from lxml import etree

from gateway.signing.keys import TrustStore
from invoicing.as4 import (
    As4ReceiptError,
    As4Refused,
    OutboundMessage,
    PinnedCertificates,
    build_receipt,
    build_user_message,
    mime,
    open_user_message,
    read_receipt,
)
from invoicing.as4 import constants as c
from invoicing.as4.devcerts import DevIdentity, make_dev_ca, make_dev_identity
from tests.invoicing.test_as4_http import DOC_TYPE, INVOICE, PROCESS, RECEIVER, SENDER


@pytest.fixture(scope="module")
def pki() -> dict[str, DevIdentity]:
    ca = make_dev_ca()
    return {
        "sender": make_dev_identity("PDK000021", ca=ca),
        "receiver": make_dev_identity("PDK000022", ca=ca),
        "other": make_dev_identity("PDK000023", ca=ca),
        "ca": ca,
    }


def _build(pki: dict[str, DevIdentity], document: bytes = INVOICE) -> OutboundMessage:
    return build_user_message(
        document,
        identity=pki["sender"],
        receiver_certificate=pki["receiver"].certificate,
        sender_id=SENDER,
        receiver_id=RECEIVER,
        doc_type_id=DOC_TYPE,
        process_id=PROCESS,
        country_c1="DK",
    )


def _open(pki: dict[str, DevIdentity], body: bytes, content_type: str, **kw: int):  # type: ignore[no-untyped-def]
    return open_user_message(
        body,
        content_type,
        identity=pki["receiver"],
        trust=PinnedCertificates((pki["sender"].certificate,)),
        **kw,
    )


def _edit_envelope(sent: OutboundMessage, edit) -> tuple[bytes, str]:  # type: ignore[no-untyped-def]
    package = mime.unpack(sent.body, sent.content_type)
    env = etree.fromstring(package.envelope)
    edit(env)
    return mime.pack(etree.tostring(env), package.attachments)


def test_the_sbdh_carries_the_peppol_scopes(pki: dict[str, DevIdentity]) -> None:
    sent = _build(pki)
    got = _open(pki, sent.body, sent.content_type)
    assert (got.sbdh.sender, got.sbdh.receiver, got.sbdh.country_c1) == (SENDER, RECEIVER, "DK")
    assert got.action == f"busdox-docid-qns::{DOC_TYPE}" and got.service == PROCESS


def test_a_wrapped_signature_with_a_forged_message_id_is_refused(
    pki: dict[str, DevIdentity],
) -> None:
    sent = _build(pki)

    def wrap(env: etree._Element) -> None:
        header = env.find(f"{{{c.S12}}}Header")
        assert header is not None
        messaging = header.find(f"{{{c.EB}}}Messaging")
        security = header.find(f"{{{c.WSSE}}}Security")
        assert messaging is not None and security is not None
        forged = copy.deepcopy(messaging)
        forged.set(c.WSU_ID, "_forged")
        message_id = forged.find(f".//{{{c.EB}}}MessageId")
        assert message_id is not None
        message_id.text = "replayed@attacker"
        header.remove(messaging)
        security.append(messaging)  # the signed original hides where a lax reader ignores it
        header.append(forged)

    body, content_type = _edit_envelope(sent, wrap)
    with pytest.raises(As4Refused) as info:
        _open(pki, body, content_type)
    assert info.value.code == "EBMS:0101"


def test_an_altered_attachment_fails_decryption(pki: dict[str, DevIdentity]) -> None:
    sent = _build(pki)
    package = mime.unpack(sent.body, sent.content_type)
    ((cid, blob),) = package.attachments.items()
    flipped = blob[:40] + bytes([blob[40] ^ 1]) + blob[41:]
    body, content_type = mime.pack(package.envelope, {cid: flipped})
    with pytest.raises(As4Refused) as info:
        _open(pki, body, content_type)
    assert info.value.code == "EBMS:0102"


def test_a_payload_that_inflates_past_the_limit_is_refused(pki: dict[str, DevIdentity]) -> None:
    bulky = INVOICE.replace(b"<cbc:ID>", b"<cbc:Note>" + b" " * 2_000_000 + b"</cbc:Note><cbc:ID>")
    sent = _build(pki, bulky)
    assert len(sent.body) < 100_000
    with pytest.raises(As4Refused) as info:
        _open(pki, sent.body, sent.content_type, max_payload=1_000_000)
    assert info.value.code == "EBMS:0303"


def test_an_envelope_with_a_dtd_is_refused(pki: dict[str, DevIdentity]) -> None:
    sent = _build(pki)
    package = mime.unpack(sent.body, sent.content_type)
    hostile = package.envelope.replace(b"?>", b'?>\n<!DOCTYPE x [<!ENTITY e "boom">]>', 1)
    body, content_type = mime.pack(hostile, package.attachments)
    with pytest.raises(As4Refused) as info:
        _open(pki, body, content_type)
    assert info.value.code == "EBMS:0009"


def _receipt_for(pki: dict[str, DevIdentity], sent: OutboundMessage, signer: DevIdentity) -> bytes:
    got = _open(pki, sent.body, sent.content_type)
    return build_receipt(
        ref_to_message_id=got.message_id, signed_references=got.signed_references, identity=signer
    )


def test_a_receipt_signed_by_someone_else_is_not_proof(pki: dict[str, DevIdentity]) -> None:
    sent = _build(pki)
    receipt = _receipt_for(pki, sent, pki["other"])
    with pytest.raises(As4ReceiptError):
        read_receipt(
            receipt,
            "application/soap+xml",
            sent=sent,
            receiver_certificate=pki["receiver"].certificate,
        )


def test_a_receipt_for_another_message_is_not_proof(pki: dict[str, DevIdentity]) -> None:
    sent, other = _build(pki), _build(pki)
    receipt = _receipt_for(pki, other, pki["receiver"])
    with pytest.raises(As4ReceiptError, match="refers to"):
        read_receipt(
            receipt,
            "application/soap+xml",
            sent=sent,
            receiver_certificate=pki["receiver"].certificate,
        )


def test_a_receipt_acknowledging_other_digests_is_not_proof(pki: dict[str, DevIdentity]) -> None:
    sent, other = _build(pki), _build(pki)
    got_other = _open(pki, other.body, other.content_type)
    receipt = build_receipt(
        ref_to_message_id=sent.message_id,
        signed_references=got_other.signed_references,
        identity=pki["receiver"],
    )
    with pytest.raises(As4ReceiptError, match="acknowledge"):
        read_receipt(
            receipt,
            "application/soap+xml",
            sent=sent,
            receiver_certificate=pki["receiver"].certificate,
        )


def test_a_tampered_receipt_is_not_proof(pki: dict[str, DevIdentity]) -> None:
    sent = _build(pki)
    receipt = _receipt_for(pki, sent, pki["receiver"])
    read_receipt(
        receipt, "application/soap+xml", sent=sent, receiver_certificate=pki["receiver"].certificate
    )
    tampered = receipt.replace(b"<eb:Timestamp>2", b"<eb:Timestamp>1", 1)
    assert tampered != receipt
    with pytest.raises(As4ReceiptError, match="signature"):
        read_receipt(
            tampered,
            "application/soap+xml",
            sent=sent,
            receiver_certificate=pki["receiver"].certificate,
        )


def test_a_ca_trust_store_accepts_its_access_points_and_refuses_others(
    pki: dict[str, DevIdentity],
) -> None:
    # Peppol trusts any AP certificate issued under the Peppol AP CA, not pinned peers.
    trust_ca = TrustStore((pki["ca"].certificate,))
    sent = _build(pki)
    got = open_user_message(sent.body, sent.content_type, identity=pki["receiver"], trust=trust_ca)
    assert got.signer == pki["sender"].certificate

    outsider = make_dev_identity("PDK000029")  # issued by a CA nobody trusts
    foreign = build_user_message(
        INVOICE,
        identity=outsider,
        receiver_certificate=pki["receiver"].certificate,
        sender_id=SENDER,
        receiver_id=RECEIVER,
        doc_type_id=DOC_TYPE,
        process_id=PROCESS,
        country_c1="DK",
    )
    with pytest.raises(As4Refused) as info:
        open_user_message(
            foreign.body, foreign.content_type, identity=pki["receiver"], trust=trust_ca
        )
    assert info.value.code == "EBMS:0101"
