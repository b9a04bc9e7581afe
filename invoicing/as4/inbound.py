"""Open an inbound Peppol AS4 UserMessage: verify, decrypt, decompress, read the SBDH."""

from __future__ import annotations

import base64
import copy
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from gateway.signing.policy import Purpose
from invoicing.as4 import constants as c
from invoicing.as4 import mime, wssec
from invoicing.as4.errors import As4Error, As4Refused, As4SecurityError
from invoicing.as4.outbound import As4Identity, access_point_id
from invoicing.as4.sbdh import SbdhInfo, read_sbd
from schemas import xmlsafe

__all__ = [
    "CertificateTrust",
    "InboundMessage",
    "PinnedCertificates",
    "open_user_message",
    "peek_message_id",
]

NS = c.NSMAP
DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024


class CertificateTrust(Protocol):
    """Decides whether a signer's certificate is believed (``TrustStore`` fits)."""

    def verify(
        self,
        leaf: x509.Certificate,
        intermediates: Sequence[x509.Certificate] = (),
        *,
        purpose: Purpose | None = None,
    ) -> Any: ...


@dataclass(frozen=True, slots=True)
class PinnedCertificates:
    """Trust exactly these certificates (the sandbox, or peers agreed out of band)."""

    certificates: tuple[x509.Certificate, ...]

    def verify(
        self,
        leaf: x509.Certificate,
        intermediates: Sequence[x509.Certificate] = (),
        *,
        purpose: Purpose | None = None,
    ) -> None:
        """Accept ``leaf`` only if it is one of the pinned certificates and currently valid.

        Pinned certificates are the configured signers for the purpose, so no
        certificate policy is asked of them.
        """
        if leaf not in self.certificates:
            raise As4SecurityError(
                f"signer {leaf.subject.rfc4514_string()} is not trusted", code="EBMS:0101"
            )
        now = datetime.now(UTC)
        if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
            raise As4SecurityError("signer certificate is outside its validity", code="EBMS:0101")


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """A verified and decrypted UserMessage and the business document it carried."""

    message_id: str
    conversation_id: str
    timestamp: str
    from_party: str
    to_party: str
    service: str
    action: str
    original_sender: str
    final_recipient: str
    sbdh: SbdhInfo
    document: bytes
    signer: x509.Certificate
    signed_references: tuple[etree._Element, ...] = field(repr=False)


def _one(parent: etree._Element, path: str, what: str, code: str = "EBMS:0009") -> etree._Element:
    found = parent.findall(path, namespaces=NS)
    if len(found) != 1:
        raise As4Refused(f"expected exactly one {what}, found {len(found)}", code=code)
    return found[0]


def _text(parent: etree._Element, path: str, what: str) -> str:
    value = _one(parent, path, what).text
    if not value or not value.strip():
        raise As4Refused(f"{what} is empty", code="EBMS:0009")
    return value.strip()


def _parse_envelope(data: bytes) -> etree._Element:
    try:
        root = xmlsafe.parse(data).getroot()
    except xmlsafe.XmlError as exc:
        raise As4Refused(f"the SOAP envelope is refused: {exc.detail}", code="EBMS:0009") from exc
    if root.tag != f"{{{c.S12}}}Envelope":
        raise As4Refused("the message is not a SOAP 1.2 envelope", code="EBMS:0009")
    return root


def peek_message_id(body: bytes, content_type: str) -> str | None:
    """The MessageId of a UserMessage if it can be read at all (for error signals)."""
    try:
        root = _parse_envelope(mime.unpack(body, content_type).envelope)
    except As4Error:
        return None
    value = root.findtext(
        "S12:Header/eb:Messaging/eb:UserMessage/eb:MessageInfo/eb:MessageId", namespaces=NS
    )
    return value.strip() if value else None


def _check_unique_ids(root: etree._Element) -> None:
    seen: set[str] = set()
    for el in root.iter():
        for name, value in el.attrib.items():
            if etree.QName(name).localname == "Id":
                if value in seen:
                    raise As4SecurityError(f"Id {value!r} appears twice", code="EBMS:0101")
                seen.add(value)


def _by_id(parent: etree._Element, tag: str, ident: str, *, attr: str = "Id") -> etree._Element:
    for el in parent.iterfind(tag, namespaces=NS):
        if el.get(attr) == ident:
            return el
    raise As4SecurityError(f"no {tag} with Id {ident}", code="EBMS:0101")


