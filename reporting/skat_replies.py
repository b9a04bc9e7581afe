"""What the SKAT VAT services answer, read into plain values; and the VAT form fields we accept.

Pure functions over parsed XML: no network, no zeep.
"""

from __future__ import annotations

import base64
import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from reporting.skat_errors import SkatBadResponse, SkatInputError, refusal_for

__all__ = [
    "FREQUENCY_NAMES",
    "VAT_FIELDS",
    "CalendarEntry",
    "DraftSubmission",
    "VatCalendar",
    "VatReceipt",
    "check_answer",
    "read_calendar",
    "read_receipt",
    "read_submission",
    "whole_dkk_fields",
]

WS_NS = "urn:oio:skat:nemvirksomhed:ws:1.0.0"
NEM_NS = "urn:oio:skat:nemvirksomhed:1.0.0"
CTX_NS = "http://rep.oio.dk/skat.dk/basis/kontekst/xml/schemas/2006/09/01/"
VIRK_NS = "http://rep.oio.dk/skat.dk/motor/class/virksomhed/xml/schemas/20080401/"
TSE_NS = "http://rep.oio.dk/skat.dk/TSE/angivelse/xml/schemas/2006/09/01/"

# The VAT form's fields in the order of ModtagMomsangivelseForeloebig_I.xsd; the first is required.
VAT_FIELDS = (
    "MomsAngivelseAfgiftTilsvarBeloeb",
    "MomsAngivelseCO2AfgiftBeloeb",
    "MomsAngivelseEUKoebBeloeb",
    "MomsAngivelseEUSalgBeloebVarerBeloeb",
    "MomsAngivelseIkkeEUSalgBeloebVarerBeloeb",
    "MomsAngivelseElAfgiftBeloeb",
    "MomsAngivelseEksportOmsaetningBeloeb",
    "MomsAngivelseGasAfgiftBeloeb",
    "MomsAngivelseKoebsMomsBeloeb",
    "MomsAngivelseKulAfgiftBeloeb",
    "MomsAngivelseMomsEUKoebBeloeb",
    "MomsAngivelseMomsEUYdelserBeloeb",
    "MomsAngivelseOlieAfgiftBeloeb",
    "MomsAngivelseSalgsMomsBeloeb",
    "MomsAngivelseVandAfgiftBeloeb",
    "MomsAngivelseEUKoebYdelseBeloeb",
    "MomsAngivelseEUSalgYdelseBeloeb",
)
FREQUENCY_NAMES = {
    0: "none",
    1: "immediately",
    2: "daily",
    5: "weekly",
    6: "every 14 days",
    7: "monthly",
    8: "quarterly",
    9: "half-yearly",
    10: "yearly",
    16: "varies",
    17: "occasionally",
}
_MONTHS = {7: 1, 8: 3, 9: 6, 10: 12}


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One VAT return the company must file: the period it covers and its deadlines."""

    period_start: date | None
    period_end: date | None
    deadline: date
    due_date: date | None
    payment_date: date | None


@dataclass(frozen=True, slots=True)
class VatCalendar:
    se: str
    frequency_code: int
    frequency: str
    valid_from: date
    entries: tuple[CalendarEntry, ...]


@dataclass(frozen=True, slots=True)
class DraftSubmission:
    """The agency's acknowledgement of a draft; the company approves it at ``approval_url``."""

    se: str
    period_start: date
    period_end: date
    draft_id: str
    approval_url: str | None
    correction: bool
    advice_code: int | None
    message_id: str


@dataclass(frozen=True, slots=True)
class VatReceipt:
    draft_id: str
    correction: bool
    pdf: bytes
    amount_due: Decimal | None
    payment_deadline: date | None
    ocr_line: str | None
    advice_code: int | None


def whole_dkk_fields(fields: Mapping[str, Any]) -> dict[str, int]:
    """Check VAT form fields (names as in the XSD) and return them as whole kroner."""
    unknown = sorted(set(fields) - set(VAT_FIELDS))
    if unknown:
        raise SkatInputError(
            f"unknown VAT return fields {', '.join(unknown)}; the fields are {', '.join(VAT_FIELDS)}"
        )
    if fields.get(VAT_FIELDS[0]) is None:
        raise SkatInputError(f"{VAT_FIELDS[0]} (the VAT payable or refundable) is required")
    whole: dict[str, int] = {}
    for name in VAT_FIELDS:
        value = fields.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise SkatInputError(f"{name} must be an int or a Decimal, not {type(value).__name__}")
        try:
            exact = Decimal(value)
            integral = exact == exact.to_integral_value()
        except InvalidOperation as exc:
            raise SkatInputError(f"{name} is not a number: {value}") from exc
        if not integral:
            raise SkatInputError(f"{name} is {value}: the tax agency takes whole kroner (DKK)")
        whole[name] = int(exact)
    return whole


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _date(parent: etree._Element, ns: str, name: str) -> date | None:
    text = parent.findtext(_q(ns, name))
    return date.fromisoformat(text.strip()[:10]) if text and text.strip() else None


def check_answer(answer: etree._Element, **context: Any) -> list[int]:
    """Raise our error for the first agency error code in the answer; return its advice codes."""
    svar = answer.find(f"{_q(CTX_NS, 'HovedOplysningerSvar')}/{_q(CTX_NS, 'SvarStruktur')}")
    if svar is None:
        raise SkatBadResponse("the answer has no HovedOplysningerSvar/SvarStruktur")
    for error in svar.iter(_q(CTX_NS, "FejlStruktur")):
        raw = (error.findtext(_q(CTX_NS, "FejlIdentifikator")) or "").strip()
        try:
            code = int(raw)
        except ValueError as exc:
            raise SkatBadResponse(f"the answer carries an unreadable error code {raw!r}") from exc
        raise refusal_for(code, error.findtext(_q(CTX_NS, "FejlTekst")), **context)
    advice = []
    for item in svar.iter(_q(CTX_NS, "AdvisStruktur")):
        raw = (item.findtext(_q(CTX_NS, "AdvisIdentifikator")) or "").strip()
        if raw.isdigit():
            advice.append(int(raw))
    return advice


