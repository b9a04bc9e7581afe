"""Sealed bids: receive, receipt, withdraw, replace, confirm; supplier keys.

The time of receipt is read from the clock first thing and compared with the
deadline there and then: whether the scheduler has closed the tender yet
does not matter. Each bid's envelope goes into the blob store by its SHA-256,
a row of the kernel's submission table records it as an inbound document with
the hash of the signed receipt, and the supplier gets a signed UBL
TenderReceipt. The buyer's audit chain learns that *a* bid arrived (its hash
and time), not from whom: that waits for the opening.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.errors import BadRequest, Conflict
from gateway.pipeline.models import Submission
from gateway.signing import sign_ubl
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from tendering import lifecycle, payloads, sealing
from tendering._common import audit, gateway_identity, organisation, party
from tendering.documents import ReceivedDocument, build_tender_receipt
from tendering.errors import InvalidTransition, WrongTender
from tendering.models import Bid, BidStatus, SupplierKey, Tender
from tendering.repository import PublicTenders, SupplierBids, SupplierKeyRepository
from tendering.selection import ensure_invited

if TYPE_CHECKING:
    from gateway.bootstrap import Container

__all__ = [
    "Received",
    "confirm_bid",
    "own_bid",
    "register_supplier_key",
    "seal_at_edge",
    "submission_for",
    "submit_bid",
    "supplier_bids",
    "supplier_key_fingerprint",
    "tender_public_key",
    "withdraw_bid",
]


@dataclass(frozen=True, slots=True)
class Received:
    bid: Bid
    receipt_xml: bytes


def supplier_key_fingerprint(key: Ed25519PublicKey) -> str:
    """Hex SHA-256 of the raw Ed25519 public key."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def tender_public_key(tender: Tender) -> X25519PublicKey:
    if not tender.public_key:
        raise InvalidTransition("the tender has no opening key: it is not published")
    return X25519PublicKey.from_public_bytes(base64.b64decode(tender.public_key))


def register_supplier_key(session: Session, *, actor: Actor, public_key_pem: str) -> SupplierKey:
    """Register the Ed25519 key a supplier signs its bids with (idempotent)."""
    actor.require(Role.SUPPLIER)
    key = sealing.load_supplier_public_key(public_key_pem.encode())
    fingerprint = supplier_key_fingerprint(key)
    repo = SupplierKeyRepository(session, actor.organisation_id)
    existing = repo.by_fingerprint(fingerprint)
    if existing is not None:
        return existing
    row = repo.add(
        SupplierKey(
            public_key_pem=sealing.supplier_public_key_pem(key).decode(), fingerprint=fingerprint
        )
    )
    audit(
        session,
        organisation_id=actor.organisation_id,
        actor=actor,
        action="tendering.supplier_key.registered",
        subject_type="supplier_key",
        subject_id=row.id,
        fingerprint=fingerprint,
    )
    return row


def _open_tender(
    session: Session, tender_id: str, *, now: object, action: str, actor: Actor
) -> Tender:
    tender = PublicTenders(session).get(tender_id)
    # The clock decides first: a late bid is "too late" even if the tender also moved on.
    lifecycle.ensure_bid_window_open(now=now, deadline=tender.deadline, action=action)  # type: ignore[arg-type]
    if tender.status != lifecycle.bidding_status(tender.procedure):
        raise InvalidTransition(f"the tender is {tender.status}: it takes no bids")
    # Restricted: only the selected candidates; the refusal names nobody else.
    ensure_invited(session, actor=actor, tender=tender)
    return tender


def _signing_key(session: Session, actor: Actor, fingerprint: str | None) -> SupplierKey:
    repo = SupplierKeyRepository(session, actor.organisation_id)
    if fingerprint:
        key = repo.by_fingerprint(fingerprint)
        if key is None or key.revoked_at is not None:
            raise BadRequest(f"no registered signing key with fingerprint {fingerprint}")
        return key
    keys = repo.active()
    if len(keys) != 1:
        raise BadRequest(
            "register a signing key first" if not keys else "name the signing_key_fingerprint used"
        )
    return keys[0]


