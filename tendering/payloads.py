"""Request and response models of the tendering API (pydantic v2).

Input models reuse the pure rules for validation (criteria through
:mod:`tendering.scoring`, deadlines through :mod:`tendering.lifecycle`,
shares through :mod:`tendering.shamir`), so the API refuses with 422 what the
service would refuse later anyway.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import (
    AwareDatetime,
    Base64Bytes,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from tendering import lifecycle, scoring, shamir
from tendering.errors import InvalidCriteria, InvalidShare
from tendering.lifecycle import TenderStatus
from tendering.scoring import AwardMethod, CriterionKind, ScoringMethod

__all__ = [
    "AnswerCreate",
    "AwardOut",
    "BidContent",
    "BidOut",
    "BidPlain",
    "BidReceipt",
    "BidSubmit",
    "CancelRequest",
    "CommitteeMember",
    "CommitteeSet",
    "ContractLine",
    "ContractOut",
    "ContractSign",
    "ContractView",
    "Corrigendum",
    "CorrigendumCreate",
    "Criterion",
    "EvaluatedBid",
    "EvaluationRequest",
    "Lot",
    "LotEvaluation",
    "LotOffer",
    "OfferLine",
    "OpenedBidSummary",
    "OpeningRecord",
    "ParticipationOut",
    "ParticipationRequestSubmit",
    "PublicAnswer",
    "QuestionCreate",
    "QuestionOut",
    "SealedShare",
    "SelectionCreate",
    "ShareSubmit",
    "SupplierKeyRegister",
    "Tender",
    "TenderCreate",
    "TenderUpdate",
    "Timeline",
]

Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
CpvCode = Annotated[str, Field(pattern=r"^[0-9]{8}$")]
ContractNature = Literal["goods", "services", "works"]
Text = Annotated[str, Field(min_length=1, max_length=10_000)]
Name = Annotated[str, Field(min_length=1, max_length=300)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Criterion(_In):
    """An award criterion of a lot and how it is scored."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$")]
    name: Name
    kind: CriterionKind
    weight: Annotated[Decimal, Field(ge=0, le=100)]
    method: ScoringMethod
    description: str | None = None
    max_score: Annotated[Decimal, Field(gt=0)] = Decimal(10)
    scale_max: Annotated[Decimal, Field(gt=0)] = Decimal(10)
    zero_at_percent: Annotated[Decimal, Field(gt=0)] | None = None

    def rule(self) -> scoring.Criterion:
        return scoring.Criterion(
            self.id,
            self.name,
            self.kind,
            self.weight,
            self.method,
            self.max_score,
            self.scale_max,
            self.zero_at_percent,
        )


class Lot(_In):
    lot_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,40}$")]
    title: Name
    description: str | None = None
    estimated_value: Money | None = None
    award_method: AwardMethod
    criteria: Annotated[list[Criterion], Field(min_length=1)]

    def award_criteria(self) -> scoring.AwardCriteria:
        return scoring.AwardCriteria(self.award_method, tuple(c.rule() for c in self.criteria))

    @model_validator(mode="after")
    def _scorable(self) -> Self:
        try:
            self.award_criteria()
        except InvalidCriteria as exc:
            raise ValueError(f"lot {self.lot_id}: {exc.detail}") from exc
        return self


class Timeline(_In):
    """The tender's dates; deadlines are whole seconds (exclusive: see lifecycle).

    ``request_deadline`` (restricted procedure only) closes the requests to
    participate; it lies before the submission deadline.
    """

    deadline: AwareDatetime
    questions_deadline: AwareDatetime | None = None
    request_deadline: AwareDatetime | None = None
    standstill_days: Annotated[int, Field(ge=10, le=60)] = lifecycle.STANDSTILL_DAYS

    @field_validator("deadline")
    @classmethod
    def _whole_second(cls, value: datetime) -> datetime:
        return lifecycle.normalise_deadline(value)

    @field_validator("request_deadline")
    @classmethod
    def _request_whole_second(cls, value: datetime | None) -> datetime | None:
        return None if value is None else lifecycle.normalise_deadline(value)

    @model_validator(mode="after")
    def _questions_first(self) -> Self:
        if self.questions_deadline is not None and self.questions_deadline >= self.deadline:
            raise ValueError("questions must close before the submission deadline")
        if self.request_deadline is not None and self.request_deadline >= self.deadline:
            raise ValueError("requests to participate must close before the submission deadline")
        return self


class _TenderFields(_In):
    title: Name
    description: Text
    contract_nature: ContractNature
    cpv_code: CpvCode
    currency: Currency = "DKK"
    estimated_value: Money | None = None
    procedure: Literal["open", "restricted"] = "open"
    lots: Annotated[list[Lot], Field(min_length=1, max_length=200)]
    timeline: Timeline
    selection_criteria: list[str] = Field(default_factory=list)

    @field_validator("lots")
    @classmethod
    def _unique_lots(cls, lots: list[Lot]) -> list[Lot]:
        if len({lot.lot_id for lot in lots}) != len(lots):
            raise ValueError("lot ids repeat")
        return lots


