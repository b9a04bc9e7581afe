"""Use cases of ordering and invoicing: every outbound document goes through the pipeline.

Buyers order against a signed contract and answer invoices (T111); suppliers
answer orders (T76) and invoice. Documents are built from the pure model,
handed to :func:`gateway.pipeline.service.submit` (kind + recipient participant
id), and the pipeline validates, signs, routes them to the Peppol channel and
keeps statuses, retries and receipts. Services flush, never commit.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit.service import record
from gateway.blobs import sha256_hex
from gateway.errors import BadRequest, Conflict, InvalidDocument, NotFound
from gateway.pipeline.models import Submission
from gateway.pipeline.service import submit
from gateway.tenancy.models import Organisation, Role
from gateway.tenancy.service import Actor
from invoicing import payloads
from invoicing.builders import (
    build_bis3,
    build_invoice_response,
    build_oioubl,
    build_order,
    build_order_response,
)
from invoicing.contract_terms import contract_terms
from invoicing.errors import InvoicingError
from invoicing.model import (
    Address,
    AllowanceCharge,
    DocumentKind,
    Identifier,
    Invoice,
    InvoiceLine,
    Party,
    PaymentMeans,
    PrecedingInvoice,
    VatCategory,
)
from invoicing.models import InvoiceRecord, InvoicingProfile, OrderRecord
from invoicing.order_reader import read_order
from invoicing.orders import (
    InvoiceResponse,
    InvoiceStatus,
    LineStatus,
    Order,
    OrderResponse,
    OrderResponseCode,
    OrderResponseLine,
    StatusReason,
    StatusReasonCode,
    order_from_contract,
)
from invoicing.reader import read_invoice
from invoicing.repository import InvoiceRepository, OrderRepository, ProfileRepository
from invoicing.response_reader import read_order_response
from invoicing.syntax import syntax_of
from invoicing.vat import compute_totals
from tendering import service as tendering

if TYPE_CHECKING:
    from gateway.bootstrap import Container

__all__ = [
    "INVOICE_STATUS_NAMES",
    "create_invoice",
    "create_order",
    "organisation_party",
    "participant",
    "respond_invoice",
    "respond_order",
    "send_invoice_document",
    "set_profile",
    "system_actor",
]

XML = "application/xml"
INVOICE_STATUS_NAMES = {
    InvoiceStatus.ACKNOWLEDGED: "acknowledged",
    InvoiceStatus.IN_PROCESS: "in_process",
    InvoiceStatus.UNDER_QUERY: "under_query",
    InvoiceStatus.CONDITIONALLY_ACCEPTED: "conditionally_accepted",
    InvoiceStatus.REJECTED: "rejected",
    InvoiceStatus.ACCEPTED: "accepted",
    InvoiceStatus.PAID: "paid",
}
_ORDER_DECISIONS = {
    "accept": (OrderResponseCode.ACCEPTED, "accepted"),
    "reject": (OrderResponseCode.REJECTED, "rejected"),
    "accept_with_changes": (OrderResponseCode.ACCEPTED_WITH_CHANGES, "accepted_with_changes"),
}


def participant(cvr: str) -> str:
    """The Peppol participant id of a Danish organisation (ICD 0184, its CVR number)."""
    return f"0184:{cvr.removeprefix('DK')}"


def organisation_party(org: Organisation) -> Party:
    """A gateway organisation as an invoice or order party (CVR as endpoint and legal id)."""
    ident = Identifier(org.cvr, "0184")
    return Party(
        name=org.name,
        address=Address(country="DK"),
        endpoint=ident,
        legal_id=ident,
        vat_id=f"DK{org.cvr}",
    )


def system_actor(org: Organisation, role: Role) -> Actor:
    """The gateway acting automatically for ``org`` (answers sent without a person)."""
    return Actor("invoicing", "invoicing (automatic)", org.id, org.id, org.cvr, frozenset({role}))


def _org(session: Session, organisation_id: str) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(f"organisation {organisation_id} not found")
    return org


def _org_by_participant(session: Session, pid: str) -> Organisation | None:
    scheme, _, value = pid.partition(":")
    if scheme != "0184" or not value:
        return None
    return session.scalar(select(Organisation).where(Organisation.cvr == value))


def _audit(
    session: Session, actor: Actor, action: str, subject: str, sid: str, **data: object
) -> None:
    record(
        session,
        organisation_id=actor.organisation_id,
        actor=actor.label,
        action=action,
        subject_type=subject,
        subject_id=sid,
        data=data,
    )


def _send(
    c: Container,
    session: Session,
    *,
    actor: Actor,
    kind: str,
    to: str,
    xml: bytes,
    key: str,
    ref: str,
) -> Submission:
    return submit(
        c,
        session,
        actor=actor,
        kind=kind,
        recipient=to,
        payload=xml,
        content_type=XML,
        idempotency_key=key,
        reference=ref,
    ).submission


# -- orders -------------------------------------------------------------------


def create_order(
    c: Container, session: Session, *, actor: Actor, data: payloads.OrderCreate
) -> OrderRecord:
    """A BIS Ordering 3 Order against one of the buyer's signed contracts, sent to the supplier."""
    actor.require(Role.BUYER)
    view = tendering.get_contract(
        session, organisation_id=actor.organisation_id, contract_id=data.contract_id
    )
    if view.buyer_cvr != actor.organisation_cvr:
        raise NotFound(f"contract {data.contract_id} not found")
    if view.status != "signed":
        raise Conflict(f"contract {view.contract_id} is {view.status}; order once it is signed")
    buyer = organisation_party(_org(session, actor.organisation_id))
    supplier_org = _org_by_participant(session, participant(view.supplier_cvr))
    terms = contract_terms(
        view, buyer=buyer, supplier=organisation_party(supplier_org) if supplier_org else None
    )
    number = data.number or f"PO-{uuid.uuid4().hex[:10].upper()}"
    to = participant(view.supplier_cvr)
    repo = OrderRepository(session, actor.organisation_id)
    if repo.by_number(number, side="buyer") is not None:
        raise Conflict(f"order number {number} is already in use")
    today = c.clock().date()
    try:
        order = order_from_contract(
            terms,
            order_id=number,
            issue_date=today,
            quantities=dict(data.quantities),
            note=data.note,
            customer_reference=data.buyer_reference or number,
            valid_to=today + timedelta(days=30),
        )
    except KeyError as exc:
        raise BadRequest(str(exc.args[0])) from None
    xml = build_order(order)
    sub = _send(
        c, session, actor=actor, kind="order", to=to, xml=xml, key=f"order:{number}", ref=number
    )
    rec = repo.add(
        OrderRecord(
            side="buyer",
            number=number,
            counterparty=to,
            contract_id=view.contract_id,
            currency=order.currency,
            total=order.line_extension,
            status="sent",
            document_hash=sha256_hex(xml),
            submission_id=sub.id,
        )
    )
    _audit(session, actor, "invoicing.order.sent", "order", rec.id, number=number, to=to)
    return rec


