"""Response documents of the tax agency sandbox, shaped by the services' output XSDs."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from lxml import etree

from sandbox.skat_calendar import CalendarPeriod
from schemas.skat_contract import CTX_NS, NEM_NS, TSE_NS, VIRK_NS, WS_NS, ServiceContract

__all__ = [
    "ADVICE_TEXTS",
    "ERROR_TEXTS",
    "calendar_response",
    "envelope",
    "error_response",
    "receipt_pdf",
    "receipt_response",
    "soap_fault",
    "submit_response",
]

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"

# The agency's texts for its error and advice codes (README of the agency's sample client).
ERROR_TEXTS = {
    4801: "RSU er ikke delegeret af virksomheden",
    4802: "Ikke åben periode",
    4803: "Periode ikke afsluttet",
    4804: "Periode er mere end 3 år gammel",
    4810: "Foreløbig statement ikke godkendt",
    4811: "Ingen kvittering, den foreløbige momsangivelse er afvist",
    4812: "Kvittering findes ikke",
    4813: "Der findes ingen foreløbig momsindberetning",
    4816: 'Værdien i <Angivelsestype> findes ikke. Skal være "Moms".',
    4817: "Søgedato start er efter søgedatoslut",
}
ADVICE_TEXTS = {
    5001: "Dette er en foreløbig ordinær angivelse",
    5002: "Dette er en foreløbig efterangivelse",
    5003: "Din efterangivelse er nu godkendt, en kvittering er tilgængelig på skat.dk",
    5004: "Din ordinær angivelse er nu godkendt, en kvittering er tilgængelig på skat.dk",
}
_NSMAP = {"ns": CTX_NS, "ns2": NEM_NS, "ns3": WS_NS, "ns4": VIRK_NS, "ns5": TSE_NS}


def _sub(parent: etree._Element, ns: str, name: str, text: object | None = None) -> etree._Element:
    child = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        child.text = str(text)
    return child


def _root(
    service: ServiceContract,
    *,
    transaction_id: str | None,
    transaction_time: str | None,
    errors: Iterable[int] = (),
    advice: Iterable[int] = (),
) -> etree._Element:
    root = etree.Element(service.response, nsmap=_NSMAP)
    head = _sub(root, CTX_NS, "HovedOplysningerSvar")
    if transaction_id:
        _sub(head, CTX_NS, "TransaktionIdentifikator", transaction_id)
    _sub(head, CTX_NS, "ServiceIdentifikator", service.service_id)
    if transaction_time:
        _sub(head, CTX_NS, "TransaktionTid", transaction_time)
    answer = _sub(head, CTX_NS, "SvarStruktur")
    for code in advice:
        item = _sub(answer, CTX_NS, "AdvisStruktur")
        _sub(item, CTX_NS, "AdvisIdentifikator", code)
        _sub(item, CTX_NS, "AdvisTekst", ADVICE_TEXTS[code])
    for code in errors:
        item = _sub(answer, CTX_NS, "FejlStruktur")
        _sub(item, CTX_NS, "FejlIdentifikator", code)
        _sub(item, CTX_NS, "FejlTekst", ERROR_TEXTS[code])
    return root


def error_response(
    service: ServiceContract, code: int, *, transaction_id: str | None, transaction_time: str | None
) -> etree._Element:
    """The agency's way to refuse: a normal response whose SvarStruktur holds a FejlStruktur."""
    return _root(
        service, transaction_id=transaction_id, transaction_time=transaction_time, errors=[code]
    )


def calendar_response(
    service: ServiceContract,
    *,
    transaction_id: str | None,
    transaction_time: str | None,
    se: str,
    frequency: int,
    registered: date,
    periods: Sequence[CalendarPeriod],
) -> etree._Element:
    """VirksomhedKalenderHent_O listing the deadlines of the periods found."""
    root = _root(service, transaction_id=transaction_id, transaction_time=transaction_time)
    _sub(root, VIRK_NS, "VirksomhedSENummerIdentifikator", se)
    listing = _sub(root, WS_NS, "AngivelseFrekvensListe")
    entry = _sub(listing, WS_NS, "AngivelseFrekvens")
    _sub(entry, NEM_NS, "AngivelseFrekvensForholdGyldigFraDate", registered.isoformat())
    _sub(entry, NEM_NS, "AngivelseFrekvensTypeCode", frequency)
    deadlines = _sub(entry, WS_NS, "AngivelseBetalingFristDatoListe")
    for period in periods:
        item = _sub(deadlines, WS_NS, "AngivelseBetalingFristDato")
        _sub(item, NEM_NS, "AngivelseFristKalenderFristDato", period.deadline.isoformat())
        _sub(item, NEM_NS, "AngivelseFristKalenderForfaldDato", period.deadline.isoformat())
        _sub(item, NEM_NS, "AngivelseFristKalenderBetalingDato", period.deadline.isoformat())
    return root


