"""Official test suites and examples, one test id per official case.

Unit tests follow the vefa semantics described in the artefacts README; examples
run the way their own repository's CI runs them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from schemas import plans
from schemas.validation import Validator
from tests.schemas.vefa_cases import UnitCase, cases_or_empty, installed_artefacts

pytestmark = pytest.mark.conformance

# The rule releases the official suites were written for.
BEFORE_2026_5 = dt.date(2026, 1, 1)

BILLING = plans.resolve("peppol-billing-3@2025.5")
BILLING_RULES = {r.name: r for r in BILLING.rules}
CONFIGURATIONS = {
    "tc434-ubl": ("EN16931",),
    "peppolbis-en16931-base-3.0-ubl": ("PEPPOL",),
    "peppolbis-en16931-01-3.0-ubl-invoice": ("EN16931", "PEPPOL"),
}

EN_CASES = cases_or_empty("en16931-ubl-1.3.16", "tests/*-unit-UBL/*.xml")
PEPPOL_CASES = cases_or_empty("peppol-bis-billing-3", "tests/unit-UBL-*/*.xml")
ORDERING_CASES = cases_or_empty("peppol-bis-ordering-3", "rules/unit-*/*.xml")


def _files(set_name: str, *patterns: str) -> list[Path]:
    base = installed_artefacts() / set_name
    found: set[Path] = set()
    for pattern in patterns:
        found.update(p for p in base.glob(pattern) if p.is_file() and p.suffix.lower() == ".xml")
    return sorted(found)


def _id(path: Path) -> str:
    return path.relative_to(installed_artefacts()).as_posix()


def _run(validator: Validator, case: UnitCase, rulesets: tuple[plans.RuleSet, ...]) -> None:
    text = case.document.decode("utf-8")
    findings = [f for r in rulesets for f in validator.run_rules(r, text)]
    problems = case.mismatches(findings)
    assert not problems, "; ".join(problems)


@pytest.mark.parametrize("case", EN_CASES + PEPPOL_CASES, ids=lambda c: c.id)
def test_billing_unit_case(validator: Validator, case: UnitCase) -> None:
    rulesets = tuple(BILLING_RULES[name] for name in CONFIGURATIONS[case.configuration])
    _run(validator, case, rulesets)


def test_billing_unit_suite_is_complete() -> None:
    assert (len(EN_CASES), len(PEPPOL_CASES)) == (1131, 543)


def _ordering_rules(configuration: str) -> tuple[plans.RuleSet, ...]:
    tx = configuration.split("-")[1].upper()  # "peppolbis-t01-base-3.0" -> "T01"
    return plans.resolve(f"peppol-{tx.lower()}@2025.5").rules


def test_ordering_unit_suite_is_complete() -> None:
    assert len(ORDERING_CASES) == 586


@pytest.mark.parametrize("case", ORDERING_CASES, ids=lambda c: c.id)
def test_ordering_unit_case(validator: Validator, case: UnitCase) -> None:
    _run(validator, case, _ordering_rules(case.configuration))


# --- examples -----------------------------------------------------------------

EN_EXAMPLES = _files("en16931-ubl-1.3.16", "examples/*", "tests/testfiles/*")
PEPPOL_EXAMPLES = _files(
    "peppol-bis-billing-3", "examples/*", "snippets/*", "national-examples/*/*"
)
ORDERING_EXAMPLES = _files("peppol-bis-ordering-3", "rules/examples/**/*", "rules/snippets/**/*")
OIOUBL_EXAMPLES = _files("oioubl-2.1", "Eksempelfiler/*") + _files(
    "oioubl-3.0.1", "*/example-files/*"
)
DK_EXAMPLES = _files("peppol-dk-cius-1.15.0", "Example-files/*")
ESPD_EXAMPLES = _files("espd-4.1", "*")


def test_example_sets_are_complete() -> None:
    # A set that shrank (a changed glob, an artefact installed half) must not pass silently.
    counts = {
        "en16931": len(EN_EXAMPLES),
        "peppol-billing": len(PEPPOL_EXAMPLES),
        "peppol-ordering": len(ORDERING_EXAMPLES),
        "oioubl": len(OIOUBL_EXAMPLES),
        "peppol-dk": len(DK_EXAMPLES),
        "espd": len(ESPD_EXAMPLES),
    }
    assert counts == {
        "en16931": 48,
        "peppol-billing": 27,
        "peppol-ordering": 82,
        "oioubl": 28,
        "peppol-dk": 19,
        "espd": 3,
    }


def _fatal(report_findings: list) -> list[str]:
    return [f"{f.rule}: {f.message[:120]}" for f in report_findings if f.severity == "fatal"]


@pytest.mark.parametrize("path", EN_EXAMPLES, ids=_id)
def test_en16931_example(validator: Validator, path: Path) -> None:
    # The EN 16931 repository checks its examples against UBL 2.1 and its own rules only.
    report = validator.validate(path.read_bytes(), plan="en16931-ubl")
    assert report.valid, _fatal(report.findings)


@pytest.mark.parametrize("path", PEPPOL_EXAMPLES, ids=_id)
def test_peppol_billing_example(validator: Validator, path: Path) -> None:
    # Each repository's CI runs its examples through its own rule set only: here the
    # Peppol Schematron, no XSD (two Greek national examples break UBL element order
    # and one lacks the seller name, which only the CEN rules check).
    text = path.read_bytes().decode("utf-8")
    findings = validator.run_rules(BILLING_RULES["PEPPOL"], text)
    assert not _fatal(findings), _fatal(findings)


@pytest.mark.parametrize("path", ORDERING_EXAMPLES, ids=_id)
def test_peppol_ordering_example(validator: Validator, path: Path) -> None:
    report = validator.validate(path.read_bytes(), on=BEFORE_2026_5)
    assert report.plan.endswith("@2025.5")
    assert report.valid, _fatal(report.findings)


@pytest.mark.parametrize("path", OIOUBL_EXAMPLES, ids=_id)
def test_oioubl_example_has_no_fatal_finding(validator: Validator, path: Path) -> None:
    report = validator.validate(path.read_bytes())
    assert report.plan.startswith("oioubl-")
    assert report.valid, _fatal(report.findings)


@pytest.mark.parametrize("path", DK_EXAMPLES, ids=_id)
def test_dk_cius_example_has_no_fatal_finding(validator: Validator, path: Path) -> None:
    data = path.read_bytes()
    plan = "en16931-cii" if b"CrossIndustryInvoice" in data[:2000] else "peppol-dk-cius"
    report = validator.validate(data, plan=plan)
    assert report.valid, _fatal(report.findings)


@pytest.mark.parametrize("path", ESPD_EXAMPLES, ids=_id)
def test_espd_example_is_valid_ubl_2_3(validator: Validator, path: Path) -> None:
    report = validator.validate(path.read_bytes())
    assert report.plan == "ubl-2.3"
    assert report.valid, _fatal(report.findings)


def test_2026_5_peppol_rules_differ_from_the_suite_only_on_dk_r_003(validator: Validator) -> None:
    # The harness must notice a changed rule: the May 2026 rules make DK-R-003 fatal.
    newer = {r.name: r for r in plans.resolve("peppol-billing-3@2026.5").rules}
    rulesets = {**BILLING_RULES, "PEPPOL": newer["PEPPOL"]}
    failing = []
    for case in PEPPOL_CASES:
        text = case.document.decode("utf-8")
        names = CONFIGURATIONS[case.configuration]
        findings = [f for n in names for f in validator.run_rules(rulesets[n], text)]
        problems = case.mismatches(findings)
        if problems:
            failing.append(case.id)
            assert all(p.startswith("DK-R-003 ") for p in problems), problems
    assert len(failing) == 3, failing