def _period_before(deadline: date, frequency: int) -> tuple[date | None, date | None]:
    # The period a deadline belongs to is the last one of its length that ended before it.
    months = _MONTHS.get(frequency)
    if months is None:
        return None, None
    index = deadline.year * 12 + deadline.month - 1
    end_index = index - 1
    while (end_index % 12 + 1) % months:
        end_index -= 1
    start_index = end_index - months + 1
    start = date(start_index // 12, start_index % 12 + 1, 1)
    end_year, end_month = end_index // 12, end_index % 12 + 1
    return start, date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])


def read_calendar(answer: etree._Element, **context: Any) -> VatCalendar:
    """VirksomhedKalenderHent_O as a calendar of periods and deadlines."""
    check_answer(answer, **context)
    listing = answer.find(f"{_q(WS_NS, 'AngivelseFrekvensListe')}/{_q(WS_NS, 'AngivelseFrekvens')}")
    se = (answer.findtext(_q(VIRK_NS, "VirksomhedSENummerIdentifikator")) or "").strip()
    if listing is None:
        return VatCalendar(se, 0, FREQUENCY_NAMES[0], date.min, ())
    code = int((listing.findtext(_q(NEM_NS, "AngivelseFrekvensTypeCode")) or "0").strip())
    entries = []
    for item in listing.iter(_q(WS_NS, "AngivelseBetalingFristDato")):
        deadline = _date(item, NEM_NS, "AngivelseFristKalenderFristDato")
        if deadline is None:
            raise SkatBadResponse("a calendar entry has no AngivelseFristKalenderFristDato")
        start, end = _period_before(deadline, code)
        entries.append(
            CalendarEntry(
                period_start=start,
                period_end=end,
                deadline=deadline,
                due_date=_date(item, NEM_NS, "AngivelseFristKalenderForfaldDato"),
                payment_date=_date(item, NEM_NS, "AngivelseFristKalenderBetalingDato"),
            )
        )
    return VatCalendar(
        se=se,
        frequency_code=code,
        frequency=FREQUENCY_NAMES.get(code, f"code {code}"),
        valid_from=_date(listing, NEM_NS, "AngivelseFrekvensForholdGyldigFraDate") or date.min,
        entries=tuple(entries),
    )


def read_submission(
    answer: etree._Element, *, se: str, period: tuple[date, date], message_id: str, **context: Any
) -> DraftSubmission:
    """ModtagMomsangivelseForeloebig_O: the draft's id, whether it is a correction, the link."""
    advice = check_answer(answer, se=se, **context)
    draft_id = (answer.findtext(_q(NEM_NS, "TransaktionIdentifier")) or "").strip()
    if not draft_id:
        raise SkatBadResponse("the agency accepted the draft but returned no TransaktionIdentifier")
    link = answer.findtext(f"{_q(WS_NS, 'Dybtlink')}/{_q(NEM_NS, 'UrlIndicator')}")
    kind = next((a for a in advice if a in (5001, 5002)), None)
    return DraftSubmission(
        se=se,
        period_start=period[0],
        period_end=period[1],
        draft_id=draft_id,
        approval_url=link.strip() if link else None,
        correction=kind == 5002,
        advice_code=kind,
        message_id=message_id,
    )


def read_receipt(answer: etree._Element, *, draft_id: str, **context: Any) -> VatReceipt:
    """MomsangivelseKvitteringHent_O: the PDF receipt and what to pay by when."""
    advice = check_answer(answer, draft_id=draft_id, **context)
    pdf_text = answer.findtext(
        f"{_q(WS_NS, 'PDFkvittering')}/{_q(NEM_NS, 'DokumentFilIndholdData')}"
    )
    try:
        pdf = base64.b64decode("".join((pdf_text or "").split()), validate=True)
    except ValueError as exc:
        raise SkatBadResponse("the receipt PDF is not valid Base64") from exc
    payment = answer.find(_q(WS_NS, "Betalingsoplysninger"))
    amount = deadline = ocr_line = None
    if payment is not None:
        raw_amount = payment.findtext(_q(NEM_NS, "BetalingIkkeBetaltBeloeb"))
        amount = Decimal(raw_amount.strip()) if raw_amount else None
        deadline = _date(payment, NEM_NS, "AngivelseFristKalenderBetalingDato")
        ocr = payment.find(_q(WS_NS, "OCRLinie"))
        if ocr is not None:
            # The payment slip line: +<card type><<OCR number>+<creditor number><
            ocr_line = (
                f"+{(ocr.findtext(_q(NEM_NS, 'OCRKortTypeKode')) or '').strip()}"
                f"<{(ocr.findtext(_q(TSE_NS, 'OCRnummerIdentifikator')) or '').strip()}"
                f"+{(ocr.findtext(_q(NEM_NS, 'OCRKontoNummerIdentifikator')) or '').strip()}<"
            )
    kind = next((a for a in advice if a in (5003, 5004)), None)
    return VatReceipt(
        draft_id=draft_id,
        correction=kind == 5003,
        pdf=pdf,
        amount_due=amount,
        payment_deadline=deadline,
        ocr_line=ocr_line,
        advice_code=kind,
    )
