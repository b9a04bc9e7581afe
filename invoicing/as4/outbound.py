"""Build the Peppol AS4 one-way push UserMessage: SBDH, gzip, sign, encrypt, MIME."""

from __future__ import annotations

import base64
import gzip
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from invoicing.as4 import constants as c
from invoicing.as4 import mime, wssec
from invoicing.as4.errors import As4BuildError
from invoicing.as4.sbdh import wrap_in_sbd

__all__ = [
    "As4Identity",
    "OutboundMessage",
    "access_point_id",
    "build_user_message",
    "new_message_id",
]


class As4Identity(Protocol):
    """An access point's key and certificate (``gateway.signing.keys.SigningIdentity`` fits)."""

    # Typed loosely so SigningIdentity (RSA or EC) fits; the profile needs RSA, checked at use.
    @property
    def private_key(self) -> object: ...

    @property
    def certificate(self) -> x509.Certificate: ...


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A built message: the HTTP body and what the receipt must acknowledge."""

    message_id: str
    conversation_id: str
    body: bytes
    content_type: str
    references: tuple[wssec.ReferenceDigest, ...]


def access_point_id(cert: x509.Certificate) -> str:
    """The Peppol AP seat id (e.g. ``PDK000123``): the common name of the AP certificate."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not names:
        raise As4BuildError("the access point certificate has no common name")
    value = names[0].value
    return value if isinstance(value, str) else value.decode()


def new_message_id() -> str:
    """A globally unique ebMS MessageId (RFC 2822 msg-id without brackets)."""
    return f"{uuid.uuid4()}@gateway"


def _rsa_key(identity: As4Identity) -> rsa.RSAPrivateKey:
    key = identity.private_key
    if not isinstance(key, rsa.RSAPrivateKey):
        raise As4BuildError("the Peppol AS4 profile needs an RSA key")
    return key


def _e(
    parent: etree._Element, ns: str, local: str, text: str | None = None, **attrs: str
) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ns}}}{local}", attrs)
    if text is not None:
        el.text = text
    return el


