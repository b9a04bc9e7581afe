"""The eForms SDK's example notices against the SVRL reports the SDK ships, one test id each.

The SDK's reports were made with the static rules, running the phase named for the
notice's subtype (``eforms-16``); we run every pattern at once, which fires the same
asserts because each subtype's rules carry a ``$noticeSubType`` predicate.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from schemas import plans
from schemas.report import Finding, findings_from_svrl
from schemas.validation import Validator
from tests.schemas.eforms_known import KNOWN_EXTRA
from tests.schemas.vefa_cases import installed_artefacts

pytestmark = pytest.mark.conformance

EXAMPLES = installed_artefacts() / plans.EFORMS_SDK / "examples"
# The mirror leaves out files of 4 MiB or more, so the 100-lot example has no report.
NOTICES = sorted(
    p
    for p in (EXAMPLES / "notices").glob("*.xml")
    if (EXAMPLES / "reports" / f"{p.stem}.svrl").is_file()
)


def _steps(location: str) -> str:
    # Saxon writes /*:Name[namespace-uri()='…'][1], the SDK's reports /pin:Name: compare names.
    bare = re.sub(r"\[[^\]]*\]", "", location)
    return re.sub(r"(^|/)(?:\*|[\w.-]+):", r"\1", bare)


def _fired(findings: list[Finding]) -> Counter[tuple[str, str, str]]:
    return Counter((f.rule, f.severity, _steps(f.location)) for f in findings)


def test_every_example_with_a_report_is_a_case() -> None:
    assert len(NOTICES) == 91
    assert len(list((EXAMPLES / "notices").glob("*.xml"))) == 92


@pytest.mark.parametrize("notice", NOTICES, ids=lambda p: p.stem)
def test_example_fires_the_rules_of_its_report(validator: Validator, notice: Path) -> None:
    expected = _fired(
        findings_from_svrl(
            (EXAMPLES / "reports" / f"{notice.stem}.svrl").read_bytes(), ruleset="eForms"
        )
    )
    got = _fired(validator.run_rules(plans.EFORMS_STATIC, notice.read_text(encoding="utf-8")))
    assert expected - got == Counter(), "rules of the SDK's report that did not fire"
    extra = {rule for rule, _, _ in got - expected}
    assert extra == KNOWN_EXTRA.get(notice.stem, frozenset())


def test_known_extra_firings_name_only_examples_that_exist() -> None:
    assert set(KNOWN_EXTRA) <= {p.stem for p in NOTICES}


@pytest.mark.parametrize(
    "notice", [p for p in NOTICES if not p.stem.startswith("INVALID_")], ids=lambda p: p.stem
)
def test_valid_example_passes_the_eforms_schema(validator: Validator, notice: Path) -> None:
    report = validator.validate(notice.read_bytes(), plan="eforms-sdk-1-static")
    assert [f.message for f in report.findings if f.rule == "XSD"] == []


def test_detection_picks_eforms_by_customization_id(validator: Validator) -> None:
    notice = (EXAMPLES / "notices" / "cn_24_minimal.xml").read_bytes()
    report = validator.validate(notice, on=dt.date(2026, 12, 4))
    assert report.plan == "eforms-sdk-1"
    # The example was dispatched years ago: only the dynamic dispatch-date rule objects.
    assert {(f.rule, f.ruleset) for f in report.findings if f.severity == "fatal"} == {
        ("D-0001", "eForms-dynamic")
    }


_TINY = """<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">
  <pattern id="p">
    <rule context="Item/@code">
      <assert id="CODE-DIGITS" role="ERROR" test="matches(., '^[0-9]{2,}$')">two digits</assert>
    </rule>
  </pattern>
</schema>"""


@pytest.mark.parametrize("fixups", [True, False], ids=["repaired", "as-published"])
def test_skeleton_repairs_fire_attribute_rules_with_brace_regexes(
    artefacts_dir: Path, tmp_path: Path, fixups: bool
) -> None:
    from schemas import engine, schematron

    sch = tmp_path / "tiny.sch"
    sch.write_text(_TINY, encoding="utf-8")
    out = schematron.compile_schematron(
        sch, tmp_path / "tiny.xslt", iso_dir=artefacts_dir / "iso-schematron", fixups=fixups
    )
    if not fixups:
        # The published skeleton yields XSLT Saxon refuses: {2,} inside an AVT.
        with pytest.raises(engine.EngineError):
            engine.stylesheet(out)
        return
    svrl = engine.stylesheet(out).run('<Doc><Item code="7"/><Item code="42"/></Doc>')
    fired = findings_from_svrl(svrl, ruleset="tiny")
    assert [(f.rule, f.location) for f in fired] == [("CODE-DIGITS", "/Doc[1]/Item[1]/@code")]
