"""UBL 2.3 documents of the tendering domain, each valid against the official XSD."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from schemas.xmlsafe import parse
from tendering import documents as docs

Validate = Callable[[bytes, str], list[str]]

CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
BUYER = docs.PartyRef("29189765", "Region Testhavn", endpoint="29189765", country="DK")
SUPPLIER = docs.PartyRef("12345678", "Leverandør A/S")
OTHER = docs.PartyRef("87654321", "Konkurrent ApS")
NOW = datetime(2026, 3, 20, 11, 0, 5, tzinfo=UTC)


def test_tender_receipt_is_valid_and_names_time_and_hash(ubl23: Validate) -> None:
    envelope = b'{"v":1,"ct":"..."}'
    digest = hashlib.sha256(envelope).hexdigest()
    received = datetime(2026, 3, 20, 10, 59, 59, 999000, tzinfo=UTC)
    data = docs.build_tender_receipt(
        receipt_id="R-1",
        tender_reference="T-2026-001",
        issued_at=NOW,
        received_at=received,
        documents=[docs.ReceivedDocument("B-1", digest, file_name="bid.json")],
        sender=BUYER,
        receiver=SUPPLIER,
    )
    assert ubl23(data, "TenderReceipt") == []
    root = parse(data).getroot()
    assert root.findtext(f"{CBC}RegisteredDate") == "2026-03-20"
    assert root.findtext(f"{CBC}RegisteredTime") == "10:59:59.999000Z"
    ref = root.find(f"{CAC}TenderDocumentReference")
    assert ref is not None
    assert ref.findtext(f".//{CBC}DocumentHash") == digest.upper()
    assert ref.findtext(f".//{CBC}HashAlgorithmMethod").endswith("#sha256")  # type: ignore[union-attr]


def test_receipt_refuses_naive_times() -> None:
    with pytest.raises(ValueError):
        docs.build_tender_receipt(
            receipt_id="R-1",
            tender_reference="T",
            issued_at=NOW.replace(tzinfo=None),
            received_at=NOW,
            documents=[docs.ReceivedDocument("B-1", "00" * 32)],
            sender=BUYER,
            receiver=SUPPLIER,
        )


def _notice(**over: object) -> bytes:
    args: dict[str, object] = dict(
        notice_id="N-1",
        tender_reference="T-2026-001",
        issued_at=NOW,
        buyer=BUYER,
        title="Rengøring af skoler",
        description="Rammeaftale om rengøring",
        contract_nature="services",
        cpv_code="90919300",
        deadline=datetime(2026, 4, 30, 10, 0, tzinfo=UTC),
        estimated_value=Decimal("4000000.00"),
        lots=[
            docs.NoticeLot(
                "LOT-0001",
                "Nord",
                estimated_value=Decimal("2500000.00"),
                criteria=[
                    docs.NoticeCriterion("Pris", "price", Decimal("60")),
                    docs.NoticeCriterion("Kvalitet", "quality", Decimal("40"), "Plan for kvalitet"),
                ],
            ),
            docs.NoticeLot("LOT-0002", "Syd"),
        ],
    )
    args.update(over)
    return docs.build_contract_notice(**args)  # type: ignore[arg-type]


def test_contract_notice_is_valid(ubl23: Validate) -> None:
    data = _notice()
    assert ubl23(data, "ContractNotice") == []
    root = parse(data).getroot()
    end = root.find(f"{CAC}TenderingProcess/{CAC}TenderSubmissionDeadlinePeriod")
    assert end is not None
    assert (end.findtext(f"{CBC}EndDate"), end.findtext(f"{CBC}EndTime")) == (
        "2026-04-30",
        "10:00:00Z",
    )
    weights = root.findall(f".//{CAC}AwardingCriterion/{CBC}WeightNumeric")
    assert [w.text for w in weights] == ["60", "40"]
    assert len(root.findall(f"{CAC}ProcurementProjectLot")) == 2


def test_restricted_notice_calls_for_requests_and_states_the_candidates(ubl23: Validate) -> None:
    requests_close = datetime(2026, 4, 10, 10, 0, 0, tzinfo=UTC)
    data = _notice(
        procedure_code="restricted",
        request_deadline=requests_close,
        min_candidates=5,
        max_candidates=8,
    )
    assert ubl23(data, "ContractNotice") == []
    process = parse(data).getroot().find(f"{CAC}TenderingProcess")
    assert process is not None
    assert process.findtext(f"{CBC}ProcedureCode") == "restricted"
    period = process.find(f"{CAC}ParticipationRequestReceptionPeriod")
    assert period is not None and period.findtext(f"{CBC}EndDate") == "2026-04-10"
    short_list = process.find(f"{CAC}EconomicOperatorShortList")
    assert short_list is not None
    assert short_list.findtext(f"{CBC}MinimumQuantity") == "5"
    assert short_list.findtext(f"{CBC}MaximumQuantity") == "8"


def test_corrigendum_notice_points_to_the_previous_version(ubl23: Validate) -> None:
    data = _notice(version="2", previous_version="1")
    assert ubl23(data, "ContractNotice") == []
    assert parse(data).getroot().findtext(f"{CBC}PreviousVersionID") == "1"


def _result(**over: object) -> docs.LotResult:
    args: dict[str, object] = dict(
        lot_id="LOT-0001",
        awarded_at=NOW,
        received_tenders=3,
        winner=SUPPLIER,
        winning_amount=Decimal("2300000.00"),
    )
    args.update(over)
    return docs.LotResult(**args)  # type: ignore[arg-type]


def test_awarded_notification_is_valid(ubl23: Validate) -> None:
    data = docs.build_awarded_notification(
        notification_id="AN-1",
        tender_reference="T-2026-001",
        issued_at=NOW,
        sender=BUYER,
        receiver=SUPPLIER,
        results=[_result()],
        standstill_ends=datetime(2026, 3, 30, 23, 0, tzinfo=UTC),
    )
    assert ubl23(data, "AwardedNotification") == []
    root = parse(data).getroot()
    assert root.findtext(f".//{CAC}LegalMonetaryTotal/{CBC}PayableAmount") == "2300000.00"
    assert "2026-03-30T23:00:00+00:00" in (root.findtext(f"{CBC}Note") or "")


def test_unawarded_notification_is_valid_and_tells_the_rank(ubl23: Validate) -> None:
    data = docs.build_unawarded_notification(
        notification_id="UN-1",
        tender_reference="T-2026-001",
        issued_at=NOW,
        sender=BUYER,
        receiver=OTHER,
        results=[_result(rank=2, reason="Lower quality score")],
        standstill_ends=datetime(2026, 3, 30, 23, 0, tzinfo=UTC),
    )
    assert ubl23(data, "UnawardedNotification") == []
    root = parse(data).getroot()
    descriptions = [d.text for d in root.iter(f"{CBC}Description")]
    assert "Your tender ranked 2 of 3" in descriptions
    winner = root.find(f".//{CAC}WinningParty//{CBC}ID")
    assert winner is not None and winner.text == SUPPLIER.identifier


def _espd(artefacts_dir: Path, **over: object) -> bytes:
    args: dict[str, object] = dict(
        artefacts_dir=artefacts_dir,
        request_id="ESPD-1",
        tender_reference="T-2026-001",
        issued_at=NOW,
        buyer=BUYER,
        project_description="Rengøring af skoler",
        lot_ids=["LOT-0001", "LOT-0002"],
        selection=["gen-year-to", "service-perform"],
    )
    args.update(over)
    return docs.build_espd_request(**args)  # type: ignore[arg-type]


def test_espd_request_is_valid_with_exclusion_and_selection(
    ubl23: Validate, artefacts_dir: Path
) -> None:
    data = _espd(artefacts_dir)
    assert ubl23(data, "QualificationApplicationRequest") == []
    root = parse(data).getroot()
    codes = [c.text for c in root.iter(f"{CBC}CriterionTypeCode")]
    taxonomy = docs.criterion_taxonomy(artefacts_dir)
    exclusion = [c.code for c in taxonomy if c.kind == "exclusion"]
    assert set(exclusion) <= set(codes)
    assert {"gen-year-to", "service-perform"} <= set(codes)
    assert "spec-aver-to" not in codes  # a selection criterion not chosen


def test_espd_selection_criteria_name_our_lots(artefacts_dir: Path) -> None:
    root = parse(_espd(artefacts_dir)).getroot()
    for criterion in root.iter(f"{CAC}TenderingCriterion"):
        refs = [
            r.findtext(f"{CBC}ID")
            for r in criterion.findall(f"{CAC}ProcurementProjectLotReference")
        ]
        assert refs in ([], ["LOT-0001", "LOT-0002"])
    texts = [t.strip() for t in root.itertext()]
    assert "LOT-0000" not in texts
    turnover = next(
        c
        for c in root.iter(f"{CAC}TenderingCriterion")
        if c.findtext(f"{CBC}CriterionTypeCode") == "gen-year-to"
    )
    asked = [e.text for e in turnover.iter(f"{CBC}ExpectedID")]
    assert asked == ["LOT-0001", "LOT-0002"]


def test_espd_narrower_exclusion_list(ubl23: Validate, artefacts_dir: Path) -> None:
    data = _espd(artefacts_dir, exclusion=["crime-org", "corruption"], selection=[])
    assert ubl23(data, "QualificationApplicationRequest") == []
    codes = {c.text for c in parse(data).getroot().iter(f"{CBC}CriterionTypeCode")}
    assert {"crime-org", "corruption"} <= codes
    assert "fraud" not in codes


@pytest.mark.parametrize("selection", [["no-such-criterion"], ["crime-org"]])
def test_espd_refuses_unknown_or_misplaced_criteria(
    artefacts_dir: Path, selection: list[str]
) -> None:
    with pytest.raises(ValueError):
        _espd(artefacts_dir, selection=selection)
