"""UBL 2.3 pre-award documents the tendering domain issues."""

from tendering.documents._ubl import PartyRef
from tendering.documents.espd import EspdCriterion, build_espd_request, criterion_taxonomy
from tendering.documents.notice import NoticeCriterion, NoticeLot, build_contract_notice
from tendering.documents.notification import (
    LotResult,
    build_awarded_notification,
    build_unawarded_notification,
)
from tendering.documents.receipt import ReceivedDocument, build_tender_receipt

__all__ = [
    "EspdCriterion",
    "LotResult",
    "NoticeCriterion",
    "NoticeLot",
    "PartyRef",
    "ReceivedDocument",
    "build_awarded_notification",
    "build_contract_notice",
    "build_espd_request",
    "build_tender_receipt",
    "build_unawarded_notification",
    "criterion_taxonomy",
]