class TenderCreate(_TenderFields):
    """A new tender (draft); the opening committee is k of n."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reference": "KK-2027-014",
                    "title": "Rengøring af skoler",
                    "description": "Rammeaftale om rengøring af kommunens skoler",
                    "contract_nature": "services",
                    "cpv_code": "90919300",
                    "estimated_value": "1300000.00",
                    "lots": [
                        {
                            "lot_id": "LOT-1",
                            "title": "Skoler nord",
                            "award_method": "lowest_price",
                            "criteria": [
                                {
                                    "id": "price",
                                    "name": "Pris",
                                    "kind": "price",
                                    "weight": "100",
                                    "method": "proportional",
                                }
                            ],
                        }
                    ],
                    "timeline": {
                        "deadline": "2027-03-01T12:00:00+01:00",
                        "questions_deadline": "2027-02-19T12:00:00+01:00",
                    },
                    "opening_threshold": 2,
                    "opening_holders": 3,
                }
            ]
        }
    )

    reference: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-/]{1,60}$")]
    opening_threshold: Annotated[int, Field(ge=1, le=shamir.MAX_SHARES)] = 2
    opening_holders: Annotated[int, Field(ge=1, le=shamir.MAX_SHARES)] = 3
    # Restricted procedure: how many candidates are invited (art. 65(2)).
    min_candidates: Annotated[int, Field(ge=1, le=1000)] | None = None
    max_candidates: Annotated[int, Field(ge=1, le=1000)] | None = None

    @model_validator(mode="after")
    def _threshold(self) -> Self:
        if self.opening_threshold > self.opening_holders:
            raise ValueError("opening_threshold cannot exceed opening_holders")
        return self

    @model_validator(mode="after")
    def _procedure(self) -> Self:
        policy = lifecycle.SelectionPolicy()
        if self.procedure == "open":
            if self.timeline.request_deadline is not None:
                raise ValueError("an open procedure has no deadline for requests to participate")
            if self.min_candidates is not None or self.max_candidates is not None:
                raise ValueError("an open procedure invites no candidates: leave out their numbers")
            return self
        if self.timeline.request_deadline is None:
            raise ValueError("a restricted procedure needs timeline.request_deadline")
        if self.min_candidates is None:
            self.min_candidates = policy.minimum
        if self.min_candidates < policy.minimum:
            raise ValueError(f"a restricted procedure invites at least {policy.minimum} candidates")
        if self.max_candidates is not None and self.max_candidates < self.min_candidates:
            raise ValueError("max_candidates cannot be below min_candidates")
        return self


class TenderUpdate(_In):
    """Changes to a draft (every field optional); after publication use a corrigendum."""

    title: Name | None = None
    description: Text | None = None
    contract_nature: ContractNature | None = None
    cpv_code: CpvCode | None = None
    currency: Currency | None = None
    estimated_value: Money | None = None
    lots: Annotated[list[Lot], Field(min_length=1, max_length=200)] | None = None
    timeline: Timeline | None = None
    selection_criteria: list[str] | None = None


class Tender(_Out):
    id: str
    organisation_id: str
    reference: str
    status: TenderStatus
    title: str
    description: str
    contract_nature: ContractNature
    cpv_code: str
    currency: str
    estimated_value: Decimal | None
    procedure: str
    lots: list[Lot]
    timeline: Timeline
    selection_criteria: list[str]
    opening_threshold: int
    opening_holders: int
    min_candidates: int | None = None
    max_candidates: int | None = None
    public_key: str | None = None  # base64 raw X25519, from publication on
    key_fingerprint: str | None = None
    published_at: datetime | None = None
    standstill_ends: datetime | None = None
    created_at: datetime


class CorrigendumCreate(_In):
    summary: Text
    material: bool
    changes: TenderUpdate = Field(default_factory=TenderUpdate)
    proposed_deadline: AwareDatetime | None = None


class Corrigendum(_Out):
    id: str
    tender_id: str
    issued_at: datetime
    summary: str
    material: bool
    deadline: datetime
    bids_must_be_confirmed: bool


class ParticipationRequestSubmit(_In):
    """A request to participate: the ESPD response (UBL 2.3 QualificationApplicationResponse)."""

    espd_response: Annotated[Base64Bytes, Field(min_length=1, max_length=5_000_000)]


class ParticipationOut(_Out):
    """A request to participate as its supplier (or the buyer, after the request deadline) sees it."""

    id: str
    tender_id: str
    supplier_cvr: str
    received_at: datetime
    espd_sha256: str
    status: str
    decided_at: datetime | None = None
    reason: str | None = None


class SelectionCreate(_In):
    """The buyer's selection: requests invited, and requests that do not qualify (with reasons).

    A request named in neither qualified but was not invited (only allowed once
    the stated minimum of candidates is invited).
    """

    selected: Annotated[list[str], Field(min_length=1)]
    not_qualified: dict[str, Text] = Field(default_factory=dict)


class BidSubmit(_In):
    """A sealed bid: the envelope bytes (base64), hashed exactly as received."""

    lot_ids: Annotated[list[str], Field(min_length=1)]
    envelope: Base64Bytes
    signing_key_fingerprint: str | None = None  # needed when several keys are registered
    replaces_bid_id: str | None = None


class BidReceipt(_Out):
    bid_id: str
    tender_id: str
    supplier_id: str
    received_at: datetime
    envelope_sha256: str
    receipt_document_id: str
    receipt_sha256: str | None = None
    receipt_xml: str | None = None  # the signed UBL TenderReceipt


class OfferLine(_In):
    """One priced line of a lot's offer; becomes a contract line if the bid wins."""

    item: Name
    unit: Annotated[str, Field(min_length=1, max_length=10)] = "EA"  # UN/ECE rec. 20
    quantity: Annotated[Decimal, Field(gt=0)] = Decimal(1)
    unit_price: Money


