"""The compiled rule engine against Saxon: every official unit test, every example, the mutants.

The gate of ``schemas.compiled``: for each case both engines must fire the same
rules the same number of times (every severity, not only the rules in the
case's scope). A rule that disagrees belongs in ``schemas.compiled.gate.FALLBACK``
until its translation is fixed.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from schemas import plans, xmlsafe
from schemas.compiled import gate, runner
from schemas.report import Finding
from schemas.validation import Validator
from tests.schemas.test_mutants import CASES as MUTANTS
from tests.schemas.vefa_cases import UnitCase, cases_or_empty, installed_artefacts

pytestmark = pytest.mark.conformance

BILLING = plans.resolve("peppol-billing-3@2025.5")
RULES = {r.name: r for r in BILLING.rules}
CONFIGURATIONS = {
    "tc434-ubl": ("EN16931",),
    "peppolbis-en16931-base-3.0-ubl": ("PEPPOL",),
    "peppolbis-en16931-01-3.0-ubl-invoice": ("EN16931", "PEPPOL"),
}
UNIT = cases_or_empty("en16931-ubl-1.3.16", "tests/*-unit-UBL/*.xml") + cases_or_empty(
    "peppol-bis-billing-3", "tests/unit-UBL-*/*.xml"
)


def _examples() -> list[Path]:
    base = installed_artefacts()
    found = list((base / "peppol-bis-billing-3").glob("examples/*.xml"))
    found += (base / "en16931-ubl-1.3.16").glob("examples/*.xml")
    return sorted(found)


EXAMPLES = _examples()


@pytest.fixture(scope="module")
def compiled(artefacts_dir: Path) -> Validator:
    return Validator(artefacts_dir, engine="compiled")


def _fired(findings: list[Finding]) -> Counter[tuple[str, str, str]]:
    return Counter((f.ruleset, f.rule, f.severity) for f in findings)


def test_unit_suites_are_all_here() -> None:
    assert len(UNIT) == 1131 + 543


@pytest.mark.parametrize("case", UNIT, ids=lambda c: c.id)
def test_unit_case_fires_the_same_rules_in_both_engines(
    validator: Validator, compiled: Validator, case: UnitCase
) -> None:
    text = case.document.decode("utf-8")
    tree = xmlsafe.parse(case.document)
    for name in CONFIGURATIONS[case.configuration]:
        saxon = validator.run_rules(RULES[name], text)
        ours = compiled.run_compiled(RULES[name], tree, lambda: text)
        assert _fired(ours) == _fired(saxon)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_official_example_gets_the_same_report(
    validator: Validator, compiled: Validator, path: Path
) -> None:
    data = path.read_bytes()
    saxon = validator.validate(data)
    ours = compiled.validate(data)
    assert (ours.plan, ours.valid) == (saxon.plan, saxon.valid)
    assert _fired(ours.findings) == _fired(saxon.findings)


@pytest.mark.parametrize(("plan", "mutant"), MUTANTS, ids=[f"{p}:{m.id}" for p, m in MUTANTS])
def test_mutant_gets_the_same_report(
    validator: Validator, compiled: Validator, plan: str, mutant
) -> None:
    saxon = validator.validate(mutant.document, plan=plan)
    ours = compiled.validate(mutant.document, plan=plan)
    assert ours.valid == saxon.valid
    assert _fired(ours.fatal) == _fired(saxon.fatal), mutant.change


def test_most_en16931_asserts_run_compiled(artefacts_dir: Path) -> None:
    path = artefacts_dir / RULES["EN16931"].path
    ruleset = runner.cached(
        path,
        name="EN16931",
        fallback=gate.fallback_for("EN16931"),
        cache_dir=artefacts_dir / runner.CACHE_DIR,
    )
    assert ruleset.outcome.compiled >= 950  # of 979; the rest (decimal sums) stay in Saxon
    assert all(reason for reason in ruleset.outcome.where.values())


def test_other_rule_sets_stay_in_saxon_whatever_the_engine() -> None:
    assert not gate.covers("peppol-dk-cius-1.15.0/Schematron/DK-EN16931-UBL.xslt")
    assert gate.covers(RULES["EN16931"].path) and gate.covers(RULES["PEPPOL"].path)


def test_a_document_beyond_the_compiled_size_limit_goes_to_saxon(
    compiled: Validator, artefacts_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schemas import validation

    calls: list[str] = []
    real = Validator.run_rules

    def spy(self: Validator, ruleset: plans.RuleSet, document: object) -> list[Finding]:
        calls.append(ruleset.path)
        return real(self, ruleset, document)  # type: ignore[arg-type]

    monkeypatch.setattr(Validator, "run_rules", spy)
    monkeypatch.setattr(validation, "COMPILED_MAX_ELEMENTS", 10)
    example = artefacts_dir / "peppol-bis-billing-3/examples/base-example.xml"
    assert compiled.validate(example.read_bytes(), plan=BILLING.name).valid
    # The official stylesheets themselves, not the residual ones the compiled path runs.
    assert calls == [r.path for r in BILLING.rules_for("Invoice")]
    monkeypatch.setattr(validation, "COMPILED_MAX_ELEMENTS", 100_000)
    calls.clear()
    assert compiled.validate(example.read_bytes(), plan=BILLING.name).valid
    assert all(runner.CACHE_DIR in path for path in calls) and len(calls) == 2
