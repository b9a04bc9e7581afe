"""Contracts of awarded lots: drawn from the winning bid, signed by both sides (XAdES).

The document both parties sign is the contract's canonical JSON
(:func:`contract_document`); each side sends a detached XAdES signature over
it under the URI ``urn:gateway:contract:<id>``. The buyer signs first, the
supplier countersigns; the signatures are verified against the gateway's
trust store and kept in the blob store.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gateway.errors import Conflict, InvalidDocument, NotFound
from gateway.signing import verify_detached
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from tendering import ocds, payloads
from tendering._common import (
    OCID_PREFIX,
    audit,
    move,
    ocds_party,
    organisation,
    store_document,
    trust_store,
)
from tendering.lifecycle import TenderStatus
from tendering.models import Award, Bid, Contract, Tender
from tendering.repository import ContractRepository, PartyContracts, TenderRepository

if TYPE_CHECKING:
    from gateway.bootstrap import Container

__all__ = [
    "CONTRACT_YEARS",
    "contract_document",
    "contract_uri",
    "create_contracts",
    "get_contract",
    "list_contracts",
    "sign_contract",
]

CONTRACT_YEARS = 2


def contract_uri(contract_id: str) -> str:
    return f"urn:gateway:contract:{contract_id}"


def _lines(bid: Bid, lot_id: str, title: str, currency: str) -> list[dict[str, Any]]:
    offer = (bid.content or {})["lots"][lot_id]
    lines = offer.get("lines") or [
        {"item": title, "unit": "EA", "quantity": "1", "unit_price": offer["price"]}
    ]
    out = []
    for i, line in enumerate(lines, start=1):
        qty = Decimal(str(line["quantity"]))
        price = Decimal(str(line["unit_price"]))
        out.append(
            {
                "line_id": str(i),
                "item": line["item"],
                "unit": line["unit"],
                "quantity": str(qty),
                "unit_price": str(price),
                "currency": currency,
                "value": str((qty * price).quantize(Decimal("0.01"))),
            }
        )
    return out


def create_contracts(
    c: Container, session: Session, *, actor: Actor, tender: Tender, awards: list[Award]
) -> list[Contract]:
    """One contract per awarded lot, with the winning bid's lines and prices."""
    now = c.clock()
    repo = ContractRepository(session, tender.organisation_id)
    out = []
    for a in awards:
        bid = session.get(Bid, a.bid_id)
        assert bid is not None
        lot = next(lot for lot in tender.lots if lot.lot_id == a.lot_id)
        contract = Contract(
            supplier_organisation_id=a.supplier_organisation_id,
            tender_id=tender.id,
            award_id=a.id,
            lot_id=a.lot_id,
            title=f"{tender.title}: {lot.title}",
            value=a.value,
            currency=a.currency,
            lines=_lines(bid, a.lot_id, lot.title, a.currency),
            document_sha256="",
            status="draft",
            starts_at=now,
            ends_at=now + timedelta(days=365 * CONTRACT_YEARS),
            created_at=now,
        )
        repo.add(contract)
        contract.document_sha256 = c.blobs.put(contract_document(session, contract))
        session.flush()
        audit(
            session,
            organisation_id=tender.organisation_id,
            actor=actor,
            action="tendering.contract.created",
            subject_type="contract",
            subject_id=contract.id,
            tender=tender.id,
            lot=a.lot_id,
            value=str(a.value),
            sha256=contract.document_sha256,
        )
        out.append(contract)
    return out


