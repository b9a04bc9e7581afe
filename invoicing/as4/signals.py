"""ebMS signals: the signed non-repudiation Receipt, Error signals, and reading them."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from invoicing.as4 import constants as c
from invoicing.as4 import mime, wssec
from invoicing.as4.errors import As4BuildError, As4ReceiptError, As4Refused, As4SecurityError
from invoicing.as4.outbound import As4Identity, OutboundMessage, new_message_id
from schemas import xmlsafe

__all__ = ["As4Receipt", "build_error_signal", "build_receipt", "read_receipt"]

NS = c.NSMAP
SIGNAL_CONTENT_TYPE = "application/soap+xml; charset=UTF-8"

_SHORT = {
    "EBMS:0001": "ValueNotRecognized",
    "EBMS:0003": "ValueInconsistent",
    "EBMS:0004": "Other",
    "EBMS:0009": "InvalidHeader",
    "EBMS:0101": "FailedAuthentication",
    "EBMS:0102": "FailedDecryption",
    "EBMS:0303": "DecompressionFailure",
    "PEPPOL:NOT_SERVICED": "PEPPOL:NOT_SERVICED",
}
_CATEGORY = {"EBMS:0101": "Processing", "EBMS:0102": "Processing", "EBMS:0303": "Content"}


@dataclass(frozen=True, slots=True)
class As4Receipt:
    """A verified receipt: who signed it, for which message, and its raw bytes for evidence."""

    message_id: str
    ref_to_message_id: str
    timestamp: str
    signer: x509.Certificate
    raw: bytes


def _e(
    parent: etree._Element, ns: str, local: str, text: str | None = None, **attrs: str
) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ns}}}{local}", attrs)
    if text is not None:
        el.text = text
    return el


def _signal_envelope(identity: As4Identity, fill: etree._Element) -> bytes:
    key = identity.private_key
    if not isinstance(key, rsa.RSAPrivateKey):
        raise As4BuildError("the Peppol AS4 profile signs with RSA keys only")
    env = etree.Element(f"{{{c.S12}}}Envelope", nsmap=dict(c.NSMAP))
    header = _e(env, c.S12, "Header")
    security = _e(header, c.WSSE, "Security")
    security.set(f"{{{c.S12}}}mustUnderstand", "true")
    token = f"X509-{uuid.uuid4()}"
    security.append(wssec.certificate_token(identity.certificate, token))
    messaging = _e(header, c.EB, "Messaging")
    messaging.set(f"{{{c.S12}}}mustUnderstand", "true")
    messaging.set(c.WSU_ID, f"_{uuid.uuid4()}")
    messaging.append(fill)
    body = _e(env, c.S12, "Body")
    body.set(c.WSU_ID, f"_{uuid.uuid4()}")
    refs = [wssec.element_reference(messaging), wssec.element_reference(body)]
    security.append(wssec.sign(refs, key=key, token_id=token, signature_id=f"SIG-{uuid.uuid4()}"))
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def _signal(ref_to: str | None) -> etree._Element:
    signal = etree.Element(f"{{{c.EB}}}SignalMessage")
    info = _e(signal, c.EB, "MessageInfo")
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    _e(info, c.EB, "Timestamp", now)
    _e(info, c.EB, "MessageId", new_message_id())
    if ref_to:
        _e(info, c.EB, "RefToMessageId", ref_to)
    return signal


def build_receipt(
    *, ref_to_message_id: str, signed_references: Iterable[etree._Element], identity: As4Identity
) -> bytes:
    """A signed Receipt whose NonRepudiationInformation repeats the sender's ds:References."""
    signal = _signal(ref_to_message_id)
    nri = _e(_e(signal, c.EB, "Receipt"), c.EBBP, "NonRepudiationInformation")
    for ref in signed_references:
        _e(nri, c.EBBP, "MessagePartNRInformation").append(copy.deepcopy(ref))
    return _signal_envelope(identity, signal)