def submit_bid(
    c: Container,
    session: Session,
    *,
    actor: Actor,
    tender_id: str,
    envelope: bytes,
    lot_ids: list[str],
    signing_key_fingerprint: str | None = None,
    replaces_bid_id: str | None = None,
) -> Received:
    """Receive a sealed bid before the deadline and answer with a signed TenderReceipt."""
    now = c.clock()  # the time of receipt, taken before anything else
    actor.require(Role.SUPPLIER)
    tender = _open_tender(session, tender_id, now=now, action="bid", actor=actor)
    sealed = sealing.SealedEnvelope.from_bytes(envelope)
    if sealed.tender_id != tender.id or sealed.key_fingerprint != tender.key_fingerprint:
        raise WrongTender("the bid is sealed for another tender or opening key")
    if sealed.supplier_id != actor.organisation_cvr:
        raise BadRequest(f"the envelope names supplier {sealed.supplier_id}, not you")
    try:
        bid_id = str(uuid.UUID(sealed.bid_id))
    except ValueError:
        raise BadRequest("the envelope's bid id must be a UUID") from None
    if session.get(Bid, bid_id) is not None:
        raise Conflict(f"bid id {bid_id} is already in use; seal with a fresh id")
    lots = {lot.lot_id for lot in tender.lots}
    unknown = sorted(set(lot_ids) - lots)
    if unknown:
        raise BadRequest(f"the tender has no lot {', '.join(unknown)}")
    key = _signing_key(session, actor, signing_key_fingerprint)
    mine = SupplierBids(session, actor.organisation_id)
    replaced = None
    if replaces_bid_id:
        replaced = mine.get(replaces_bid_id, for_update=True)
        if replaced.tender_id != tender.id or replaced.status != BidStatus.SUBMITTED:
            raise Conflict(f"bid {replaces_bid_id} is not a current bid on this tender")
    digest = c.blobs.put(envelope)
    buyer = organisation(session, tender.organisation_id)
    supplier = organisation(session, actor.organisation_id)
    receipt = build_tender_receipt(
        receipt_id=f"TR-{bid_id}",
        tender_reference=tender.reference,
        issued_at=now,
        received_at=now,
        documents=[ReceivedDocument(bid_id, digest, file_name="bid.sealed")],
        sender=party(buyer),
        receiver=party(supplier),
    )
    signed = sign_ubl(receipt, gateway_identity(c))
    receipt_digest = c.blobs.put(signed)
    sub = Submission(
        organisation_id=actor.organisation_id,
        kind="tender_bid",
        direction="inbound",
        sender=actor.organisation_cvr,
        recipient=buyer.cvr,
        channel=None,
        endpoint=None,
        content_type="application/json",
        payload_hash=digest,
        payload_size=len(envelope),
        status="acknowledged",
        next_attempt_at=None,
        message_id=f"{bid_id}@tendering",
        receipt_hash=receipt_digest,
        reference=tender.reference,
        created_at=now,
        delivered_at=now,
        acknowledged_at=now,
    )
    session.add(sub)
    session.flush()
    bid = mine.add(
        Bid(
            id=bid_id,
            buyer_organisation_id=tender.organisation_id,
            tender_id=tender.id,
            supplier_id=actor.organisation_cvr,
            lot_ids=sorted(set(lot_ids)),
            status=BidStatus.SUBMITTED,
            envelope_sha256=digest,
            envelope_size=len(envelope),
            received_at=now,
            replaces_bid_id=replaced.id if replaced else None,
            receipt_submission_id=sub.id,
            receipt_sha256=receipt_digest,
            signing_key_fingerprint=key.fingerprint,
        )
    )
    if replaced is not None:
        replaced.status = BidStatus.REPLACED
        replaced.withdrawn_at = now
    audit(
        session,
        organisation_id=actor.organisation_id,
        actor=actor,
        action="tendering.bid.replaced" if replaced else "tendering.bid.submitted",
        subject_type="bid",
        subject_id=bid.id,
        tender=tender.id,
        sha256=digest,
        received_at=now.isoformat(),
        receipt_sha256=receipt_digest,
        replaces=replaced.id if replaced else None,
    )
    # The buyer's chain: the exact time and the hash, and nothing about who.
    audit(
        session,
        organisation_id=tender.organisation_id,
        actor="tendering receipt",
        action="tendering.bid.received",
        subject_type="tender",
        subject_id=tender.id,
        sha256=digest,
        received_at=now.isoformat(),
    )
    return Received(bid, signed)


