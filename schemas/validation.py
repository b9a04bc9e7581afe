"""Validate a document: hardened parse, plan detection, XSD, then each rule set in order."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from itertools import islice
from pathlib import Path

import saxonche
from lxml import etree

from schemas import dynamic, engine, plans, xbrl, xmlsafe
from schemas.compiled import gate, runner
from schemas.compiled.functions import NeedsReference
from schemas.report import (
    RULESET_ERROR,
    Finding,
    ValidationReport,
    findings_from_oioubl,
    findings_from_svrl,
)

__all__ = ["COMPILED_MAX_ELEMENTS", "ENGINES", "Validator", "ruleset_error_finding", "validate"]

# "saxon": the official stylesheets as published. "compiled": the gated rules run over the
# lxml tree, the rest (and every schema-invalid document) in Saxon; see schemas.compiled.
ENGINES = ("saxon", "compiled")

_CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


# Above this many elements the compiled engine hands the document to Saxon.
COMPILED_MAX_ELEMENTS = 20_000


def _elements_at_most(tree: etree._ElementTree, limit: int) -> bool:
    return next(islice(tree.iter(), limit, None), None) is None


def _customization(root: etree._Element, ns: str) -> str:
    if ns in (plans.EBRS_QUERY, plans.EBRS_LCM):
        for slot in root.iterchildren(f"{{{plans.EBRS_RIM}}}Slot"):
            if slot.get("name") == "SpecificationIdentification":
                return " ".join("".join(slot.itertext()).split())
        return ""
    return root.findtext(f"{_CBC}CustomizationID") or ""


def _xsd_findings(errors: Iterable[etree._LogEntry], ruleset: str) -> list[Finding]:
    return [
        Finding(
            rule="XSD",
            severity="fatal",
            location=getattr(e, "path", None) or f"line {e.line}",
            message=f"{e.message} (line {e.line})",
            ruleset=ruleset,
        )
        for e in errors
    ]


def ruleset_error_finding(ruleset: str, exc: engine.RuleRunError) -> Finding:
    """The finding for a rule set that stopped: code, offending value, assert and context."""
    err = dynamic.parse_saxon_error(exc.saxon)
    at = dynamic.rule_at(exc.path, err.line)
    where = f" in {at.rule}" if at.rule else ""
    if at.context:
        where += f" (context {at.context})"
    message = (
        f"rule set {ruleset} stopped with {err.code}{where}: {err.message}; "
        "its remaining rules did not run"
    )
    return Finding(
        rule=RULESET_ERROR,
        severity="fatal",
        location=at.context or "/",
        message=message,
        ruleset=ruleset,
        test=at.rule or "",
        code=err.code,
        value=err.value,
    )


class Validator:
    """Validates documents against the installed artefacts; compiled rules are shared per process."""

    def __init__(
        self,
        artefacts_dir: Path,
        *,
        limits: xmlsafe.XmlLimits = xmlsafe.DEFAULT_LIMITS,
        today: Callable[[], dt.date] = _today,
        engine: str = "saxon",
    ) -> None:
        if engine not in ENGINES:
            raise ValueError(f"unknown rule engine {engine!r}; choose one of {', '.join(ENGINES)}")
        self.engine = engine
        self.artefacts_dir = Path(artefacts_dir).resolve()
        self.limits = limits
        self._today = today

    def choose(
        self, tree: etree._ElementTree, *, plan: str | None = None, on: dt.date | None = None
    ) -> plans.Plan:
        """The plan for a parsed document: the named one, or the one detection picks."""
        root = tree.getroot()
        ns, local = _split(root.tag)
        day = on or self._today()
        if plan is None:
            found = plans.detect(
                ns,
                local,
                _customization(root, ns),
                root.findtext(f"{_CBC}ProfileID") or "",
                root.findtext(f"{_CBC}UBLVersionID") or "",
            )
            plan = found.family
        chosen = plans.resolve(plan, on=day)
        if not chosen.applies_to(local):
            raise plans.NoPlanError(
                f"plan {chosen.name} does not cover a {local} document; it covers "
                + ", ".join(chosen.roots)
            )
        return chosen

    def validate(
        self,
        xml: bytes,
        *,
        plan: str | None = None,
        on: dt.date | None = None,
        schema: bool = True,
        name: str = "",
    ) -> ValidationReport:
        """Validate bytes; hostile or malformed XML raises ``xmlsafe.XmlError`` before any rule runs."""
        started = time.perf_counter()
        tree = xmlsafe.parse(xml, limits=self.limits)
        parsed = time.perf_counter()
        report = self.validate_tree(tree, plan=plan, on=on, schema=schema, name=name)
        report.timings_ms = {"parse": (parsed - started) * 1000, **report.timings_ms}
        return report

    def validate_tree(
        self,
        tree: etree._ElementTree,
        *,
        plan: str | None = None,
        on: dt.date | None = None,
        schema: bool = True,
        name: str = "",
    ) -> ValidationReport:
        """Validate a tree that came from ``schemas.xmlsafe`` (never from a plain lxml parse)."""
        if plan is None and xbrl.is_filing(tree.getroot()):
            # An XBRL or Inline XBRL filing: its taxonomy package is the plan, Arelle the engine.
            xml = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
            return xbrl.validate_filing(
                xml, tree.getroot(), artefacts_dir=self.artefacts_dir, name=name
            )
        chosen = self.choose(tree, plan=plan, on=on)
        local = _split(tree.getroot().tag)[1]
        report = ValidationReport(plan=chosen.name, document=name)
        xsd = chosen.schema_for(local)
        if schema and xsd:
            t0 = time.perf_counter()
            xsd_schema = engine.schema(self.artefacts_dir / xsd)
            report.findings.extend(_xsd_findings(xsd_schema.errors(tree), "XSD"))
            report.timings_ms["xsd"] = (time.perf_counter() - t0) * 1000
        rules = chosen.rules_for(local)
        # A schema-invalid document is where XPath 2.0 raises dynamic errors: Saxon decides.
        # So does a large one: rules with // inside make the compiled batch quadratic
        # (bench/validate.py --large: 8 MB took 92 s compiled against 7 s in Saxon).
        use_compiled = (
            self.engine == "compiled"
            and not report.findings
            and _elements_at_most(tree, COMPILED_MAX_ELEMENTS)
        )
        saxon_node: list[saxonche.PyXdmNode] = []

        def node() -> saxonche.PyXdmNode:
            # One Saxon tree per document, shared by every rule set of the plan, built when needed.
            if not saxon_node:
                saxon_node.append(engine.saxon_document(etree.tostring(tree, encoding="unicode")))
            return saxon_node[0]

        for ruleset in rules:
            t0 = time.perf_counter()
            if use_compiled:
                report.findings.extend(self.run_compiled(ruleset, tree, node))
            else:
                report.findings.extend(self.run_rules(ruleset, node()))
            report.timings_ms[ruleset.name] = (time.perf_counter() - t0) * 1000
        return report

    def run_compiled(
        self,
        ruleset: plans.RuleSet,
        tree: etree._ElementTree,
        node: Callable[[], saxonche.PyXdmNode],
    ) -> list[Finding]:
        """Run one rule set with the compiled engine where it is gated, Saxon for the rest."""
        path = self.artefacts_dir / ruleset.path
        if ruleset.output != "svrl" or not gate.covers(ruleset.path):
            return self.run_rules(ruleset, node())
        compiled = runner.cached(
            path,
            name=ruleset.name,
            fallback=gate.fallback_for(ruleset.name),
            cache_dir=self.artefacts_dir / runner.CACHE_DIR,
        )
        try:
            found = compiled.run(tree, ruleset=ruleset.name)
        except NeedsReference:
            return self.run_rules(
                ruleset, node()
            )  # XPath 2.0 would stop here: the official verdict
        if compiled.residual is not None:
            rest = self.run_rules(plans.RuleSet(ruleset.name, str(compiled.residual)), node())
            if any(f.rule == RULESET_ERROR for f in rest):
                return self.run_rules(ruleset, node())
            found.extend(rest)
        return found

    def run_rules(
        self, ruleset: plans.RuleSet, document: str | saxonche.PyXdmNode
    ) -> list[Finding]:
        """Run one rule set over an already-accepted document (serialised, or Saxon's tree).

        A dynamic error inside the rule set (Saxon stops the whole stylesheet, as the
        official pipeline does) becomes one fatal finding instead of an exception.
        """
        compiled = engine.stylesheet(self.artefacts_dir / ruleset.path)
        try:
            out = compiled.run(document)
        except engine.RuleRunError as exc:
            return [ruleset_error_finding(ruleset.name, exc)]
        if ruleset.output == "oioubl":
            return findings_from_oioubl(out, ruleset=ruleset.name)
        return findings_from_svrl(out, ruleset=ruleset.name)

    def warm(self, names: Iterable[str], *, root: str = "Invoice") -> None:
        """Compile the rule sets and load the schema of the named plans ahead of traffic."""
        for plan_name in names:
            chosen = plans.resolve(plan_name, on=self._today())
            xsd = chosen.schema_for(root)
            if xsd:
                engine.schema(self.artefacts_dir / xsd)
            for ruleset in chosen.rules_for(root):
                engine.stylesheet(self.artefacts_dir / ruleset.path)


_validators: dict[tuple[Path, str], Validator] = {}


def validate(
    xml: bytes,
    *,
    artefacts_dir: Path,
    plan: str | None = None,
    on: dt.date | None = None,
    engine: str = "saxon",
) -> ValidationReport:
    """Validate a document with the plan detected (or named); rules compile once per process."""
    key = Path(artefacts_dir).resolve()
    validator = _validators.get((key, engine))
    if validator is None:
        validator = _validators.setdefault((key, engine), Validator(key, engine=engine))
    return validator.validate(xml, plan=plan, on=on)