def respond_order(
    c: Container,
    session: Session,
    *,
    actor: Actor,
    order_id: str,
    data: payloads.OrderRespond,
) -> OrderRecord:
    """The supplier's Order Response (accept, reject, accept with changes) back to the buyer."""
    actor.require(Role.SUPPLIER)
    rec = OrderRepository(session, actor.organisation_id).get(order_id, for_update=True)
    if rec.side != "supplier":
        raise NotFound(f"order {order_id} not found")
    if rec.status != "received":
        raise Conflict(f"order {rec.number} was already answered ({rec.status})")
    code, status = _ORDER_DECISIONS[data.decision]
    if code is OrderResponseCode.ACCEPTED_WITH_CHANGES and not data.changes:
        raise BadRequest("accepting with changes needs at least one changed line")
    order = read_order(c.blobs.get(rec.document_hash))
    lines = []
    for change in data.changes:
        ordered = order.line(change.line_id)
        if ordered is None:
            raise BadRequest(f"order {rec.number} has no line {change.line_id}")
        lines.append(
            OrderResponseLine(
                order_line_id=change.line_id,
                status=LineStatus.CHANGED if change.accepted else LineStatus.NOT_ACCEPTED,
                quantity=change.quantity,
                unit_code=ordered.unit_code if change.quantity is not None else None,
                net_price=change.unit_price,
                note=change.note,
            )
        )
    response = OrderResponse(
        id=f"OR-{rec.number}",
        issue_date=c.clock().date(),
        code=code,
        order=order,
        lines=tuple(lines),
        note=data.note,
    )
    xml = build_order_response(response)
    sub = _send(
        c,
        session,
        actor=actor,
        kind="order_response",
        to=rec.counterparty,
        xml=xml,
        key=f"order-response:{rec.id}",
        ref=rec.number,
    )
    rec.status = status
    rec.response_code = code.value
    rec.response_note = data.note
    rec.response_hash = sha256_hex(xml)
    rec.response_submission_id = sub.id
    _audit(session, actor, "invoicing.order.answered", "order", rec.id, code=code.value)
    return rec