class LotOffer(_In):
    price: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=2)]
    lines: list[OfferLine] = Field(default_factory=list)


class BidContent(_In):
    """What a supplier seals: an offer per lot, the ESPD response and document hashes."""

    lots: Annotated[dict[str, LotOffer], Field(min_length=1)]
    espd_response: dict[str, str] = Field(default_factory=dict)
    documents: dict[str, str] = Field(default_factory=dict)  # name -> SHA-256 hex


class BidPlain(_In):
    """A bid in plain text, sealed at the API edge (for browser users)."""

    content: BidContent
    replaces_bid_id: str | None = None


class BidOut(_Out):
    id: str
    tender_id: str
    supplier_id: str
    lot_ids: list[str]
    status: str
    envelope_sha256: str
    received_at: datetime
    replaces_bid_id: str | None = None
    confirmed_at: datetime | None = None
    readable: bool | None = None
    signature_valid: bool | None = None
    opening_problem: str | None = None
    content: dict[str, object] | None = None


class CommitteeMember(_In):
    principal_id: Annotated[str, Field(min_length=1, max_length=36)]
    public_key: Annotated[str, Field(min_length=40, max_length=64)]  # base64 raw X25519


class CommitteeSet(_In):
    members: Annotated[list[CommitteeMember], Field(min_length=1, max_length=shamir.MAX_SHARES)]


class SealedShare(_Out):
    tender_id: str
    share_index: int
    sealed_share: str


class QuestionCreate(_In):
    question: Text


class AnswerCreate(_In):
    answer: Text


class QuestionOut(_Out):
    id: str
    tender_id: str
    question: str
    asked_at: datetime
    answer: str | None = None
    answered_at: datetime | None = None


class PublicAnswer(_Out):
    """An answer as published: never names who asked."""

    id: str
    question: str
    answer: str | None
    answered_at: datetime | None


class EvaluationRequest(_In):
    """Evaluators' points per lot, bid and quality criterion (price is scored by its method)."""

    points: dict[str, dict[str, dict[str, Decimal]]] = Field(default_factory=dict)


class CancelRequest(_In):
    reason: Text


class AwardOut(_Out):
    id: str
    tender_id: str
    lot_id: str
    bid_id: str
    value: Decimal
    currency: str
    status: str
    decided_at: datetime
    awarded_at: datetime | None = None


class ContractLine(_Out):
    line_id: str
    item: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    currency: str
    value: Decimal


class ContractView(_Out):
    """A contract as ordering and invoicing read it."""

    contract_id: str
    tender_id: str
    lot_id: str
    title: str
    status: str
    buyer_cvr: str
    buyer_name: str
    supplier_cvr: str
    supplier_name: str
    currency: str
    value: Decimal
    starts_at: datetime
    ends_at: datetime
    lines: list[ContractLine]


class ContractOut(ContractView):
    document_sha256: str
    buyer_signer: str | None = None
    buyer_signed_at: datetime | None = None
    supplier_signer: str | None = None
    supplier_signed_at: datetime | None = None


class ContractSign(_In):
    """A detached XAdES signature over the contract document (``GET .../document``)."""

    signature: Annotated[str, Field(min_length=100, max_length=200_000)]


class ShareSubmit(_In):
    share: Annotated[str, Field(min_length=10, max_length=4_000)]

    @field_validator("share")
    @classmethod
    def _parses(cls, value: str) -> str:
        try:
            shamir.Share.from_text(value)
        except InvalidShare as exc:
            raise ValueError(exc.detail) from exc
        return value

    def parsed(self) -> shamir.Share:
        return shamir.Share.from_text(self.share)


class SupplierKeyRegister(_In):
    public_key_pem: Annotated[str, Field(min_length=40, max_length=2_000)]


class OpenedBidSummary(_Out):
    bid_id: str
    supplier_id: str
    envelope_sha256: str
    readable: bool
    signature_valid: bool | None
    problem: str | None = None


class OpeningRecord(_Out):
    tender_id: str
    opened_at: datetime
    shares_from: list[str]
    bids: list[OpenedBidSummary]


class EvaluatedBid(_Out):
    rank: int
    bid_id: str
    price: Decimal
    total: Decimal
    scores: dict[str, Decimal]
    tied: bool
    abnormally_low: bool


class LotEvaluation(_Out):
    lot_id: str
    method: AwardMethod
    ranking: list[EvaluatedBid]