def contract_document(session: Session, contract: Contract) -> bytes:
    """The canonical text of the contract that both parties sign."""
    buyer = organisation(session, contract.organisation_id)
    supplier = organisation(session, contract.supplier_organisation_id)
    doc = {
        "contract_id": contract.id,
        "uri": contract_uri(contract.id),
        "tender_id": contract.tender_id,
        "lot_id": contract.lot_id,
        "title": contract.title,
        "buyer": {"cvr": buyer.cvr, "name": buyer.name},
        "supplier": {"cvr": supplier.cvr, "name": supplier.name},
        "currency": contract.currency,
        "value": str(contract.value),
        "period": {"start": contract.starts_at.isoformat(), "end": contract.ends_at.isoformat()},
        "lines": contract.lines,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _readable(session: Session, organisation_id: str, contract_id: str) -> Contract:
    stmt = select(Contract).where(
        Contract.id == contract_id,
        or_(
            Contract.organisation_id == organisation_id,
            Contract.supplier_organisation_id == organisation_id,
        ),
    )
    contract = session.scalar(stmt)
    if contract is None:
        raise NotFound(f"contract {contract_id} not found")
    return contract


def _view(session: Session, contract: Contract, cls: type[payloads.ContractView]) -> Any:
    buyer = organisation(session, contract.organisation_id)
    supplier = organisation(session, contract.supplier_organisation_id)
    extra: dict[str, Any] = {}
    if cls is payloads.ContractOut:
        extra = {
            "document_sha256": contract.document_sha256,
            "buyer_signer": contract.buyer_signer,
            "buyer_signed_at": contract.buyer_signed_at,
            "supplier_signer": contract.supplier_signer,
            "supplier_signed_at": contract.supplier_signed_at,
        }
    return cls(
        contract_id=contract.id,
        tender_id=contract.tender_id,
        lot_id=contract.lot_id,
        title=contract.title,
        status=contract.status,
        buyer_cvr=buyer.cvr,
        buyer_name=buyer.name,
        supplier_cvr=supplier.cvr,
        supplier_name=supplier.name,
        currency=contract.currency,
        value=contract.value,
        starts_at=contract.starts_at,
        ends_at=contract.ends_at,
        lines=[payloads.ContractLine.model_validate(line) for line in contract.lines],
        **extra,
    )


def get_contract(
    session: Session, *, organisation_id: str, contract_id: str
) -> payloads.ContractView:
    """A contract as its buyer or its supplier may read it (parties, lines, prices)."""
    return _view(session, _readable(session, organisation_id, contract_id), payloads.ContractView)  # type: ignore[no-any-return]


def contract_details(
    session: Session, *, actor: Actor, contract_id: str
) -> tuple[payloads.ContractOut, bytes]:
    """The contract with its signing state, and the document to sign."""
    contract = _readable(session, actor.organisation_id, contract_id)
    return _view(session, contract, payloads.ContractOut), contract_document(session, contract)


def list_contracts(session: Session, *, actor: Actor, tender_id: str) -> list[payloads.ContractOut]:
    tender = TenderRepository(session, actor.organisation_id).get(tender_id)
    return [
        _view(session, k, payloads.ContractOut)
        for k in ContractRepository(session, actor.organisation_id).list(tender.id)
    ]


def party_contracts(
    session: Session, *, actor: Actor, tender_id: str | None = None
) -> list[payloads.ContractOut]:
    """Contracts the caller's organisation is party to (buyer or supplier)."""
    rows = PartyContracts(session, actor.organisation_id).listing(tender_id=tender_id)
    return [_view(session, k, payloads.ContractOut) for k in rows]


def sign_contract(
    c: Container, session: Session, *, actor: Actor, contract_id: str, signature: bytes
) -> payloads.ContractOut:
    """Add the buyer's signature, then the supplier's countersignature; both must verify."""
    contract = _readable(session, actor.organisation_id, contract_id)
    session.refresh(contract, with_for_update=True)
    if contract.organisation_id == actor.organisation_id and Role.BUYER in actor.roles:
        side = "buyer"
        if contract.buyer_signed_at is not None:
            raise Conflict("the buyer has already signed this contract")
    elif (
        contract.supplier_organisation_id == actor.organisation_id and Role.SUPPLIER in actor.roles
    ):
        side = "supplier"
        if contract.buyer_signed_at is None:
            raise Conflict("the buyer signs first; the supplier countersigns")
        if contract.supplier_signed_at is not None:
            raise Conflict("the supplier has already signed this contract")
    else:
        actor.require(Role.BUYER, Role.SUPPLIER)
        raise NotFound(f"contract {contract_id} not found")
    document = contract_document(session, contract)
    result = verify_detached(document, signature, trust_store(c), uri=contract_uri(contract.id))
    if not result.valid:
        raise InvalidDocument(f"the {side}'s signature is refused: {result.reason}")
    digest = c.blobs.put(signature)
    now = c.clock()
    setattr(contract, f"{side}_signature_sha256", digest)
    setattr(contract, f"{side}_signer", result.signer_subject)
    setattr(contract, f"{side}_signed_at", now)
    contract.status = "buyer_signed" if side == "buyer" else "signed"
    session.flush()
    for org_id in (contract.organisation_id, contract.supplier_organisation_id):
        audit(
            session,
            organisation_id=org_id,
            actor=actor,
            action=f"tendering.contract.signed_by_{side}",
            subject_type="contract",
            subject_id=contract.id,
            signer=result.signer_subject,
            signer_fingerprint=result.signer_fingerprint,
            signature_sha256=digest,
            document_sha256=contract.document_sha256,
        )
    if side == "supplier":
        _maybe_complete(c, session, actor, contract)
    return _view(session, contract, payloads.ContractOut)  # type: ignore[no-any-return]


def _maybe_complete(c: Container, session: Session, actor: Actor, contract: Contract) -> None:
    tender = session.get(Tender, contract.tender_id, with_for_update=True)
    assert tender is not None
    contracts = ContractRepository(session, tender.organisation_id).list(tender.id)
    if not all(k.status == "signed" for k in contracts):
        return
    buyer = ocds_party(organisation(session, tender.organisation_id), "buyer", "procuringEntity")
    now = c.clock()
    release = ocds.contract_release(
        ocid=ocds.ocid_for(tender.id, prefix=OCID_PREFIX),
        release_id=f"{tender.id}-contract-{int(now.timestamp())}",
        date=now,
        buyer=buyer,
        tender_id=tender.id,
        contracts=[
            ocds.ContractInfo(
                k.id,
                k.award_id,
                k.title,
                k.value,
                k.supplier_signed_at or now,
                k.starts_at,
                k.ends_at,
                currency=k.currency,
            )
            for k in contracts
        ],
    )
    store_document(
        c,
        session,
        organisation_id=tender.organisation_id,
        tender_id=tender.id,
        kind="ocds_release",
        content_type="application/json",
        public=True,
        data=ocds.to_json(release),
    )
    move(session, tender, TenderStatus.CONTRACT_SIGNED, actor, contracts=[k.id for k in contracts])