# -- invoices -----------------------------------------------------------------


def _payment(data: payloads.InvoiceCreate, number: str) -> PaymentMeans:
    if data.iban:
        return PaymentMeans(code="58", account_id=data.iban.replace(" ", ""), payment_id=number)
    # A Danish bank transfer: registration number and account (DK-R-006).
    return PaymentMeans(
        code="42", account_id="4401162431", institution_id="0040", payment_id=number
    )


def _lines_from_order(order: Order) -> tuple[InvoiceLine, ...]:
    return tuple(
        InvoiceLine(
            id=line.id,
            quantity=line.quantity,
            unit_code=line.unit_code,
            net_price=line.net_price or Decimal(0),
            base_quantity=line.base_quantity,
            item_name=line.item_name,
            seller_item_id=line.seller_item_id,
            vat_category=line.vat_category or VatCategory.STANDARD,
            vat_rate=line.vat_rate if line.vat_category is not VatCategory.NOT_SUBJECT else None,
            order_line_ref=line.id,
        )
        for line in order.lines
    )


def _lines_from_input(lines: list[payloads.InvoiceLineIn]) -> tuple[InvoiceLine, ...]:
    out = []
    for number, line in enumerate(lines, start=1):
        category = VatCategory(line.vat_category)
        out.append(
            InvoiceLine(
                id=str(number),
                quantity=line.quantity,
                unit_code=line.unit_code,
                net_price=line.unit_price,
                item_name=line.item_name,
                seller_item_id=line.item_id,
                vat_category=category,
                vat_rate=None if category is VatCategory.NOT_SUBJECT else line.vat_rate,
                order_line_ref=line.order_line_ref,
            )
        )
    return tuple(out)


def _as_agreed(c: Container, rec: OrderRecord, order: Order) -> Order:
    """The order as the supplier's response changed it (quantities, prices, lines refused)."""
    if rec.status != "accepted_with_changes" or rec.response_hash is None:
        return order
    response = read_order_response(c.blobs.get(rec.response_hash), orders={order.id: order})
    changes = {line.order_line_id: line for line in response.lines}
    lines = []
    for line in order.lines:
        change = changes.get(line.id)
        if change is not None and change.status is LineStatus.NOT_ACCEPTED:
            continue
        if change is not None:
            line = replace(
                line,
                quantity=change.quantity if change.quantity is not None else line.quantity,
                net_price=change.net_price if change.net_price is not None else line.net_price,
            )
        lines.append(line)
    return replace(order, lines=tuple(lines))


