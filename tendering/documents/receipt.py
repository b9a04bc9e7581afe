"""UBL 2.3 TenderReceipt: the gateway's acknowledgement of a received (sealed) bid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tendering.documents._ubl import (
    SHA256_URI,
    PartyRef,
    cac,
    cbc,
    date_time,
    head,
    party,
    root,
    to_bytes,
)

__all__ = ["ReceivedDocument", "build_tender_receipt"]


@dataclass(frozen=True, slots=True)
class ReceivedDocument:
    """What was received: its id and the SHA-256 (hex) of the exact bytes."""

    document_id: str
    sha256: str
    # UNCL 1001: 13 = tender (a sealed bid is received as a whole)
    type_code: str = "13"
    file_name: str | None = None


def build_tender_receipt(
    *,
    receipt_id: str,
    tender_reference: str,
    issued_at: datetime,
    received_at: datetime,
    documents: list[ReceivedDocument],
    sender: PartyRef,
    receiver: PartyRef,
) -> bytes:
    """The receipt: when the bid was registered and the hash of each received document."""
    if not documents:
        raise ValueError("a receipt names at least one received document")
    el = root("TenderReceipt")
    head(el, document_id=receipt_id, contract_folder_id=tender_reference, issued_at=issued_at)
    # The exact instant, not rounded: it is the evidence that the bid beat the deadline.
    date_time(el, "Registered", received_at, exact=True)
    for doc in documents:
        ref = cac(el, "TenderDocumentReference")
        cbc(ref, "ID", doc.document_id)
        cbc(ref, "DocumentTypeCode", doc.type_code, listID="UNCL1001")
        ext = cac(cac(ref, "Attachment"), "ExternalReference")
        cbc(ext, "DocumentHash", doc.sha256.upper())
        cbc(ext, "HashAlgorithmMethod", SHA256_URI)
        if doc.file_name:
            cbc(ext, "FileName", doc.file_name)
    party(el, "SenderParty", sender)
    party(el, "ReceiverParty", receiver)
    return to_bytes(el)