def submit_response(
    service: ServiceContract,
    *,
    transaction_id: str | None,
    transaction_time: str | None,
    draft_id: str,
    correction: bool,
    deep_link: str,
) -> etree._Element:
    """ModtagMomsangivelseForeloebig_O: the draft's id, its kind as advice, and the deep link."""
    root = _root(
        service,
        transaction_id=transaction_id,
        transaction_time=transaction_time,
        advice=[5002 if correction else 5001],
    )
    _sub(root, NEM_NS, "TransaktionIdentifier", draft_id)
    link = _sub(root, WS_NS, "Dybtlink")
    _sub(link, NEM_NS, "UrlIndicator", deep_link)
    return root


def receipt_response(
    service: ServiceContract,
    *,
    transaction_id: str | None,
    transaction_time: str | None,
    correction: bool,
    pdf: bytes,
    ocr_number: str,
    amount: int,
    payment_date: date,
) -> etree._Element:
    """MomsangivelseKvitteringHent_O with the PDF receipt and the payment details."""
    root = _root(
        service,
        transaction_id=transaction_id,
        transaction_time=transaction_time,
        advice=[5003 if correction else 5004],
    )
    receipt = _sub(root, WS_NS, "PDFkvittering")
    _sub(receipt, NEM_NS, "DokumentFilIndholdData", base64.b64encode(pdf).decode("ascii"))
    payment = _sub(root, WS_NS, "Betalingsoplysninger")
    ocr = _sub(payment, WS_NS, "OCRLinie")
    _sub(ocr, NEM_NS, "OCRKortTypeKode", 71)
    _sub(ocr, TSE_NS, "OCRnummerIdentifikator", ocr_number)
    # A made-up creditor number: the sandbox must never look like a real payment slip.
    _sub(ocr, NEM_NS, "OCRKontoNummerIdentifikator", 99999999)
    _sub(payment, NEM_NS, "BetalingIkkeBetaltBeloeb", amount)
    _sub(payment, NEM_NS, "AngivelseFristKalenderBetalingDato", payment_date.isoformat())
    return root


def envelope(payload: etree._Element) -> etree._Element:
    """Wrap a response document in a SOAP 1.1 envelope."""
    env = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"soap": SOAP_NS})
    etree.SubElement(env, f"{{{SOAP_NS}}}Header")
    etree.SubElement(env, f"{{{SOAP_NS}}}Body").append(payload)
    return env


def soap_fault(code: str, message: str, *, security: bool = False) -> bytes:
    """A SOAP 1.1 fault; WS-Security failures use the wsse fault codes."""
    nsmap = {"soap": SOAP_NS, "wsse": WSSE_NS} if security else {"soap": SOAP_NS}
    env = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap=nsmap)
    fault = etree.SubElement(etree.SubElement(env, f"{{{SOAP_NS}}}Body"), f"{{{SOAP_NS}}}Fault")
    etree.SubElement(fault, "faultcode").text = f"wsse:{code}" if security else f"soap:{code}"
    etree.SubElement(fault, "faultstring").text = message
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def receipt_pdf(lines: Sequence[str], *, created: datetime) -> bytes:
    """A one-page PDF receipt (Latin-1 text with the standard Helvetica font)."""
    content = "BT /F1 11 Tf 56 780 Td 14 TL " + " ".join(f"({_pdf_text(line)}) '" for line in lines)
    content += " ET"
    stream = content.encode("latin-1", errors="replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Producer (Gateway SKAT sandbox) /CreationDate (D:"
        + created.strftime("%Y%m%d%H%M%SZ").encode()
        + b") >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
