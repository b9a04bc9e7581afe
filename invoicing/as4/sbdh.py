"""The Peppol business message envelope: an SBDH around the business document."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from invoicing.as4 import constants as c
from invoicing.as4.errors import As4BuildError, As4Refused
from schemas import xmlsafe

__all__ = ["SbdhInfo", "read_sbd", "wrap_in_sbd"]

_REQUIRED_SCOPES = ("DOCUMENTID", "PROCESSID", "COUNTRY_C1")


@dataclass(frozen=True, slots=True)
class SbdhInfo:
    """What the SBDH states about the business document it carries."""

    sender: str
    receiver: str
    document_type_id: str
    process_id: str
    country_c1: str
    instance_id: str
    created: datetime


def _q(local: str) -> str:
    return f"{{{c.SBDH}}}{local}"


def _sub(
    parent: etree._Element, local: str, text: str | None = None, **attrs: str
) -> etree._Element:
    el = etree.SubElement(parent, _q(local), attrs)
    if text is not None:
        el.text = text
    return el


def _type_version(doc_type_id: str) -> str:
    # busdox-docid-qns values end in "::<syntax version>", e.g. "...::2.1".
    _, sep, version = doc_type_id.rpartition("::")
    if not sep or "##" in version:
        raise As4BuildError(f"document type id {doc_type_id!r} names no syntax version")
    return version


def wrap_in_sbd(
    document: bytes,
    *,
    sender_id: str,
    receiver_id: str,
    doc_type_id: str,
    process_id: str,
    country_c1: str,
    instance_id: str,
    created: datetime | None = None,
) -> bytes:
    """Wrap an XML business document in a StandardBusinessDocument with the Peppol scopes."""
    try:
        business = xmlsafe.parse(document).getroot()
    except xmlsafe.XmlError as exc:
        raise As4BuildError(f"the business document is not XML: {exc.detail}") from exc
    qname = etree.QName(business)
    sbd = etree.Element(_q("StandardBusinessDocument"), nsmap={None: c.SBDH})
    header = _sub(sbd, "StandardBusinessDocumentHeader")
    _sub(header, "HeaderVersion", "1.0")
    _sub(_sub(header, "Sender"), "Identifier", sender_id, Authority=c.PARTICIPANT_SCHEME)
    _sub(_sub(header, "Receiver"), "Identifier", receiver_id, Authority=c.PARTICIPANT_SCHEME)
    ident = _sub(header, "DocumentIdentification")
    _sub(ident, "Standard", qname.namespace or "")
    _sub(ident, "TypeVersion", _type_version(doc_type_id))
    _sub(ident, "InstanceIdentifier", instance_id)
    _sub(ident, "Type", qname.localname)
    when = (created or datetime.now(UTC)).astimezone(UTC)
    _sub(ident, "CreationDateAndTime", when.isoformat(timespec="seconds").replace("+00:00", "Z"))
    scope_parent = _sub(header, "BusinessScope")
    for kind, value, scheme in (
        ("DOCUMENTID", doc_type_id, c.DOCTYPE_SCHEME),
        ("PROCESSID", process_id, c.PROCESS_SCHEME),
        ("COUNTRY_C1", country_c1, None),
    ):
        scope = _sub(scope_parent, "Scope")
        _sub(scope, "Type", kind)
        _sub(scope, "InstanceIdentifier", value)
        if scheme:
            _sub(scope, "Identifier", scheme)
    sbd.append(business)
    return etree.tostring(sbd, xml_declaration=True, encoding="UTF-8")


def _text(el: etree._Element, path: str, what: str) -> str:
    value = el.findtext(path, namespaces={"s": c.SBDH})
    if value is None or not value.strip():
        raise As4Refused(f"the SBDH has no {what}", code="EBMS:0004")
    return value.strip()


def read_sbd(data: bytes) -> tuple[SbdhInfo, bytes]:
    """Read the SBDH and return it with the business document it wraps (as bytes)."""
    try:
        root = xmlsafe.parse(data).getroot()
    except xmlsafe.XmlError as exc:
        raise As4Refused(f"the payload is not XML: {exc.detail}", code="EBMS:0004") from exc
    if root.tag != _q("StandardBusinessDocument"):
        raise As4Refused("the payload is not a StandardBusinessDocument", code="EBMS:0004")
    header = root.find(_q("StandardBusinessDocumentHeader"))
    if header is None:
        raise As4Refused("the payload has no StandardBusinessDocumentHeader", code="EBMS:0004")
    scopes: dict[str, str] = {}
    for scope in header.iterfind("s:BusinessScope/s:Scope", namespaces={"s": c.SBDH}):
        kind = (scope.findtext(_q("Type")) or "").strip()
        scopes[kind] = (scope.findtext(_q("InstanceIdentifier")) or "").strip()
    missing = [k for k in _REQUIRED_SCOPES if not scopes.get(k)]
    if missing:
        raise As4Refused(f"the SBDH lacks the scopes {', '.join(missing)}", code="EBMS:0004")
    created_text = _text(header, "s:DocumentIdentification/s:CreationDateAndTime", "creation time")
    try:
        created = datetime.fromisoformat(created_text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise As4Refused("the SBDH creation time is not a date-time", code="EBMS:0004") from exc
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    info = SbdhInfo(
        sender=_text(header, "s:Sender/s:Identifier", "sender"),
        receiver=_text(header, "s:Receiver/s:Identifier", "receiver"),
        document_type_id=scopes["DOCUMENTID"],
        process_id=scopes["PROCESSID"],
        country_c1=scopes["COUNTRY_C1"],
        instance_id=_text(header, "s:DocumentIdentification/s:InstanceIdentifier", "instance id"),
        created=created.astimezone(UTC),
    )
    business = [el for el in root if isinstance(el.tag, str) and el.tag != header.tag]
    if len(business) != 1:
        raise As4Refused("the SBD must carry exactly one business document", code="EBMS:0004")
    return info, _detach(business[0])


def _detach(business: etree._Element) -> bytes:
    # A sub-element serialises with every namespace in scope; drop the envelope's own
    # declarations when unused, keep all others (QName values in text may need them).
    doc = copy.deepcopy(business)
    keep = [p for p, uri in business.nsmap.items() if p is not None and uri != c.SBDH]
    etree.cleanup_namespaces(doc, keep_ns_prefixes=keep)
    return etree.tostring(doc, xml_declaration=True, encoding="UTF-8")
