"""OCDS 1.1 releases, validated against the official schemas resolved locally."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4

from tendering import ocds
from tendering.lifecycle import TenderStatus

BUYER = ocds.OcdsParty(
    "29189765", "Region Testhavn", ("buyer", "procuringEntity"), country="Denmark"
)
WINNER = ocds.OcdsParty("12345678", "Leverandør A/S", ("supplier", "tenderer"))
OCID = ocds.ocid_for("T-2026-001", prefix="ocds-abc123")
PUBLISHED = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def validators(artefacts_dir: Path) -> dict[str, Draft4Validator]:
    base = artefacts_dir / "ocds-1.1"
    release = json.loads((base / "release-schema-1.1.json").read_text())
    package = json.loads((base / "release-package-schema-1.1.json").read_text())
    # Only these two resources: any other $ref fails instead of reaching the network.
    registry: Registry[Any] = Registry().with_resources(
        [
            (release["id"], DRAFT4.create_resource(release)),
            (package["id"], DRAFT4.create_resource(package)),
        ]
    )
    checker = Draft4Validator.FORMAT_CHECKER
    return {
        "release": Draft4Validator(release, registry=registry, format_checker=checker),
        "package": Draft4Validator(package, registry=registry, format_checker=checker),
    }


def _errors(validator: Draft4Validator, document: dict[str, Any]) -> list[str]:
    # Validate what is published: the serialised JSON, read back with exact decimals.
    published = json.loads(ocds.to_json(document), parse_float=Decimal)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(published)]


def _tender(**over: Any) -> dict[str, Any]:
    info: dict[str, Any] = dict(
        tender_id="T-2026-001",
        title="Rengøring af skoler",
        description="Rammeaftale",
        status=TenderStatus.PUBLISHED,
        category="services",
        award_method="best_price_quality",
        cpv_code="90919300",
        published_at=PUBLISHED,
        deadline=datetime(2026, 3, 20, 11, 0, tzinfo=UTC),
        estimated_value=Decimal("4000000.00"),
    )
    info.update(over)
    return ocds.tender_release(
        ocid=OCID,
        release_id=f"{OCID}-tender-1",
        date=PUBLISHED,
        buyer=BUYER,
        tender=ocds.TenderInfo(**info),
    )


AWARD = ocds.AwardInfo(
    "A-1", "Lot 1", datetime(2026, 4, 1, 10, 0, tzinfo=UTC), Decimal("2300000.50"), [WINNER]
)
CONTRACT = ocds.ContractInfo(
    "C-1",
    "A-1",
    "Lot 1",
    Decimal("2300000.50"),
    datetime(2026, 4, 15, 10, 0, tzinfo=UTC),
    datetime(2026, 5, 1, tzinfo=UTC),
    datetime(2028, 4, 30, tzinfo=UTC),
)


def test_tender_release_is_valid(validators: dict[str, Draft4Validator]) -> None:
    release = _tender()
    assert _errors(validators["release"], release) == []
    assert release["tender"]["status"] == "active"
    assert release["tender"]["awardCriteria"] == "ratedCriteria"
    assert release["tender"]["tenderPeriod"]["endDate"] == "2026-03-20T11:00:00Z"


def test_award_release_is_valid_and_lists_the_supplier(
    validators: dict[str, Draft4Validator],
) -> None:
    release = ocds.award_release(
        ocid=OCID,
        release_id=f"{OCID}-award-1",
        date=AWARD.date,
        buyer=BUYER,
        tender_id="T-2026-001",
        awards=[AWARD],
    )
    assert _errors(validators["release"], release) == []
    roles = {p["id"]: p["roles"] for p in release["parties"]}
    assert roles["DK-CVR-12345678"] == ["supplier", "tenderer"]
    assert release["awards"][0]["suppliers"] == [
        {"id": "DK-CVR-12345678", "name": "Leverandør A/S"}
    ]


def test_contract_release_is_valid(validators: dict[str, Draft4Validator]) -> None:
    release = ocds.contract_release(
        ocid=OCID,
        release_id=f"{OCID}-contract-1",
        date=CONTRACT.date_signed,
        buyer=BUYER,
        tender_id="T-2026-001",
        contracts=[CONTRACT],
    )
    assert _errors(validators["release"], release) == []
    assert release["contracts"][0]["awardID"] == "A-1"


def test_release_package_is_valid(validators: dict[str, Draft4Validator]) -> None:
    releases = [
        _tender(),
        ocds.award_release(
            ocid=OCID,
            release_id=f"{OCID}-award-1",
            date=AWARD.date,
            buyer=BUYER,
            tender_id="T-2026-001",
            awards=[AWARD],
        ),
    ]
    package = ocds.release_package(
        releases,
        uri="https://gateway.example/ocds/T-2026-001.json",
        published_date=datetime(2026, 4, 2, tzinfo=UTC),
        publisher_name="Region Testhavn",
        publisher_scheme="DK-CVR",
        publisher_uid="29189765",
        license="https://creativecommons.org/licenses/by/4.0/",
    )
    assert _errors(validators["package"], package) == []


def test_amounts_are_written_exactly() -> None:
    release = _tender(estimated_value=Decimal("12345678901234567.89"))
    text = ocds.to_json(release).decode()
    assert '"amount":12345678901234567.89' in text
    assert json.loads(text, parse_float=Decimal)["tender"]["value"]["amount"] == Decimal(
        "12345678901234567.89"
    )


def test_text_cannot_pose_as_an_amount() -> None:
    release = _tender(title='decimal-0000:5", "x')
    assert json.loads(ocds.to_json(release))["tender"]["title"] == 'decimal-0000:5", "x'


def test_broken_release_fails_the_schema(validators: dict[str, Draft4Validator]) -> None:
    release = _tender()
    del release["ocid"]
    release["tender"]["status"] = "open-for-business"
    assert len(_errors(validators["release"], release)) == 2


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (TenderStatus.DRAFT, "planning"),
        (TenderStatus.PUBLISHED, "active"),
        (TenderStatus.STANDSTILL, "active"),
        (TenderStatus.AWARDED, "complete"),
        (TenderStatus.CANCELLED, "cancelled"),
        (TenderStatus.UNSUCCESSFUL, "unsuccessful"),
    ],
)
def test_status_maps_to_ocds(status: TenderStatus, expected: str) -> None:
    assert ocds.ocds_tender_status(status) == expected


@pytest.mark.parametrize("prefix", ["ocds-ABC123", "ocds-abc12", "abc123", ""])
def test_bad_ocid_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError):
        ocds.ocid_for("T-1", prefix=prefix)
