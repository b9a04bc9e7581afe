"""Shared pieces of the UBL 2.3 builders: namespaces, element helpers, parties."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from lxml import etree

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
UBL_VERSION = "2.3"
SHA256_URI = "http://www.w3.org/2001/04/xmlenc#sha256"


def doc_ns(document: str) -> str:
    return f"urn:oasis:names:specification:ubl:schema:xsd:{document}-2"


def root(document: str) -> etree._Element:
    """A document root with the main, cac and cbc namespaces declared."""
    return etree.Element(
        f"{{{doc_ns(document)}}}{document}",
        nsmap={None: doc_ns(document), "cac": CAC, "cbc": CBC},
    )


def cbc(parent: etree._Element, name: str, text: object, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{CBC}}}{name}", {k: v for k, v in attrs.items() if v})
    el.text = _text(text)
    return el


def cac(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("document times must be timezone-aware")
    return moment.astimezone(UTC)


def date_time(
    parent: etree._Element, prefix: str, moment: datetime, *, exact: bool = False
) -> None:
    """``<prefix>Date`` and ``<prefix>Time`` in UTC (``Z``); ``exact`` keeps microseconds."""
    moment = utc(moment)
    cbc(parent, f"{prefix}Date", moment.date().isoformat())
    spec = "microseconds" if exact and moment.microsecond else "seconds"
    cbc(parent, f"{prefix}Time", moment.time().isoformat(spec) + "Z")


def amount(parent: etree._Element, name: str, value: Decimal, currency: str) -> etree._Element:
    return cbc(parent, name, value, currencyID=currency)


@dataclass(frozen=True, slots=True)
class PartyRef:
    """A party as named in documents; ``scheme`` is an ISO 6523 ICD (0184 = Danish CVR)."""

    identifier: str
    name: str | None = None
    scheme: str = "0184"
    endpoint: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2


def party(parent: etree._Element, name: str, ref: PartyRef) -> etree._Element:
    """Fill a cac:Party-typed element (SenderParty, Party, ...) from a :class:`PartyRef`."""
    el = cac(parent, name)
    if ref.endpoint:
        cbc(el, "EndpointID", ref.endpoint, schemeID=ref.scheme)
    cbc(cac(el, "PartyIdentification"), "ID", ref.identifier, schemeID=ref.scheme)
    if ref.name:
        cbc(cac(el, "PartyName"), "Name", ref.name)
    if ref.country:
        cbc(cac(cac(el, "PostalAddress"), "Country"), "IdentificationCode", ref.country)
    return el


def head(
    el: etree._Element,
    *,
    document_id: str,
    contract_folder_id: str,
    issued_at: datetime,
    customization_id: str | None = None,
    profile_id: str | None = None,
) -> None:
    """The header every pre-award document starts with, up to IssueTime."""
    cbc(el, "UBLVersionID", UBL_VERSION)
    if customization_id:
        cbc(el, "CustomizationID", customization_id)
    if profile_id:
        cbc(el, "ProfileID", profile_id)
    cbc(el, "ID", document_id)
    cbc(el, "ContractFolderID", contract_folder_id)
    date_time(el, "Issue", issued_at)


def to_bytes(el: etree._Element) -> bytes:
    return etree.tostring(el, xml_declaration=True, encoding="UTF-8", pretty_print=True)