def _invoice_basis(
    c: Container, session: Session, actor: Actor, data: payloads.InvoiceCreate
) -> tuple[Invoice, str]:
    """The invoice model (without payment details) and the buyer's participant id."""
    seller = organisation_party(_org(session, actor.organisation_id))
    today = data.issue_date or c.clock().date()
    common = {
        "kind": DocumentKind(data.kind),
        "number": data.number,
        "issue_date": today,
        "seller": seller,
    }
    if data.order_id:
        rec = OrderRepository(session, actor.organisation_id).get(data.order_id)
        if rec.side != "supplier":
            raise NotFound(f"order {data.order_id} not found")
        if rec.status == "rejected":
            raise Conflict(f"order {rec.number} was rejected; there is nothing to invoice")
        order = _as_agreed(c, rec, read_order(c.blobs.get(rec.document_hash)))
        invoice = Invoice(
            currency=order.currency,
            buyer=order.buyer,
            lines=_lines_from_order(order),
            order_reference=order.id,
            contract_reference=order.contract_reference,
            buyer_reference=order.customer_reference or order.id,
            **common,  # type: ignore[arg-type]
        )
        return invoice, rec.counterparty
    if data.contract_id:
        view = tendering.get_contract(
            session, organisation_id=actor.organisation_id, contract_id=data.contract_id
        )
        if view.supplier_cvr != actor.organisation_cvr:
            raise NotFound(f"contract {data.contract_id} not found")
        buyer_org = _org_by_participant(session, participant(view.buyer_cvr))
        terms = contract_terms(
            view,
            buyer=organisation_party(buyer_org) if buyer_org else None,
            supplier=seller,
        )
        try:
            order = order_from_contract(
                terms,
                order_id=data.order_reference or "NA",
                issue_date=today,
                quantities=dict(data.quantities or {}),
            )
        except KeyError as exc:
            raise BadRequest(str(exc.args[0])) from None
        if not order.lines:
            raise BadRequest("give quantities of the contract's items to invoice")
        lines = tuple(replace(line, order_line_ref=None) for line in _lines_from_order(order))
        invoice = Invoice(
            currency=terms.currency,
            buyer=terms.buyer,
            lines=lines,
            order_reference=data.order_reference,
            contract_reference=view.contract_id,
            buyer_reference=data.buyer_reference or data.order_reference or view.contract_id,
            **common,  # type: ignore[arg-type]
        )
        return invoice, participant(view.buyer_cvr)
    if data.buyer and data.lines:
        buyer_org = _org_by_participant(session, data.buyer)
        if buyer_org is not None:
            buyer = organisation_party(buyer_org)
        else:
            scheme, _, value = data.buyer.partition(":")
            buyer = Party(
                name=data.buyer, address=Address(country="DK"), endpoint=Identifier(value, scheme)
            )
        invoice = Invoice(
            currency=data.currency,
            buyer=buyer,
            lines=_lines_from_input(data.lines),
            order_reference=data.order_reference,
            buyer_reference=data.buyer_reference or data.order_reference or data.number,
            **common,  # type: ignore[arg-type]
        )
        return invoice, data.buyer
    raise BadRequest("give order_id, or contract_id with quantities, or buyer with lines")


def _syntax_for(session: Session, buyer: str, asked: str | None) -> str:
    if asked:
        return asked
    org = _org_by_participant(session, buyer)
    profile = ProfileRepository(session, org.id).current() if org is not None else None
    return profile.invoice_syntax if profile is not None else "bis3"


def create_invoice(
    c: Container, session: Session, *, actor: Actor, data: payloads.InvoiceCreate
) -> InvoiceRecord:
    """Build an invoice or credit note (BIS 3, or OIOUBL where the buyer asks) and send it."""
    actor.require(Role.SUPPLIER)
    invoice, to = _invoice_basis(c, session, actor, data)
    extra: dict[str, object] = {
        "payment_means": (_payment(data, data.number),),
        "due_date": invoice.issue_date + timedelta(days=data.due_days),
    }
    if data.charge is not None:
        extra["allowances_charges"] = (
            AllowanceCharge(
                is_charge=True,
                amount=data.charge,
                reason="Fragt",
                vat_category=VatCategory.STANDARD,
                vat_rate=Decimal("25"),
            ),
        )
    if data.preceding_invoice:
        extra["preceding_invoices"] = (PrecedingInvoice(data.preceding_invoice),)
    invoice = replace(invoice, **extra)  # type: ignore[arg-type]
    repo = InvoiceRepository(session, actor.organisation_id)
    if repo.issued(data.number) is not None:
        raise Conflict(f"invoice number {data.number} was already issued")
    syntax = _syntax_for(session, to, data.syntax)
    xml = build_oioubl(invoice) if syntax == "oioubl" else build_bis3(invoice)
    return _record_issued(c, session, actor, invoice, xml, to, syntax)