def seal_at_edge(
    c: Container,
    session: Session,
    *,
    actor: Actor,
    tender_id: str,
    content: payloads.BidContent,
    replaces_bid_id: str | None = None,
) -> Received:
    """Seal a plaintext bid at the API edge (browser users), then receive it.

    The supplier has no signing key of its own here: a one-time key is made,
    registered for the supplier and forgotten after signing, so the signature
    says "received from this authenticated supplier at the edge".
    """
    actor.require(Role.SUPPLIER)
    tender = _open_tender(session, tender_id, now=c.clock(), action="bid", actor=actor)
    one_time = sealing.new_supplier_key()
    key = register_supplier_key(
        session, actor=actor, public_key_pem=sealing.supplier_public_key_pem(one_time).decode()
    )
    plaintext = json.dumps(content.model_dump(mode="json"), sort_keys=True).encode()
    bid_id = str(uuid.uuid4())
    sealed = sealing.seal_bid(
        plaintext,
        tender_id=tender.id,
        supplier_id=actor.organisation_cvr,
        bid_id=bid_id,
        tender_public_key=tender_public_key(tender),
        signing_key=one_time,
    )
    del one_time, plaintext
    received = submit_bid(
        c,
        session,
        actor=actor,
        tender_id=tender.id,
        envelope=sealed.to_bytes(),
        lot_ids=sorted(content.lots),
        signing_key_fingerprint=key.fingerprint,
        replaces_bid_id=replaces_bid_id,
    )
    # Retired at once: it verifies this bid at the opening and signs nothing else.
    key.revoked_at = c.clock()
    session.flush()
    return received


def _own_bid(session: Session, actor: Actor, bid_id: str) -> Bid:
    actor.require(Role.SUPPLIER)
    return SupplierBids(session, actor.organisation_id).get(bid_id, for_update=True)


def withdraw_bid(c: Container, session: Session, *, actor: Actor, bid_id: str) -> Bid:
    """Withdraw one's own bid before the deadline."""
    now = c.clock()
    bid = _own_bid(session, actor, bid_id)
    _open_tender(session, bid.tender_id, now=now, action="withdrawal", actor=actor)
    if bid.status != BidStatus.SUBMITTED:
        raise Conflict(f"bid {bid.id} is {bid.status}")
    bid.status = BidStatus.WITHDRAWN
    bid.withdrawn_at = now
    session.flush()
    audit(
        session,
        organisation_id=actor.organisation_id,
        actor=actor,
        action="tendering.bid.withdrawn",
        subject_type="bid",
        subject_id=bid.id,
        tender=bid.tender_id,
        at=now.isoformat(),
    )
    tender = PublicTenders(session).get(bid.tender_id)
    audit(
        session,
        organisation_id=tender.organisation_id,
        actor="tendering receipt",
        action="tendering.bid.withdrawn",
        subject_type="tender",
        subject_id=tender.id,
        sha256=bid.envelope_sha256,
        at=now.isoformat(),
    )
    return bid


def confirm_bid(c: Container, session: Session, *, actor: Actor, bid_id: str) -> Bid:
    """Confirm a bid after a material corrigendum (else it is not opened)."""
    now = c.clock()
    bid = _own_bid(session, actor, bid_id)
    _open_tender(session, bid.tender_id, now=now, action="confirmation", actor=actor)
    if bid.status != BidStatus.SUBMITTED:
        raise Conflict(f"bid {bid.id} is {bid.status}")
    bid.confirmed_at = now
    session.flush()
    audit(
        session,
        organisation_id=actor.organisation_id,
        actor=actor,
        action="tendering.bid.confirmed",
        subject_type="bid",
        subject_id=bid.id,
        tender=bid.tender_id,
    )
    return bid


def supplier_bids(session: Session, *, actor: Actor, tender_id: str) -> list[Bid]:
    """The supplier's own bids on a tender (never anyone else's)."""
    actor.require(Role.SUPPLIER)
    return list(SupplierBids(session, actor.organisation_id).for_tender(tender_id))


def own_bid(session: Session, *, actor: Actor, bid_id: str) -> Bid:
    actor.require(Role.SUPPLIER)
    return SupplierBids(session, actor.organisation_id).get(bid_id)


def submission_for(session: Session, bid: Bid) -> Submission | None:
    if bid.receipt_submission_id is None:
        return None
    return session.scalar(select(Submission).where(Submission.id == bid.receipt_submission_id))