def _timestamp(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _user_message(
    messaging: etree._Element,
    *,
    message_id: str,
    conversation_id: str,
    from_party: str,
    to_party: str,
    sender_id: str,
    receiver_id: str,
    doc_type_id: str,
    process_id: str,
    cid: str,
) -> None:
    um = _e(messaging, c.EB, "UserMessage")
    info = _e(um, c.EB, "MessageInfo")
    _e(info, c.EB, "Timestamp", _timestamp(datetime.now(UTC)))
    _e(info, c.EB, "MessageId", message_id)
    party_info = _e(um, c.EB, "PartyInfo")
    for side, party, role in (("From", from_party, c.INITIATOR), ("To", to_party, c.RESPONDER)):
        el = _e(party_info, c.EB, side)
        _e(el, c.EB, "PartyId", party, type=c.AP_PARTY_TYPE)
        _e(el, c.EB, "Role", role)
    collab = _e(um, c.EB, "CollaborationInfo")
    _e(collab, c.EB, "AgreementRef", c.AGREEMENT)
    _e(collab, c.EB, "Service", process_id, type=c.PROCESS_SCHEME)
    _e(collab, c.EB, "Action", f"{c.DOCTYPE_SCHEME}::{doc_type_id}")
    _e(collab, c.EB, "ConversationId", conversation_id)
    props = _e(um, c.EB, "MessageProperties")
    _e(props, c.EB, "Property", sender_id, name=c.ORIGINAL_SENDER, type=c.PARTICIPANT_SCHEME)
    _e(props, c.EB, "Property", receiver_id, name=c.FINAL_RECIPIENT, type=c.PARTICIPANT_SCHEME)
    part = _e(_e(um, c.EB, "PayloadInfo"), c.EB, "PartInfo", href=f"cid:{cid}")
    part_props = _e(part, c.EB, "PartProperties")
    _e(part_props, c.EB, "Property", "application/xml", name="MimeType")
    _e(part_props, c.EB, "Property", c.GZIP, name="CompressionType")


def _encryption(
    security: etree._Element,
    *,
    wrapped_key: bytes,
    receiver_token_id: str,
    cid: str,
) -> None:
    ek_id, ed_id = f"EK-{uuid.uuid4()}", f"ED-{uuid.uuid4()}"
    ek = _e(security, c.XENC, "EncryptedKey", Id=ek_id)
    method = _e(ek, c.XENC, "EncryptionMethod", Algorithm=c.RSA_OAEP)
    _e(method, c.DS, "DigestMethod", Algorithm=c.SHA256)
    _e(method, c.XENC11, "MGF", Algorithm=c.MGF1_SHA256)
    key_info = _e(ek, c.DS, "KeyInfo")
    str_el = _e(key_info, c.WSSE, "SecurityTokenReference")
    _e(str_el, c.WSSE, "Reference", URI=f"#{receiver_token_id}", ValueType=c.X509V3)
    _e(
        _e(ek, c.XENC, "CipherData"),
        c.XENC,
        "CipherValue",
        base64.b64encode(wrapped_key).decode("ascii"),
    )
    _e(_e(ek, c.XENC, "ReferenceList"), c.XENC, "DataReference", URI=f"#{ed_id}")
    ed = _e(
        security,
        c.XENC,
        "EncryptedData",
        Id=ed_id,
        MimeType=c.GZIP,
        Type=c.ATTACHMENT_CONTENT_ONLY,
    )
    _e(ed, c.XENC, "EncryptionMethod", Algorithm=c.AES128_GCM)
    ed_key = _e(_e(ed, c.DS, "KeyInfo"), c.WSSE, "SecurityTokenReference")
    ed_key.set(f"{{{c.WSSE11}}}TokenType", c.ENCRYPTED_KEY_TOKEN)
    _e(ed_key, c.WSSE, "Reference", URI=f"#{ek_id}")
    ref = _e(_e(ed, c.XENC, "CipherData"), c.XENC, "CipherReference", URI=f"cid:{cid}")
    _e(_e(ref, c.XENC, "Transforms"), c.DS, "Transform", Algorithm=c.ATTACHMENT_CIPHERTEXT)


def build_user_message(
    document: bytes,
    *,
    identity: As4Identity,
    receiver_certificate: x509.Certificate,
    sender_id: str,
    receiver_id: str,
    doc_type_id: str,
    process_id: str,
    country_c1: str,
    message_id: str | None = None,
    conversation_id: str | None = None,
    to_party: str | None = None,
) -> OutboundMessage:
    """Build a signed and encrypted Peppol AS4 UserMessage carrying ``document``."""
    key = _rsa_key(identity)
    message_id = message_id or new_message_id()
    conversation_id = conversation_id or str(uuid.uuid4())
    sbd = wrap_in_sbd(
        document,
        sender_id=sender_id,
        receiver_id=receiver_id,
        doc_type_id=doc_type_id,
        process_id=process_id,
        country_c1=country_c1,
        instance_id=str(uuid.uuid4()),
    )
    # AS4 order: compress, sign the compressed bytes, then encrypt them.
    compressed = gzip.compress(sbd, compresslevel=6)
    session_key, ciphertext = wssec.encrypt_attachment(compressed)
    wrapped = wssec.encrypt_session_key(session_key, receiver_certificate)
    cid = f"{uuid.uuid4()}@gateway"
    sign_token, enc_token = f"X509-{uuid.uuid4()}", f"X509-{uuid.uuid4()}"

    env = etree.Element(f"{{{c.S12}}}Envelope", nsmap=dict(c.NSMAP))
    header = _e(env, c.S12, "Header")
    security = _e(header, c.WSSE, "Security")
    security.set(f"{{{c.S12}}}mustUnderstand", "true")
    security.append(wssec.certificate_token(identity.certificate, sign_token))
    security.append(wssec.certificate_token(receiver_certificate, enc_token))
    _encryption(security, wrapped_key=wrapped, receiver_token_id=enc_token, cid=cid)
    messaging = _e(header, c.EB, "Messaging")
    messaging.set(f"{{{c.S12}}}mustUnderstand", "true")
    messaging.set(c.WSU_ID, f"_{uuid.uuid4()}")
    _user_message(
        messaging,
        message_id=message_id,
        conversation_id=conversation_id,
        from_party=access_point_id(identity.certificate),
        to_party=to_party or access_point_id(receiver_certificate),
        sender_id=sender_id,
        receiver_id=receiver_id,
        doc_type_id=doc_type_id,
        process_id=process_id,
        cid=cid,
    )
    body = _e(env, c.S12, "Body")
    body.set(c.WSU_ID, f"_{uuid.uuid4()}")
    refs = [
        wssec.element_reference(messaging),
        wssec.element_reference(body),
        wssec.attachment_reference(cid, compressed),
    ]
    signature = wssec.sign(refs, key=key, token_id=sign_token, signature_id=f"SIG-{uuid.uuid4()}")
    security.append(signature)
    envelope_bytes = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
    http_body, content_type = mime.pack(envelope_bytes, {cid: ciphertext})
    return OutboundMessage(
        message_id=message_id,
        conversation_id=conversation_id,
        body=http_body,
        content_type=content_type,
        references=tuple(wssec.read_reference_digests(signature)),
    )
