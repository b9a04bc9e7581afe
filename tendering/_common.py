"""Helpers the tendering services share: audit entries, stored documents, parties, keys."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from gateway import webhooks
from gateway.audit.service import record
from gateway.db.base import utcnow
from gateway.signing import (
    KeysExistError,
    KeyStoreError,
    SigningIdentity,
    TrustStore,
    init_keys,
    load_signing_identity,
    load_trust_store,
)
from gateway.signing.keys import KeyPaths
from gateway.tenancy.models import Organisation, Role
from gateway.tenancy.service import Actor
from tendering import lifecycle, payloads
from tendering.documents import PartyRef
from tendering.lifecycle import TenderStatus
from tendering.models import Tender, TenderDocument, TenderLot
from tendering.ocds import OcdsParty

if TYPE_CHECKING:
    from gateway.bootstrap import Container

__all__ = [
    "OCID_PREFIX",
    "audit",
    "buyer_tender",
    "gateway_identity",
    "move",
    "ocds_party",
    "organisation",
    "party",
    "store_document",
    "trust_store",
]

_log = logging.getLogger("tendering")
OCID_PREFIX = "ocds-gwdk01"


def audit(
    session: Session,
    *,
    organisation_id: str,
    actor: Actor | str,
    action: str,
    subject_type: str,
    subject_id: str,
    **data: Any,
) -> None:
    """Append a tendering event to ``organisation_id``'s audit chain (and tell subscribers)."""
    record(
        session,
        organisation_id=organisation_id,
        actor=actor.label if isinstance(actor, Actor) else actor,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        data=data,
    )
    event = _WEBHOOK_EVENTS.get(action)
    if event is not None:
        payload = {f"{subject_type}_id": subject_id}
        for key, name in _WEBHOOK_FIELDS.items():
            if isinstance(data.get(key), str):
                payload[name] = data[key]
        # A publication is public: every organisation subscribed to it hears of it.
        to = None if event in _PUBLIC_EVENTS else organisation_id
        webhooks.emit(session, event, organisation_id=to, data=payload)


_WEBHOOK_FIELDS = {
    "tender": "tender_id",
    "corrigendum": "corrigendum_id",
    "sha256": "sha256",
    "received_at": "received_at",
    "receipt_sha256": "receipt_sha256",
}

_PUBLIC_EVENTS = {"tendering.tender.published"}

# Audited steps an organisation's systems wait on, as the webhook events they raise.
_WEBHOOK_EVENTS = {
    "tendering.tender.published": "tendering.tender.published",
    "tendering.corrigendum.issued": "tendering.corrigendum.published",
    "tendering.corrigendum.notified": "tendering.corrigendum.published",
    "tendering.bid.submitted": "tendering.bid.receipted",
    "tendering.bid.replaced": "tendering.bid.receipted",
    "tendering.tender.awarded": "tendering.award.decided",
}


def organisation(session: Session, organisation_id: str) -> Organisation:
    org = session.get(Organisation, organisation_id)
    assert org is not None, organisation_id
    return org


def party(org: Organisation) -> PartyRef:
    return PartyRef(identifier=org.cvr, name=org.name, endpoint=org.cvr, country="DK")


def ocds_party(org: Organisation, *roles: str) -> OcdsParty:
    return OcdsParty(identifier=org.cvr, name=org.name, roles=roles, country="Denmark")


def store_document(
    c: Container,
    session: Session,
    *,
    organisation_id: str,
    tender_id: str,
    kind: str,
    data: bytes,
    content_type: str,
    public: bool = False,
    recipient_organisation_id: str | None = None,
) -> TenderDocument:
    """Put a document in the blob store and list it under the tender."""
    digest = c.blobs.put(data)
    doc = TenderDocument(
        organisation_id=organisation_id,
        tender_id=tender_id,
        kind=kind,
        recipient_organisation_id=recipient_organisation_id,
        content_type=content_type,
        sha256=digest,
        public=public,
        # Wall-clock storage time (not the business clock): it orders the public feed.
        created_at=utcnow(),
    )
    session.add(doc)
    session.flush()
    return doc


def _key_paths(c: Container) -> KeyPaths:
    return KeyPaths.under(c.settings.effective_keys_dir)


def gateway_identity(c: Container) -> SigningIdentity:
    """The gateway's signing identity for receipts and opening records.

    ``container.extras["signing_identity"]`` wins; otherwise the key directory's
    ``signing.p12``, made as development keys when the directory has none yet.
    """
    given = c.extras.get("signing_identity")
    if isinstance(given, SigningIdentity):
        return given
    paths = _key_paths(c)
    if not paths.signing_p12.exists():
        try:
            init_keys(paths.directory)
            _log.warning("tendering.keys.development", extra={"dir": str(paths.directory)})
        except KeysExistError:
            pass  # another process made them meanwhile
    return load_signing_identity(paths.signing_p12)


def trust_store(c: Container) -> TrustStore:
    """Whose certificates sign contracts: ``extras["trust_store"]`` or the key directory's."""
    given = c.extras.get("trust_store")
    if isinstance(given, TrustStore):
        return given
    paths = _key_paths(c)
    if not paths.trust_store.exists():
        gateway_identity(c)
    if not paths.trust_store.exists():
        raise KeyStoreError(f"no trust store in {paths.directory}")
    return load_trust_store(paths.trust_store)


def buyer_tender(session: Session, actor: Actor, tender_id: str, *, lock: bool = True) -> Tender:
    """The buyer's own tender (locked for the change); another organisation's is a 404."""
    from tendering.repository import TenderRepository

    actor.require(Role.BUYER)
    return TenderRepository(session, actor.organisation_id).get(tender_id, for_update=lock)


def move(
    session: Session, tender: Tender, target: TenderStatus, actor: Actor | str, **data: Any
) -> None:
    """Move the tender through its status machine and audit the step."""
    before = tender.status
    tender.status = lifecycle.ensure_transition(
        TenderStatus(tender.status), target, procedure=tender.procedure
    ).value
    session.flush()
    audit(
        session,
        organisation_id=tender.organisation_id,
        actor=actor,
        action=f"tendering.tender.{target.value}",
        subject_type="tender",
        subject_id=tender.id,
        status_before=before,
        status=tender.status,
        **data,
    )


def lot_payload(lot: TenderLot) -> payloads.Lot:
    """A stored lot as the validated payload (criteria and all)."""
    return payloads.Lot.model_validate(
        {
            "lot_id": lot.lot_id,
            "title": lot.title,
            "description": lot.description,
            "estimated_value": lot.estimated_value,
            "award_method": lot.award_method,
            "criteria": lot.criteria,
        }
    )