def build_error_signal(
    *, ref_to_message_id: str | None, code: str, detail: str, identity: As4Identity
) -> bytes:
    """A signed ebMS Error signal with severity failure."""
    signal = _signal(ref_to_message_id)
    error = _e(
        signal,
        c.EB,
        "Error",
        category=_CATEGORY.get(code, "Communication"),
        errorCode=code,
        origin="ebMS",
        severity="failure",
        shortDescription=_SHORT.get(code, "Other"),
    )
    if ref_to_message_id:
        error.set("refToMessageInError", ref_to_message_id)
    _e(error, c.EB, "Description", detail).set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    _e(error, c.EB, "ErrorDetail", detail)
    return _signal_envelope(identity, signal)


def _one(parent: etree._Element, path: str, what: str) -> etree._Element:
    found = parent.findall(path, namespaces=NS)
    if len(found) != 1:
        raise As4ReceiptError(f"the signal has {len(found)} {what}, expected one")
    return found[0]


def read_receipt(
    body: bytes, content_type: str, *, sent: OutboundMessage, receiver_certificate: x509.Certificate
) -> As4Receipt:
    """Verify the signed answer to ``sent``: a Receipt for it, or raise.

    An Error signal raises :class:`As4Refused` with its code; anything else that is
    not a Receipt signed by ``receiver_certificate`` for ``sent`` raises
    :class:`As4ReceiptError`.
    """
    try:
        root = xmlsafe.parse(mime.unpack(body, content_type).envelope).getroot()
    except (xmlsafe.XmlError, As4Refused) as exc:
        raise As4ReceiptError(f"the answer is not a SOAP signal: {exc}") from exc
    header = _one(root, "S12:Header", "SOAP Header")
    messaging = _one(header, "eb:Messaging", "eb:Messaging")
    signal = _one(messaging, "eb:SignalMessage", "eb:SignalMessage")
    errors = signal.findall("eb:Error", namespaces=NS)
    if errors:
        first = errors[0]
        detail = (
            first.findtext("eb:ErrorDetail", namespaces=NS)
            or first.findtext("eb:Description", namespaces=NS)
            or first.get("shortDescription", "")
        )
        raise As4Refused(
            f"the receiver refused the message: {detail}".strip(),
            code=first.get("errorCode", "EBMS:0004"),
        )
    security = _one(header, "wsse:Security", "wsse:Security")
    signature = _one(security, "ds:Signature", "ds:Signature")
    token = _one(
        signature, "ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference", "token reference"
    )
    tokens = [
        t
        for t in security.iterfind("wsse:BinarySecurityToken", namespaces=NS)
        if "#" + t.get(c.WSU_ID, "") == token.get("URI")
    ]
    if len(tokens) != 1:
        raise As4ReceiptError("the receipt signature names no security token")
    try:
        signer = wssec.token_certificate(tokens[0])
    except As4SecurityError as exc:
        raise As4ReceiptError(exc.detail) from exc
    if signer != receiver_certificate:
        raise As4ReceiptError(
            f"the receipt is signed by {signer.subject.rfc4514_string()}, not the receiver"
        )
    soap_body = _one(root, "S12:Body", "SOAP Body")
    ids = {el.get(c.WSU_ID, ""): el for el in (messaging, soap_body)}
    try:
        wssec.verify_signature(signature, certificate=signer, elements=ids, attachments={})
    except As4SecurityError as exc:
        raise As4ReceiptError(f"the receipt signature is invalid: {exc.detail}") from exc
    ref_to = (signal.findtext("eb:MessageInfo/eb:RefToMessageId", namespaces=NS) or "").strip()
    if ref_to != sent.message_id:
        raise As4ReceiptError(f"the receipt refers to {ref_to!r}, not to {sent.message_id!r}")
    nri = signal.findall("eb:Receipt/ebbp:NonRepudiationInformation", namespaces=NS)
    if len(nri) != 1:
        raise As4ReceiptError("the receipt carries no NonRepudiationInformation")
    acknowledged = set(wssec.read_reference_digests_from(nri[0]))
    if acknowledged != set(sent.references):
        raise As4ReceiptError("the receipt does not acknowledge exactly the parts we signed")
    return As4Receipt(
        message_id=(signal.findtext("eb:MessageInfo/eb:MessageId", namespaces=NS) or "").strip(),
        ref_to_message_id=ref_to,
        timestamp=(signal.findtext("eb:MessageInfo/eb:Timestamp", namespaces=NS) or "").strip(),
        signer=signer,
        raw=body,
    )