def _signer(security: etree._Element, signature: etree._Element) -> x509.Certificate:
    ref = _one(
        signature,
        "ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference",
        "signing key reference",
        "EBMS:0101",
    )
    uri = ref.get("URI", "")
    if not uri.startswith("#"):
        raise As4SecurityError("the signing key is not given as a security token", code="EBMS:0101")
    return wssec.token_certificate(
        _by_id(security, "wsse:BinarySecurityToken", uri[1:], attr=c.WSU_ID)
    )


def _check_key_transport(ek: etree._Element) -> None:
    method = _one(ek, "xenc:EncryptionMethod", "key transport method", "EBMS:0102")
    digest = method.find("ds:DigestMethod", namespaces=NS)
    mgf = method.find("xenc11:MGF", namespaces=NS)
    # Absent DigestMethod/MGF mean SHA-1 by default, which the profile forbids.
    if (
        method.get("Algorithm") != c.RSA_OAEP
        or digest is None
        or digest.get("Algorithm") != c.SHA256
        or mgf is None
        or mgf.get("Algorithm") != c.MGF1_SHA256
    ):
        raise As4SecurityError(
            "key transport is not RSA-OAEP with SHA-256 and MGF1-SHA-256", code="EBMS:0102"
        )


def _decrypt(
    security: etree._Element,
    attachments: dict[str, bytes],
    *,
    key: rsa.RSAPrivateKey,
    own_certificate: x509.Certificate,
) -> dict[str, bytes]:
    ek = _one(security, "xenc:EncryptedKey", "xenc:EncryptedKey", "EBMS:0102")
    _check_key_transport(ek)
    token_ref = ek.find("ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference", namespaces=NS)
    if token_ref is not None and token_ref.get("URI", "").startswith("#"):
        named = wssec.token_certificate(
            _by_id(
                security, "wsse:BinarySecurityToken", token_ref.get("URI", "")[1:], attr=c.WSU_ID
            )
        )
        if named != own_certificate:
            raise As4SecurityError(
                f"the message is encrypted for {named.subject.rfc4514_string()}, not for us",
                code="EBMS:0102",
            )
    cipher = "".join(
        (
            _one(ek, "xenc:CipherData/xenc:CipherValue", "CipherValue", "EBMS:0102").text or ""
        ).split()
    )
    try:
        wrapped = base64.b64decode(cipher, validate=True)
    except ValueError as exc:
        raise As4SecurityError("the wrapped key is not base64", code="EBMS:0102") from exc
    session_key = wssec.decrypt_session_key(wrapped, key)
    plain: dict[str, bytes] = {}
    for data_ref in ek.iterfind("xenc:ReferenceList/xenc:DataReference", namespaces=NS):
        ed = _by_id(security, "xenc:EncryptedData", data_ref.get("URI", "").removeprefix("#"))
        alg = _one(ed, "xenc:EncryptionMethod", "EncryptionMethod", "EBMS:0102").get("Algorithm")
        if alg != c.AES128_GCM:
            raise As4SecurityError(f"content encryption {alg} is not AES-128-GCM", code="EBMS:0102")
        uri = _one(ed, "xenc:CipherData/xenc:CipherReference", "CipherReference", "EBMS:0102").get(
            "URI", ""
        )
        cid = uri.removeprefix("cid:")
        if not uri.startswith("cid:") or cid not in attachments:
            raise As4SecurityError(f"encrypted data refers to missing part {uri}", code="EBMS:0102")
        plain[cid] = wssec.decrypt_attachment(session_key, attachments[cid])
    return plain


def _gunzip(data: bytes, limit: int) -> bytes:
    # Bounded so a small "gzip bomb" cannot exhaust memory.
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise As4Refused("the payload does not decompress", code="EBMS:0303") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise As4Refused(f"the payload decompresses to more than {limit} bytes", code="EBMS:0303")
    return out


def _properties(parent: etree._Element | None) -> dict[str, etree._Element]:
    if parent is None:
        return {}
    return {p.get("name", ""): p for p in parent.iterfind("eb:Property", namespaces=NS)}


