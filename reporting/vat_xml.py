"""The VAT return as the tax agency's XML (``ModtagMomsangivelseForeloebig_I``).

The SOAP envelope, signing and sending belong to the channel; this module
gives the fields in the agency's names and order, the ``Angivelse`` element,
and a check of the request document against the agency's own XSD.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from reporting.errors import ReportBuildError, ReportValidationUnavailable
from reporting.vat import VatReturn

__all__ = [
    "NS_KONTEKST",
    "NS_NEMVIRKSOMHED",
    "NS_VIRKSOMHED",
    "NS_WS",
    "XSD_PATH",
    "angivelse_element",
    "modtag_request_document",
    "validate_modtag_request",
    "vat_return_to_xml_fields",
]

NS_WS = "urn:oio:skat:nemvirksomhed:ws:1.0.0"
NS_NEMVIRKSOMHED = "urn:oio:skat:nemvirksomhed:1.0.0"
NS_KONTEKST = "http://rep.oio.dk/skat.dk/basis/kontekst/xml/schemas/2006/09/01/"
NS_VIRKSOMHED = "http://rep.oio.dk/skat.dk/motor/class/virksomhed/xml/schemas/20080401/"
XSD_PATH = (
    "skat-vat-rsu/ModtagMomsangivelseForeloebig/urn/oio/skat/nemvirksomhed/ws/1_0_0/"
    "ModtagMomsangivelseForeloebig_I.xsd"
)

# The order of xs:sequence in Angivelsesafgifter (ModtagMomsangivelseForeloebig_I.xsd).
_SEQUENCE = (
    "AfgiftTilsvar",
    "CO2Afgift",
    "EUKoeb",
    "EUSalgBeloebVarer",
    "IkkeEUSalgBeloebVarer",
    "ElAfgift",
    "EksportOmsaetning",
    "GasAfgift",
    "KoebsMoms",
    "KulAfgift",
    "MomsEUKoeb",
    "MomsEUYdelser",
    "OlieAfgift",
    "SalgsMoms",
    "VandAfgift",
    "EUKoebYdelse",
    "EUSalgYdelse",
)
_SE_NUMBER = re.compile(r"^[0-9]{8}$")


def vat_return_to_xml_fields(vat: VatReturn) -> dict[str, int]:
    """Element local name -> whole DKK, in the schema's order, every field present."""
    amounts = vat.amounts
    return {f"MomsAngivelse{name}Beloeb": amounts[name] for name in _SEQUENCE}


def angivelse_element(vat: VatReturn, *, se_number: str) -> etree._Element:
    """The ``Angivelse`` element: SE number, period and every amount."""
    if not _SE_NUMBER.match(se_number):
        raise ReportBuildError(f"SE number must be 8 digits, got {se_number!r}")
    ws, nv = f"{{{NS_WS}}}", f"{{{NS_NEMVIRKSOMHED}}}"
    root = etree.Element(ws + "Angivelse", nsmap={"ns": NS_WS, "nv": NS_NEMVIRKSOMHED})
    angiver = etree.SubElement(root, ws + "AngiverVirksomhedSENummer")
    se = etree.SubElement(
        angiver, f"{{{NS_VIRKSOMHED}}}VirksomhedSENummerIdentifikator", nsmap={"v": NS_VIRKSOMHED}
    )
    se.text = se_number
    info = etree.SubElement(root, ws + "Angivelsesoplysninger")
    etree.SubElement(info, nv + "AngivelsePeriodeFraDato").text = vat.period.start.isoformat()
    etree.SubElement(info, nv + "AngivelsePeriodeTilDato").text = vat.period.end.isoformat()
    fees = etree.SubElement(root, ws + "Angivelsesafgifter")
    for name, value in vat_return_to_xml_fields(vat).items():
        etree.SubElement(fees, nv + name).text = str(value)
    return root


def modtag_request_document(
    vat: VatReturn,
    *,
    se_number: str,
    transaction_id: str,
    transaction_time: datetime | None = None,
) -> etree._Element:
    """The whole ``ModtagMomsangivelseForeloebig_I`` body element."""
    when = transaction_time or datetime.now(UTC)
    if when.tzinfo is None:
        raise ReportBuildError("transaction_time must be timezone-aware")
    root = etree.Element(
        f"{{{NS_WS}}}ModtagMomsangivelseForeloebig_I",
        nsmap={"ns": NS_WS, "k": NS_KONTEKST, "nv": NS_NEMVIRKSOMHED},
    )
    head = etree.SubElement(root, f"{{{NS_KONTEKST}}}HovedOplysninger")
    etree.SubElement(head, f"{{{NS_KONTEKST}}}TransaktionIdentifikator").text = transaction_id
    etree.SubElement(head, f"{{{NS_KONTEKST}}}TransaktionTid").text = when.isoformat()
    root.append(angivelse_element(vat, se_number=se_number))
    return root


_schemas: dict[Path, etree.XMLSchema] = {}
_lock = threading.Lock()


_XS = "http://www.w3.org/2001/XMLSchema"


def _compile(path: Path) -> etree.XMLSchema:
    # The agency's schema imports its one namespace from many files, one element
    # each; libxml2 reads only the first import of a namespace. A wrapper schema
    # for that namespace includes every file first, then imports the request schema.
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    main = etree.parse(str(path), parser)  # trusted, installed artefact
    parts = [
        (path.parent / imp.get("schemaLocation", "")).resolve()
        for imp in main.getroot().iter(f"{{{_XS}}}import")
        if imp.get("namespace") == NS_NEMVIRKSOMHED
    ]
    wrapper = etree.Element(
        f"{{{_XS}}}schema",
        nsmap={"xs": _XS},
        targetNamespace=NS_NEMVIRKSOMHED,
        elementFormDefault="qualified",
    )
    for part in parts:
        etree.SubElement(wrapper, f"{{{_XS}}}include", schemaLocation=part.as_uri())
    etree.SubElement(wrapper, f"{{{_XS}}}import", namespace=NS_WS, schemaLocation=path.as_uri())
    return etree.XMLSchema(wrapper)


def _schema(artefacts_dir: Path) -> etree.XMLSchema:
    path = (Path(artefacts_dir) / XSD_PATH).resolve()
    with _lock:
        if path not in _schemas:
            if not path.is_file():
                raise ReportValidationUnavailable(f"VAT return schema not installed: {path}")
            try:
                _schemas[path] = _compile(path)
            except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
                raise ReportValidationUnavailable(f"cannot load {path.name}: {exc}") from exc
        return _schemas[path]


def validate_modtag_request(document: etree._Element, *, artefacts_dir: str | Path) -> list[str]:
    """Schema errors of a request document (empty when it is valid)."""
    schema = _schema(Path(artefacts_dir))
    with _lock:  # an XMLSchema object keeps its error log: one validation at a time
        ok = schema.validate(document)
        return [] if ok else [f"line {e.line}: {e.message}" for e in schema.error_log]
