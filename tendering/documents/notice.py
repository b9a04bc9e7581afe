"""UBL 2.3 ContractNotice: the call for competition of a published tender."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from lxml import etree

from tendering.documents._ubl import PartyRef, amount, cac, cbc, head, party, root, to_bytes, utc

__all__ = ["NoticeCriterion", "NoticeLot", "build_contract_notice"]

# eForms authority tables (publications.europa.eu/resource/authority/...)
_AWARD_CRITERION_LIST = "http://publications.europa.eu/resource/authority/award-criterion-type"
_PROCEDURE_LIST = "http://publications.europa.eu/resource/authority/procurement-procedure-type"
_CONTRACT_NATURE_LIST = "http://publications.europa.eu/resource/authority/contract-nature"


@dataclass(frozen=True, slots=True)
class NoticeCriterion:
    """An award criterion as announced: ``type_code`` is price, cost or quality."""

    name: str
    type_code: str
    weight: Decimal
    description: str | None = None


@dataclass(frozen=True, slots=True)
class NoticeLot:
    lot_id: str
    title: str
    description: str | None = None
    estimated_value: Decimal | None = None
    criteria: Sequence[NoticeCriterion] = field(default_factory=tuple)


def _period_end(parent: etree._Element, name: str, moment: datetime) -> None:
    moment = utc(moment)
    period = cac(parent, name)
    cbc(period, "EndDate", moment.date().isoformat())
    cbc(period, "EndTime", moment.strftime("%H:%M:%SZ"))


def build_contract_notice(
    *,
    notice_id: str,
    tender_reference: str,
    issued_at: datetime,
    buyer: PartyRef,
    title: str,
    description: str,
    contract_nature: str,
    cpv_code: str,
    deadline: datetime,
    lots: Sequence[NoticeLot],
    currency: str = "DKK",
    estimated_value: Decimal | None = None,
    procedure_code: str = "open",
    request_deadline: datetime | None = None,
    min_candidates: int | None = None,
    max_candidates: int | None = None,
    language: str = "DAN",
    version: str = "1",
    previous_version: str | None = None,
) -> bytes:
    """A contract notice; a corrigendum is a new version with ``previous_version`` set.

    ``request_deadline`` (restricted procedure) ends the reception of requests to
    participate; ``min_candidates``/``max_candidates`` state how many are invited.
    """
    el = root("ContractNotice")
    head(el, document_id=notice_id, contract_folder_id=tender_reference, issued_at=issued_at)
    cbc(el, "VersionID", version)
    if previous_version:
        cbc(el, "PreviousVersionID", previous_version)
    cbc(el, "RegulatoryDomain", "32014L0024")  # CELEX of Directive 2014/24/EU
    cbc(el, "NoticeTypeCode", "cn-standard", listName="notice-subtype")
    cbc(el, "NoticeLanguageCode", language)
    party(cac(el, "ContractingParty"), "Party", buyer)
    process = cac(el, "TenderingProcess")
    cbc(process, "ProcedureCode", procedure_code, listName=_PROCEDURE_LIST)
    _period_end(process, "TenderSubmissionDeadlinePeriod", deadline)
    if request_deadline is not None:
        # Restricted procedure: the call for requests to participate (art. 28(1)).
        _period_end(process, "ParticipationRequestReceptionPeriod", request_deadline)
    if min_candidates is not None:
        # Art. 65(2): the notice states how many candidates will be invited.
        short_list = cac(process, "EconomicOperatorShortList")
        if max_candidates is not None:
            cbc(short_list, "MaximumQuantity", max_candidates)
        cbc(short_list, "MinimumQuantity", min_candidates)
    project = cac(el, "ProcurementProject")
    cbc(project, "ID", tender_reference)
    cbc(project, "Name", title, languageID=language)
    cbc(project, "Description", description, languageID=language)
    cbc(project, "ProcurementTypeCode", contract_nature, listName=_CONTRACT_NATURE_LIST)
    if estimated_value is not None:
        total = cac(project, "RequestedTenderTotal")
        amount(total, "EstimatedOverallContractAmount", estimated_value, currency)
    main = cac(project, "MainCommodityClassification")
    cbc(main, "ItemClassificationCode", cpv_code, listName="cpv")
    for lot in lots:
        lot_el = cac(el, "ProcurementProjectLot")
        cbc(lot_el, "ID", lot.lot_id, schemeName="Lot")
        if lot.criteria:
            terms = cac(cac(lot_el, "TenderingTerms"), "AwardingTerms")
            for c in lot.criteria:
                crit = cac(terms, "AwardingCriterion")
                cbc(crit, "AwardingCriterionTypeCode", c.type_code, listName=_AWARD_CRITERION_LIST)
                cbc(crit, "Name", c.name, languageID=language)
                if c.description:
                    cbc(crit, "Description", c.description, languageID=language)
                cbc(crit, "WeightNumeric", c.weight)
        lot_project = cac(lot_el, "ProcurementProject")
        cbc(lot_project, "Name", lot.title, languageID=language)
        if lot.description:
            cbc(lot_project, "Description", lot.description, languageID=language)
        if lot.estimated_value is not None:
            total = cac(lot_project, "RequestedTenderTotal")
            amount(total, "EstimatedOverallContractAmount", lot.estimated_value, currency)
    return to_bytes(el)