def _record_issued(
    c: Container,
    session: Session,
    actor: Actor,
    invoice: Invoice,
    xml: bytes,
    to: str,
    syntax: str,
) -> InvoiceRecord:
    sub = _send(
        c,
        session,
        actor=actor,
        kind=invoice.kind.value,
        to=to,
        xml=xml,
        key=f"invoice:{sha256_hex(xml)}",
        ref=invoice.number,
    )
    repo = InvoiceRepository(session, actor.organisation_id)
    again = session.scalar(select(InvoiceRecord).where(InvoiceRecord.submission_id == sub.id))
    if again is not None:
        return again  # the same document sent again: the pipeline kept the first submission
    rec = repo.add(
        InvoiceRecord(
            side="issued",
            kind=invoice.kind.value,
            syntax=syntax,
            number=invoice.number,
            counterparty=to,
            order_number=invoice.order_reference,
            contract_id=invoice.contract_reference,
            currency=invoice.currency,
            payable_amount=compute_totals(invoice).payable,
            status="sent",
            document_hash=sha256_hex(xml),
            submission_id=sub.id,
        )
    )
    _audit(
        session, actor, "invoicing.invoice.sent", "invoice", rec.id, number=invoice.number, to=to
    )
    return rec


def send_invoice_document(
    c: Container, session: Session, *, actor: Actor, document: bytes, recipient: str | None
) -> InvoiceRecord:
    """Send a supplier's own BIS 3 or OIOUBL document as it is (the buyer's endpoint by default)."""
    actor.require(Role.SUPPLIER)
    try:
        invoice = read_invoice(document)
    except InvoicingError:
        raise
    endpoint = invoice.buyer.endpoint
    to = recipient or (
        f"{endpoint.scheme}:{endpoint.value}" if endpoint and endpoint.scheme else ""
    )
    if not to:
        raise BadRequest("the document names no buyer endpoint; give a recipient")
    syntax = syntax_of(document)
    # Refused at once, before anything is stored: the pipeline would only find it later.
    checked = c.validator(document, content_type=XML, kind="invoice")
    if not checked.valid:
        fatal = [f for f in checked.findings if f.get("severity") == "fatal"]
        rules = ", ".join(str(f.get("rule")) for f in fatal[:5])
        raise InvalidDocument(
            f"the document breaks {len(fatal)} rule(s) of {checked.plan}: {rules}",
            findings=checked.findings,
            plan=checked.plan,
        )
    return _record_issued(c, session, actor, invoice, document, to, syntax)


# -- invoice responses ----------------------------------------------------------


def respond_invoice(
    c: Container,
    session: Session,
    *,
    actor: Actor,
    invoice_id: str,
    data: payloads.InvoiceRespond,
) -> InvoiceRecord:
    """A person's Invoice Response (T111) to a received invoice: AP, RE, UQ, PD, …."""
    actor.require(Role.BUYER)
    rec = InvoiceRepository(session, actor.organisation_id).get(invoice_id, for_update=True)
    if rec.side != "received":
        raise NotFound(f"invoice {invoice_id} not found")
    status = InvoiceStatus(data.status)
    reasons: list[StatusReason] = []
    if data.reason or data.note:
        code = StatusReasonCode(data.reason) if data.reason else StatusReasonCode.OTHER
        reasons.append(StatusReason(code=code, text=data.note))
    elif status.needs_reason:
        reasons = reasons_for(rec.reasons or [])
        if not reasons:
            raise BadRequest(f"status {status.value} needs a reason or a note")
    return answer_invoice(
        c, session, actor=actor, rec=rec, status=status, reasons=reasons, note=data.note
    )


