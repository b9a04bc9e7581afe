"""``gateway notice eforms``: a contract notice built offline that the SDK's own rules accept."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from gateway.cli import app
from schemas.validation import Validator
from tendering.eforms import Buyer, NoticeBuildError, build_contract_notice, load_sdk
from tendering.payloads import TenderCreate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "eforms"
ISSUED = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)
runner = CliRunner()


def _tender(**changes: object) -> TenderCreate:
    doc = tomllib.loads((EXAMPLES / "tender.toml").read_text(encoding="utf-8"))
    doc.update(changes)
    return TenderCreate.model_validate(doc)


def _buyer() -> Buyer:
    return Buyer.model_validate(tomllib.loads((EXAMPLES / "buyer.toml").read_text("utf-8")))


@pytest.fixture(scope="module")
def validator(artefacts_dir: Path) -> Validator:
    return Validator(artefacts_dir)


@pytest.fixture(scope="module")
def notice(artefacts_dir: Path) -> bytes:
    return build_contract_notice(_tender(), _buyer(), artefacts_dir=artefacts_dir, issued=ISSUED)


def test_open_contract_notice_passes_the_sdk_schema_and_rules(
    validator: Validator, notice: bytes
) -> None:
    report = validator.validate(notice, plan="eforms-sdk-1-static")
    assert [f"{f.rule} {f.location}" for f in report.findings if f.severity == "fatal"] == []


def test_a_two_lot_notice_passes_too(validator: Validator, artefacts_dir: Path) -> None:
    lots = _tender().model_dump(mode="json")["lots"]
    second = {**lots[0], "lot_id": "south", "title": "Skoler syd"}
    tender = _tender(lots=[lots[0], second])
    xml = build_contract_notice(tender, _buyer(), artefacts_dir=artefacts_dir, issued=ISSUED)
    report = validator.validate(xml, plan="eforms-sdk-1-static")
    assert [f"{f.rule} {f.location}" for f in report.findings if f.severity == "fatal"] == []
    assert etree.fromstring(xml).xpath("count(//*[local-name()='ProcurementProjectLot'])") == 2


def test_every_field_the_sdk_makes_mandatory_for_subtype_16_is_in_the_notice(
    artefacts_dir: Path, notice: bytes
) -> None:
    sdk = load_sdk(artefacts_dir)
    mandatory = sdk.mandatory("16")
    assert len(mandatory) == 47  # from fields.json, so a new SDK shows up here
    root = etree.fromstring(notice)
    ns = {k: v for k, v in root.nsmap.items() if k}
    for f in mandatory:
        xpath = f.raw["xpathAbsolute"]
        if "(" in xpath and "not(" not in xpath:
            continue  # XPath 2 expressions lxml cannot evaluate
        try:
            found = root.xpath(xpath, namespaces=ns)
        except etree.XPathEvalError:
            continue
        assert found, f"{f.id} ({f.name}) missing at {xpath}"


def test_notice_carries_the_tender_in_its_fields(notice: bytes) -> None:
    root = etree.fromstring(notice)
    ns = {k: v for k, v in root.nsmap.items() if k}
    assert root.findtext("cbc:CustomizationID", namespaces=ns) == "eforms-sdk-1.15"
    assert root.xpath("string(cac:ProcurementProject/cbc:Name)", namespaces=ns) == (
        "Rengøring af kommunens skoler"
    )
    lot = "cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']"
    assert root.xpath(f"{lot}/cbc:ID/text()", namespaces=ns) == ["LOT-0001"]
    end = root.xpath(
        f"string({lot}/cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/cbc:EndTime)",
        namespaces=ns,
    )
    assert end == "11:00:00Z"  # 12:00 Copenhagen time in the tender file


def test_a_restricted_tender_calls_for_requests_to_participate(
    validator: Validator, artefacts_dir: Path
) -> None:
    tender = _tender(
        reference="KK-2027-002",
        procedure="restricted",
        min_candidates=5,
        max_candidates=8,
        timeline={
            "deadline": "2027-03-01T12:00:00+01:00",
            "request_deadline": "2027-02-01T12:00:00+01:00",
        },
    )
    xml = build_contract_notice(tender, _buyer(), artefacts_dir=artefacts_dir, issued=ISSUED)
    report = validator.validate(xml, plan="eforms-sdk-1-static")
    assert [f"{f.rule} {f.location}" for f in report.findings if f.severity == "fatal"] == []
    root = etree.fromstring(xml)
    ns = {k: v for k, v in root.nsmap.items() if k}
    assert root.xpath("string(cac:TenderingProcess/cbc:ProcedureCode)", namespaces=ns) == (
        "restricted"
    )
    lot = "cac:ProcurementProjectLot/cac:TenderingProcess"
    assert (
        root.xpath(
            f"string({lot}/cac:ParticipationRequestReceptionPeriod/cbc:EndTime)", namespaces=ns
        )
        == "11:00:00Z"
    )
    # The tenders' deadline is not in a restricted notice: candidates learn it when invited.
    assert not root.xpath(f"{lot}/cac:TenderSubmissionDeadlinePeriod", namespaces=ns)


def test_an_unsupported_subtype_is_refused(artefacts_dir: Path) -> None:
    with pytest.raises(NoticeBuildError, match="subtype 29"):
        build_contract_notice(
            _tender(), _buyer(), artefacts_dir=artefacts_dir, subtype="29", issued=ISSUED
        )


def test_cli_writes_a_checked_notice(artefacts_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GW_ARTEFACTS_DIR", str(artefacts_dir))
    out = tmp_path / "cn.xml"
    args = ["notice", "eforms", "--tender", str(EXAMPLES / "tender.toml")]
    args += ["--buyer", str(EXAMPLES / "buyer.toml"), "--subtype", "16", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert etree.fromstring(out.read_bytes()).tag.endswith("}ContractNotice")


def test_cli_names_the_missing_buyer_field(tmp_path: Path) -> None:
    buyer = tmp_path / "buyer.toml"
    text = (EXAMPLES / "buyer.toml").read_text("utf-8")
    buyer.write_text(text.split("[review_body]")[0], encoding="utf-8")
    out = tmp_path / "cn.xml"
    args = ["notice", "eforms", "--tender", str(EXAMPLES / "tender.toml")]
    args += ["--buyer", str(buyer), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "review_body" in result.output
    assert not out.exists()


def test_cli_refuses_an_unsupported_subtype_as_usage(tmp_path: Path) -> None:
    args = ["notice", "eforms", "--tender", str(EXAMPLES / "tender.toml")]
    args += ["--buyer", str(EXAMPLES / "buyer.toml"), "--subtype", "99", "--out", "x.xml"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "99" in result.output
