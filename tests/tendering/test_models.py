"""The tendering tables: created from the shared metadata, values come back as stored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import gateway.pipeline.models
import gateway.tenancy.models as tenancy
from gateway.db.base import Base
from gateway.db.session import make_engine
from tendering import models

assert gateway.pipeline.models  # the bids table refers to submissions


@pytest.fixture()
def session() -> Iterator[Session]:
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


def _tender(org: str, reference: str = "T-1") -> models.Tender:
    return models.Tender(
        organisation_id=org,
        reference=reference,
        title="Rengøring",
        description="Rammeaftale",
        contract_nature="services",
        cpv_code="90919300",
        estimated_value=Decimal("4000000.55"),
        deadline=datetime(2026, 3, 20, 11, 0, tzinfo=UTC),
        opening_threshold=2,
        opening_holders=3,
        lots=[
            models.TenderLot(
                organisation_id=org,
                position=1,
                lot_id="LOT-0001",
                title="Nord",
                award_method="lowest_price",
                criteria=[{"id": "price", "kind": "price", "weight": "100"}],
            )
        ],
    )


def test_tender_with_lots_round_trips(session: Session) -> None:
    org = tenancy.Organisation(cvr="29189765", name="Region Testhavn")
    session.add(org)
    session.flush()
    session.add(_tender(org.id))
    session.commit()
    session.expunge_all()
    tender = session.scalars(select(models.Tender)).one()
    assert tender.status == "draft"
    assert tender.estimated_value == Decimal("4000000.55")
    assert tender.deadline == datetime(2026, 3, 20, 11, 0, tzinfo=UTC)
    assert tender.deadline.tzinfo is not None
    assert [lot.lot_id for lot in tender.lots] == ["LOT-0001"]
    assert tender.public_key is None  # no opening key before publication


def test_reference_is_unique_per_buyer(session: Session) -> None:
    a = tenancy.Organisation(cvr="29189765", name="A")
    b = tenancy.Organisation(cvr="12345678", name="B")
    session.add_all([a, b])
    session.flush()
    session.add_all([_tender(a.id), _tender(b.id)])
    session.flush()
    session.add(_tender(a.id))
    with pytest.raises(IntegrityError):
        session.flush()


def test_the_same_envelope_cannot_be_filed_twice(session: Session) -> None:
    buyer = tenancy.Organisation(cvr="29189765", name="Buyer")
    supplier = tenancy.Organisation(cvr="12345678", name="Supplier")
    session.add_all([buyer, supplier])
    session.flush()
    tender = _tender(buyer.id)
    session.add(tender)
    session.flush()

    def bid() -> models.Bid:
        return models.Bid(
            organisation_id=supplier.id,
            buyer_organisation_id=buyer.id,
            tender_id=tender.id,
            supplier_id="12345678",
            lot_ids=["LOT-0001"],
            envelope_sha256="ab" * 32,
            envelope_size=100,
            received_at=datetime(2026, 3, 19, 10, 0, tzinfo=UTC),
        )

    session.add(bid())
    session.flush()
    session.add(bid())
    with pytest.raises(IntegrityError):
        session.flush()
