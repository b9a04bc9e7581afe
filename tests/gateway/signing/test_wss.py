"""The one WS-Security signature check, with each profile's parts: wrapping variants refused.

The tax agency's envelope (Timestamp, Body, token) and an AS4-shaped message
(eb:Messaging, Body, an attachment) go through :func:`gateway.signing.wss.verify_references`;
each wrapping variant is refused the same way in both, and the AS4 module's
refusals are that check's refusals.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from gateway.signing import SigningIdentity, TrustStore
from gateway.signing.errors import Refusal
from gateway.signing.wss import (
    DS_NS,
    EXC_C14N,
    RSA_SHA1,
    RSA_SHA256,
    SHA256,
    WSSE_NS,
    WSU_ID,
    WsSecurityError,
    attachment_reference,
    certificate_token,
    element_reference,
    sign_references,
    verify_references,
)
from gateway.signing.wssecurity import SKAT_RSU_SIGN, sign_envelope, verify_envelope
from invoicing.as4 import wssec
from invoicing.as4.errors import As4SecurityError

S12 = "http://www.w3.org/2003/05/soap-envelope"
EB = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/"
PAYLOAD = b"<Invoice>9.95</Invoice>"
CID = "payload@example.test"


def _q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


class As4Message:
    """An AS4-shaped envelope signed over eb:Messaging, the Body and one attachment."""

    def __init__(self, identity: SigningIdentity, *, signature_method: str = RSA_SHA256) -> None:
        key = identity.private_key
        assert isinstance(key, rsa.RSAPrivateKey)
        self.envelope = etree.Element(_q(S12, "Envelope"), nsmap={"S12": S12})
        header = etree.SubElement(self.envelope, _q(S12, "Header"))
        self.messaging = etree.SubElement(header, _q(EB, "Messaging"), nsmap={"eb": EB})
        self.messaging.set(WSU_ID, f"MSG-{uuid.uuid4()}")
        etree.SubElement(self.messaging, _q(EB, "MessageId")).text = "m-1@example.test"
        self.security = etree.SubElement(header, _q(WSSE_NS, "Security"))
        self.body = etree.SubElement(self.envelope, _q(S12, "Body"))
        self.body.set(WSU_ID, f"BODY-{uuid.uuid4()}")
        token = certificate_token(identity.certificate, f"X509-{uuid.uuid4()}")
        self.security.append(token)
        self.signature = sign_references(
            [
                element_reference(self.messaging),
                element_reference(self.body),
                attachment_reference(CID, PAYLOAD),
            ],
            key=key,
            token_id=token.get(WSU_ID, ""),
            signature_method=signature_method,
        )
        self.security.append(self.signature)
        self.certificate = identity.certificate
        self.attachments = {CID: PAYLOAD}

    def verify(self, **options: object) -> object:
        return verify_references(
            self.signature,
            certificate=self.certificate,
            elements={"eb:Messaging": self.messaging, "Body": self.body},
            attachments=self.attachments,
            **options,  # type: ignore[arg-type]
        )

    def refusal(self, **options: object) -> str:
        with pytest.raises(WsSecurityError) as caught:
            self.verify(**options)
        return caught.value.refusal


def _skat(identity: SigningIdentity) -> etree._Element:
    envelope = etree.Element(_q(S12, "Envelope"), nsmap={"S12": S12})
    etree.SubElement(etree.SubElement(envelope, _q(S12, "Body")), "Request").text = "42"
    return sign_envelope(envelope, key=identity.private_key, certificate=identity.certificate)  # type: ignore[arg-type]


def _skat_refusal(envelope: etree._Element, trust: TrustStore) -> str:
    with pytest.raises(WsSecurityError) as caught:
        verify_envelope(envelope, trust=trust)
    return caught.value.refusal


def test_both_profiles_verify_what_they_sign(identity: SigningIdentity, trust: TrustStore) -> None:
    message = As4Message(identity)
    message.verify()
    assert wssec.verify_signature(
        message.signature,
        certificate=message.certificate,
        elements={el.get(WSU_ID, ""): el for el in (message.messaging, message.body)},
        attachments=message.attachments,
    )
    verified = verify_envelope(_skat(identity), trust=trust)
    assert verified.signature_method == SKAT_RSU_SIGN.signature_method


# Each variant moves a signed part out of its place and leaves a copy (or an impostor) behind.
def _wrap_body(envelope: etree._Element) -> None:
    body = envelope.find(_q(S12, "Body"))
    assert body is not None
    wrapper = etree.SubElement(envelope.find(_q(S12, "Header")), "Wrapper")  # type: ignore[arg-type]
    wrapper.append(copy.deepcopy(body))
    impostor = etree.Element(_q(S12, "Body"))
    etree.SubElement(impostor, "Request").text = "forged"
    envelope.replace(body, impostor)


def _duplicate_body_id(envelope: etree._Element) -> None:
    body = envelope.find(_q(S12, "Body"))
    assert body is not None
    forged = copy.deepcopy(body)
    for child in forged:
        child.text = "forged"
    etree.SubElement(envelope.find(_q(S12, "Header")), "Wrapper").append(forged)  # type: ignore[arg-type]


def _reference_twice(envelope: etree._Element) -> None:
    info = envelope.find(f".//{_q(DS_NS, 'SignedInfo')}")
    assert info is not None
    info.append(copy.deepcopy(info.findall(_q(DS_NS, "Reference"))[-1]))


WRAPPINGS: dict[str, Callable[[etree._Element], None]] = {
    "body moved, impostor in place": _wrap_body,
    "copy of the body with the same Id": _duplicate_body_id,
    "one part referenced twice": _reference_twice,
}


@pytest.mark.parametrize("variant", list(WRAPPINGS))
def test_wrapping_is_refused_alike_in_both_profiles(
    variant: str, identity: SigningIdentity, trust: TrustStore
) -> None:
    envelope = _skat(identity)
    WRAPPINGS[variant](envelope)
    assert _skat_refusal(envelope, trust) == Refusal.WRAPPING

    message = As4Message(identity)
    WRAPPINGS[variant](message.envelope)
    message.body = message.envelope.find(_q(S12, "Body"))  # what the receiver finds in place
    assert message.refusal() == Refusal.WRAPPING
    with pytest.raises(As4SecurityError) as caught:
        wssec.verify_signature(
            message.signature,
            certificate=message.certificate,
            elements={"MSG": message.messaging, "BODY": message.body},
            attachments=message.attachments,
        )
    assert caught.value.code == "EBMS:0101"
    assert isinstance(caught.value.__cause__, WsSecurityError)


def test_an_altered_attachment_is_refused(identity: SigningIdentity) -> None:
    message = As4Message(identity)
    message.attachments = {CID: PAYLOAD.replace(b"9.95", b"9.99")}
    assert message.refusal() == Refusal.DIGEST_MISMATCH


def test_an_attachment_left_out_of_the_signature_is_refused(identity: SigningIdentity) -> None:
    message = As4Message(identity)
    message.attachments = {CID: PAYLOAD, "second@example.test": b"unsigned"}
    assert message.refusal() == "not-covered"


def test_a_reference_to_an_attachment_not_sent_is_refused(identity: SigningIdentity) -> None:
    message = As4Message(identity)
    message.attachments = {}
    assert message.refusal() == Refusal.WRAPPING


def test_an_extra_transform_is_refused(identity: SigningIdentity) -> None:
    message = As4Message(identity)
    transforms = message.signature.find(f".//{_q(DS_NS, 'Transforms')}")
    assert transforms is not None
    etree.SubElement(
        transforms,
        _q(DS_NS, "Transform"),
        Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature",
    )
    assert message.refusal() == Refusal.WEAK_ALGORITHM


def test_a_signed_info_with_inclusive_c14n_is_refused(identity: SigningIdentity) -> None:
    message = As4Message(identity)
    method = message.signature.find(f".//{_q(DS_NS, 'CanonicalizationMethod')}")
    assert method is not None and method.get("Algorithm") == EXC_C14N
    method.set("Algorithm", "http://www.w3.org/TR/2001/REC-xml-c14n-20010315")
    assert message.refusal() == Refusal.WEAK_ALGORITHM


def test_the_algorithms_are_the_profiles_parameters(identity: SigningIdentity) -> None:
    """rsa-sha1 passes where the tax agency's policy allows it, never under AS4's profile."""
    message = As4Message(identity, signature_method=RSA_SHA1)
    message.verify(signature_methods=frozenset({RSA_SHA1, RSA_SHA256}))
    assert message.refusal() == Refusal.WEAK_ALGORITHM
    with pytest.raises(As4SecurityError):
        wssec.verify_signature(
            message.signature,
            certificate=message.certificate,
            elements={"MSG": message.messaging, "BODY": message.body},
            attachments=message.attachments,
        )


def test_a_digest_outside_the_profile_is_refused(identity: SigningIdentity) -> None:
    message = As4Message(identity)
    message.verify(digest_methods=frozenset({SHA256}))
    assert message.refusal(digest_methods=frozenset()) == Refusal.WEAK_ALGORITHM