_REASON_CODES = {
    "duplicate_number": StatusReasonCode.REFERENCES_INCORRECT,
    "missing_order_reference": StatusReasonCode.REFERENCES_INCORRECT,
    "unknown_order_reference": StatusReasonCode.REFERENCES_INCORRECT,
    "contract_mismatch": StatusReasonCode.REFERENCES_INCORRECT,
    "supplier_mismatch": StatusReasonCode.LEGAL_INFORMATION_INCORRECT,
    "buyer_mismatch": StatusReasonCode.RECEIVER_UNKNOWN,
    "unmatched_line": StatusReasonCode.ITEMS_INCORRECT,
    "item_not_in_contract": StatusReasonCode.ITEMS_INCORRECT,
    "unit_mismatch": StatusReasonCode.QUANTITY_INCORRECT,
    "quantity_above_order": StatusReasonCode.QUANTITY_INCORRECT,
    "price_above_order": StatusReasonCode.PRICES_INCORRECT,
    "price_above_contract": StatusReasonCode.PRICES_INCORRECT,
    "vat_mismatch": StatusReasonCode.FINANCE_INCORRECT,
    "currency_mismatch": StatusReasonCode.FINANCE_INCORRECT,
    "total_outside_tolerance": StatusReasonCode.FINANCE_INCORRECT,
}


def reasons_for(stored: list[dict[str, object]]) -> list[StatusReason]:
    """T111 clarifications for the reasons matching or validation stored on an invoice."""
    out = []
    for reason in stored[:20]:
        code = _REASON_CODES.get(str(reason.get("code")), StatusReasonCode.OTHER)
        term = reason.get("term")
        out.append(
            StatusReason(
                code=code,
                text=str(reason.get("message") or reason.get("code"))[:500],
                term=str(term) if term and str(term).startswith(("BT-", "BG-")) else None,
            )
        )
    return out


def answer_invoice(
    c: Container,
    session: Session,
    *,
    actor: Actor,
    rec: InvoiceRecord,
    status: InvoiceStatus,
    reasons: list[StatusReason],
    note: str | None = None,
) -> InvoiceRecord:
    """Build, record and send an Invoice Response for a received invoice."""
    if rec.response_code == status.value:
        raise Conflict(f"invoice {rec.number} was already answered {status.value}")
    org = _org(session, actor.organisation_id)
    seller_org = _org_by_participant(session, rec.counterparty)
    scheme, _, value = rec.counterparty.partition(":")
    seller = (
        organisation_party(seller_org)
        if seller_org is not None
        else Party(
            name=rec.counterparty, address=Address(country="DK"), endpoint=Identifier(value, scheme)
        )
    )
    response = InvoiceResponse(
        id=f"IR-{uuid.uuid4().hex[:12]}",
        issue_date=c.clock().date(),
        status=status,
        invoice_number=rec.number,
        invoice_type_code="381" if rec.kind == "credit_note" else "380",
        sender=organisation_party(org),
        receiver=seller,
        reasons=tuple(reasons),
        note=note,
    )
    xml = build_invoice_response(response)
    sub = _send(
        c,
        session,
        actor=actor,
        kind="invoice_response",
        to=rec.counterparty,
        xml=xml,
        key=f"invoice-response:{rec.id}:{status.value}",
        ref=rec.number,
    )
    rec.response_code = status.value
    rec.response_submission_id = sub.id
    rec.status = INVOICE_STATUS_NAMES[status]
    _audit(session, actor, "invoicing.invoice.answered", "invoice", rec.id, code=status.value)
    return rec


def set_profile(session: Session, *, actor: Actor, data: payloads.ProfileIn) -> InvoicingProfile:
    """Choose the syntax the organisation receives invoices in (BIS 3 or OIOUBL 2.1)."""
    actor.require(Role.ADMIN, Role.BUYER)
    repo = ProfileRepository(session, actor.organisation_id)
    profile = repo.current() or repo.add(InvoicingProfile(invoice_syntax="bis3"))
    profile.invoice_syntax = data.invoice_syntax
    session.flush()
    _audit(
        session, actor, "invoicing.profile.set", "profile", profile.id, syntax=data.invoice_syntax
    )
    return profile
