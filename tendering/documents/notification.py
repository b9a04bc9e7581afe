"""UBL 2.3 AwardedNotification and UnawardedNotification sent to each bidder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from lxml import etree

from tendering.documents._ubl import (
    PartyRef,
    amount,
    cac,
    cbc,
    date_time,
    head,
    party,
    root,
    to_bytes,
    utc,
)

__all__ = ["LotResult", "build_awarded_notification", "build_unawarded_notification"]

_WINNER_STATUS_LIST = "http://publications.europa.eu/resource/authority/winner-selection-status"


@dataclass(frozen=True, slots=True)
class LotResult:
    """The outcome of one lot as told to a bidder."""

    lot_id: str
    awarded_at: datetime
    received_tenders: int
    winner: PartyRef
    winning_amount: Decimal
    currency: str = "DKK"
    rank: int | None = None  # the receiver's rank, for an unawarded bidder
    reason: str | None = None


def _results(el: etree._Element, results: list[LotResult], *, selected: bool) -> None:
    if not results:
        raise ValueError("a notification reports at least one lot")
    for r in results:
        tr = cac(el, "TenderResult")
        cbc(tr, "AwardID", r.lot_id)
        cbc(tr, "TenderResultCode", "selec-w", listID=_WINNER_STATUS_LIST)
        if r.reason:
            cbc(tr, "Description", r.reason)
        if not selected and r.rank is not None:
            # Art. 55(2): an unsuccessful tenderer may learn how its tender compared.
            cbc(tr, "Description", f"Your tender ranked {r.rank} of {r.received_tenders}")
        date_time(tr, "Award", r.awarded_at)
        cbc(tr, "ReceivedTenderQuantity", r.received_tenders)
        cbc(tr, "ReceivedElectronicTenderQuantity", r.received_tenders)
        project = cac(tr, "AwardedTenderedProject")
        cbc(cac(project, "ProcurementProjectLot"), "ID", r.lot_id)
        total = cac(project, "LegalMonetaryTotal")
        amount(total, "PayableAmount", r.winning_amount, r.currency)
        winning = cac(tr, "WinningParty")
        cbc(winning, "Rank", 1)
        party(winning, "Party", r.winner)


def build_awarded_notification(
    *,
    notification_id: str,
    tender_reference: str,
    issued_at: datetime,
    sender: PartyRef,
    receiver: PartyRef,
    results: list[LotResult],
    standstill_ends: datetime | None = None,
) -> bytes:
    """Tell the winner of one or more lots; names the standstill end when there is one."""
    el = root("AwardedNotification")
    head(el, document_id=notification_id, contract_folder_id=tender_reference, issued_at=issued_at)
    if standstill_ends is not None:
        cbc(el, "Note", f"Standstill period ends {utc(standstill_ends).isoformat()}")
    party(el, "SenderParty", sender)
    party(el, "ReceiverParty", receiver)
    _results(el, results, selected=True)
    return to_bytes(el)


def build_unawarded_notification(
    *,
    notification_id: str,
    tender_reference: str,
    issued_at: datetime,
    sender: PartyRef,
    receiver: PartyRef,
    results: list[LotResult],
    standstill_ends: datetime,
) -> bytes:
    """Tell an unsuccessful bidder who won, why, and when the standstill period ends."""
    el = root("UnawardedNotification")
    head(el, document_id=notification_id, contract_folder_id=tender_reference, issued_at=issued_at)
    cbc(el, "Note", f"Standstill period ends {utc(standstill_ends).isoformat()}")
    party(el, "SenderParty", sender)
    party(el, "ReceiverParty", receiver)
    _results(el, results, selected=False)
    return to_bytes(el)
