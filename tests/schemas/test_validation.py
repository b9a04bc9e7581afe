"""The validation service: verdicts, findings, reports, hardening, threads and fork."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from schemas import engine, plans, xmlsafe
from schemas.validation import Validator, validate

CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"


@pytest.fixture(scope="module")
def examples(artefacts_dir: Path) -> Path:
    return artefacts_dir / "en16931-ubl-1.3.16" / "examples"


def alter_total(data: bytes) -> bytes:
    """The example with its total including VAT raised by 1.00 (BR-CO-15 must fire)."""
    tree = xmlsafe.parse(data)
    total = tree.getroot().find(f"{CAC}LegalMonetaryTotal/{CBC}TaxInclusiveAmount")
    assert total is not None
    total.text = str(Decimal(total.text or "0") + Decimal("1.00"))
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def test_valid_example_is_valid_with_time_per_layer(validator: Validator, examples: Path) -> None:
    report = validator.validate((examples / "ubl-tc434-example1.xml").read_bytes())
    assert report.valid
    assert report.plan == "en16931-ubl"
    assert report.fatal == []
    assert set(report.timings_ms) == {"parse", "xsd", "EN16931"}


def test_altered_totals_fail_br_co_15(validator: Validator, examples: Path) -> None:
    data = alter_total((examples / "ubl-tc434-example1.xml").read_bytes())
    report = validator.validate(data)
    assert not report.valid
    finding = next(f for f in report.findings if f.rule == "BR-CO-15")
    assert finding.severity == "fatal"
    assert finding.ruleset == "EN16931"
    assert finding.location.startswith("/*:Invoice")
    assert "Invoice total amount with VAT" in finding.message


def test_schema_error_is_a_fatal_xsd_finding(validator: Validator, examples: Path) -> None:
    tree = xmlsafe.parse((examples / "ubl-tc434-example1.xml").read_bytes())
    etree.SubElement(tree.getroot(), f"{CBC}NoSuchElement").text = "x"
    report = validator.validate(etree.tostring(tree))
    xsd = [f for f in report.findings if f.rule == "XSD"]
    assert xsd and xsd[0].severity == "fatal"
    assert "NoSuchElement" in xsd[0].message
    assert not report.valid


def test_detection_applies_peppol_rules_and_a_named_plan_overrides(
    validator: Validator, examples: Path
) -> None:
    data = (examples / "issue116.xml").read_bytes()
    detected = validator.validate(data, on=dt.date(2026, 1, 1))
    assert detected.plan == "peppol-billing-3@2025.5"
    assert "PEPPOL-COMMON-R049" in detected.rules_fired("fatal")
    assert validator.validate(data, plan="en16931-ubl").valid


def test_plan_for_another_document_type_is_refused(validator: Validator, examples: Path) -> None:
    data = (examples / "ubl-tc434-example1.xml").read_bytes()
    with pytest.raises(plans.NoPlanError, match="does not cover a Invoice"):
        validator.validate(data, plan="peppol-t01@2025.5")


def test_oioubl_2_1_findings_carry_rule_ids_and_severity(
    validator: Validator, artefacts_dir: Path
) -> None:
    path = artefacts_dir / "oioubl-2.1" / "Eksempelfiler" / "OIOUBL_Invoice_v2p2.xml"
    tree = xmlsafe.parse(path.read_bytes())
    tree.getroot().find(f"{CBC}ProfileID").text = "no-such-profile"  # type: ignore[union-attr]
    report = validator.validate(etree.tostring(tree))
    assert report.plan == "oioubl-2.1"
    assert not report.valid
    fatal = report.fatal[0]
    assert fatal.rule.startswith("F-") and fatal.ruleset == "OIOUBL"
    assert fatal.location.startswith("/")


@pytest.mark.parametrize(
    "hostile",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>',
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        b'<x xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd"/></x>',
    ],
)
def test_hostile_xml_is_refused_before_any_rule_runs(validator: Validator, hostile: bytes) -> None:
    with pytest.raises(xmlsafe.HostileXmlError):
        validator.validate(hostile)


def test_saxon_refuses_document_access_from_a_stylesheet(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_text("<secret>s3cr3t</secret>")
    xsl = tmp_path / "reader.xslt"
    xsl.write_text(
        '<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        f'<xsl:template match="/"><r><xsl:value-of select="doc(\'{secret.as_uri()}\')"/></r>'
        "</xsl:template></xsl:stylesheet>"
    )
    with pytest.raises(engine.EngineError, match="prohibited"):
        engine.stylesheet(xsl).run("<a/>")


def test_missing_rule_set_names_the_file(tmp_path: Path, examples: Path) -> None:
    empty = Validator(tmp_path)
    with pytest.raises(engine.EngineError, match="not installed"):
        empty.validate((examples / "ubl-tc434-example1.xml").read_bytes())


def test_report_renders_as_json_svrl_and_text(validator: Validator, examples: Path) -> None:
    data = alter_total((examples / "ubl-tc434-example1.xml").read_bytes())
    report = validator.validate(data, name="altered.xml")
    as_dict = json.loads(json.dumps(report.to_dict()))
    assert as_dict["valid"] is False and as_dict["plan"] == "en16931-ubl"
    assert any(f["rule"] == "BR-CO-15" and f["severity"] == "fatal" for f in as_dict["findings"])
    svrl = xmlsafe.parse(report.to_svrl()).getroot()
    ids = svrl.xpath(
        "//svrl:failed-assert/@id", namespaces={"svrl": "http://purl.oclc.org/dsdl/svrl"}
    )
    assert "BR-CO-15" in ids
    text = report.to_text()
    assert text.startswith("altered.xml: INVALID (plan en16931-ubl")
    assert "[fatal] BR-CO-15" in text


def test_module_level_validate_uses_the_artefact_directory(
    artefacts_dir: Path, examples: Path
) -> None:
    report = validate((examples / "guide-example1.xml").read_bytes(), artefacts_dir=artefacts_dir)
    assert report.valid and report.plan == "en16931-ubl"


def test_threads_share_compiled_rules_and_agree(validator: Validator, examples: Path) -> None:
    docs = [
        (examples / "issue116.xml").read_bytes(),
        alter_total((examples / "ubl-tc434-example1.xml").read_bytes()),
        (examples / "guide-example2.xml").read_bytes(),
    ]
    day = dt.date(2026, 1, 1)
    expected = [validator.validate(d, on=day).rules_fired() for d in docs]
    results: list[list[list[str]]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append([validator.validate(d, on=day).rules_fired() for d in docs * 3])
        except BaseException as exc:  # pragma: no cover - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results == [expected * 3] * 4


def _fired_in_child(args: tuple[str, bytes]) -> list[str]:
    artefacts, data = args
    return Validator(Path(artefacts)).validate(data, on=dt.date(2026, 1, 1)).rules_fired("fatal")


def test_forked_worker_compiles_its_own_rules(validator: Validator, examples: Path) -> None:
    data = (examples / "issue116.xml").read_bytes()
    in_parent = validator.validate(data, on=dt.date(2026, 1, 1)).rules_fired("fatal")
    with multiprocessing.get_context("fork").Pool(1) as pool:
        in_child = pool.map(_fired_in_child, [(str(validator.artefacts_dir), data)] * 2)
    assert in_child == [in_parent, in_parent]
    assert "PEPPOL-COMMON-R049" in in_parent


def test_text_report_shows_locations_with_prefixes() -> None:
    from schemas.report import short_location

    saxon = (
        "/*:Invoice[namespace-uri()='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'][1]"
        "/*:InvoiceLine[namespace-uri()='urn:oasis:names:specification:ubl:schema:xsd:"
        "CommonAggregateComponents-2'][12]/*:ID[namespace-uri()='urn:oasis:names:"
        "specification:ubl:schema:xsd:CommonBasicComponents-2'][1]"
    )
    assert short_location(saxon) == "/Invoice/cac:InvoiceLine[12]/cbc:ID"


def test_warm_fails_fast_when_rules_are_missing(tmp_path: Path) -> None:
    # A worker warming up at start must fail there, not on its first document.
    with pytest.raises(engine.EngineError, match="not installed"):
        Validator(tmp_path).warm(["en16931-ubl"])
    with pytest.raises(plans.NoPlanError):
        Validator(tmp_path).warm(["no-such-plan"])


def test_warm_then_validate(artefacts_dir: Path, examples: Path) -> None:
    warmed = Validator(artefacts_dir)
    warmed.warm(["en16931-ubl", "peppol-billing-3@2025.5"])
    assert warmed.validate((examples / "guide-example3.xml").read_bytes()).valid


PREAWARD_GUIDES = "peppol-preaward/guides/transactions"


def test_search_and_publish_notice_examples_get_their_official_verdicts(
    validator: Validator, artefacts_dir: Path
) -> None:
    base = artefacts_dir / PREAWARD_GUIDES
    request = validator.validate((base / "T011/files/ExampleSearchNoticeRequest.xml").read_bytes())
    response = validator.validate(
        (base / "T012/files/ExampleSearchNoticeResponse.xml").read_bytes()
    )
    publish = validator.validate((base / "T015/files/ExamplePublishNotice.xml").read_bytes())
    assert (request.plan, response.plan, publish.plan) == (
        "peppol-preaward-t011",
        "peppol-preaward-t012",
        "peppol-preaward-t015",
    )
    assert response.valid and publish.valid
    # The guide's example names version 1.2 of T011; its Schematron still asks for 1.1.
    assert set(request.rules_fired("fatal")) == {"PEPPOL-T011-R011", "PEPPOL-T011-R012"}


_THREADS = """
import re, sys, threading
from pathlib import Path
from schemas.validation import Validator
artefacts = Path(sys.argv[1])
good = (artefacts / "en16931-ubl-1.3.16/examples/ubl-tc434-example1.xml").read_text()
bad = re.sub(r"(<cbc:PayableAmount[^>]*>)[^<]*", r"\\1abc", good, count=1).encode()
validator = Validator(artefacts)
print(validator.validate(good.encode()).valid)
out = []
worker = threading.Thread(target=lambda: out.append(validator.validate(bad).fatal))
worker.start()
worker.join()
print(sorted({f.rule for f in out[0]}))
"""


def test_a_dynamic_error_on_another_thread_does_not_kill_the_process(artefacts_dir: Path) -> None:
    # A web server validates on pool threads; SaxonC's isolate belongs to one thread.
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _THREADS, str(artefacts_dir)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "['RULESET-ERROR',", "'XSD']"]