def open_user_message(
    body: bytes,
    content_type: str,
    *,
    identity: As4Identity,
    trust: CertificateTrust,
    max_payload: int = DEFAULT_MAX_PAYLOAD,
) -> InboundMessage:
    """Verify and decrypt an inbound Peppol AS4 message addressed to ``identity``."""
    key = identity.private_key
    if not isinstance(key, rsa.RSAPrivateKey):
        raise As4Error("the access point needs an RSA key")
    package = mime.unpack(body, content_type)
    root = _parse_envelope(package.envelope)
    _check_unique_ids(root)
    header = _one(root, "S12:Header", "SOAP Header")
    soap_body = _one(root, "S12:Body", "SOAP Body")
    messaging = _one(header, "eb:Messaging", "eb:Messaging")
    security = _one(header, "wsse:Security", "wsse:Security", "EBMS:0101")
    um = _one(messaging, "eb:UserMessage", "eb:UserMessage")
    message_id = _text(um, "eb:MessageInfo/eb:MessageId", "MessageId")

    signature = _one(security, "ds:Signature", "ds:Signature", "EBMS:0101")
    signer = _signer(security, signature)
    try:
        # A trust store admits only certificates certified for AS4 (never a TLS one).
        trust.verify(signer, (), purpose=Purpose.AS4)
    except As4Error:
        raise
    except Exception as exc:  # TrustStore raises its own CertificateRejected
        raise As4SecurityError(f"signer certificate refused: {exc}", code="EBMS:0101") from exc

    parts = [p.get("href", "") for p in um.iterfind("eb:PayloadInfo/eb:PartInfo", namespaces=NS)]
    if len(parts) != 1 or not parts[0].startswith("cid:"):
        raise As4Refused(
            "a Peppol message carries exactly one payload attachment", code="EBMS:0009"
        )
    cid = parts[0][4:]
    if cid not in package.attachments:
        raise As4Refused(f"payload {parts[0]} is not attached", code="EBMS:0009")

    plain = _decrypt(security, package.attachments, key=key, own_certificate=identity.certificate)
    if cid not in plain:
        raise As4SecurityError("the payload is not encrypted", code="EBMS:0102")
    ids = {el.get(c.WSU_ID, ""): el for el in (messaging, soap_body)}
    if "" in ids:
        raise As4SecurityError(
            "eb:Messaging and the Body need a wsu:Id to be signed", code="EBMS:0101"
        )
    wssec.verify_signature(
        signature, certificate=signer, elements=ids, attachments={cid: plain[cid]}
    )

    part_props = _properties(
        _one(um, "eb:PayloadInfo/eb:PartInfo", "PartInfo").find("eb:PartProperties", namespaces=NS)
    )
    compression = part_props.get("CompressionType")
    payload = plain[cid]
    if compression is not None and (compression.text or "").strip() == c.GZIP:
        payload = _gunzip(payload, max_payload)
    elif compression is not None:
        raise As4Refused("unsupported CompressionType", code="EBMS:0303")

    sbdh, document = read_sbd(payload)
    props = _properties(um.find("eb:MessageProperties", namespaces=NS))
    values = {}
    for name, expected in ((c.ORIGINAL_SENDER, sbdh.sender), (c.FINAL_RECIPIENT, sbdh.receiver)):
        prop = props.get(name)
        if prop is None or not (prop.text or "").strip():
            raise As4Refused(f"message property {name} is missing", code="EBMS:0009")
        values[name] = prop.text.strip() if prop.text else ""
        if values[name] != expected:
            raise As4Refused(
                f"{name} {values[name]!r} differs from the SBDH {expected!r}", code="EBMS:0003"
            )
    service = _text(um, "eb:CollaborationInfo/eb:Service", "Service")
    action = _text(um, "eb:CollaborationInfo/eb:Action", "Action")
    if service != sbdh.process_id or action != f"{c.DOCTYPE_SCHEME}::{sbdh.document_type_id}":
        raise As4Refused(
            "Service/Action differ from the SBDH process and document type", code="EBMS:0003"
        )
    to_party = _text(um, "eb:PartyInfo/eb:To/eb:PartyId", "To/PartyId")
    if to_party != access_point_id(identity.certificate):
        raise As4Refused(f"the message is addressed to {to_party!r}, not to us", code="EBMS:0003")
    return InboundMessage(
        message_id=message_id,
        conversation_id=_text(um, "eb:CollaborationInfo/eb:ConversationId", "ConversationId"),
        timestamp=_text(um, "eb:MessageInfo/eb:Timestamp", "Timestamp"),
        from_party=_text(um, "eb:PartyInfo/eb:From/eb:PartyId", "From/PartyId"),
        to_party=to_party,
        service=service,
        action=action,
        original_sender=values[c.ORIGINAL_SENDER],
        final_recipient=values[c.FINAL_RECIPIENT],
        sbdh=sbdh,
        document=document,
        signer=signer,
        signed_references=tuple(
            copy.deepcopy(r)
            for r in signature.iterfind("ds:SignedInfo/ds:Reference", namespaces=NS)
        ),
    )
