"""Validation reports: findings from XSD and Schematron, rendered as JSON, SVRL or text.

A document is valid when no finding is fatal; schema errors are fatal findings
with rule id ``XSD``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from lxml import etree

from schemas import xmlsafe

__all__ = [
    "RULESET_ERROR",
    "Finding",
    "Severity",
    "ValidationReport",
    "findings_from_oioubl",
    "findings_from_svrl",
    "short_location",
]

Severity = Literal["fatal", "warning", "information"]

# The rule id of the finding a rule set's dynamic error becomes (FORG0001, XPTY0004, ...).
RULESET_ERROR = "RULESET-ERROR"

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
_SVRL = f"{{{SVRL_NS}}}"
# Rule output is ours (Saxon's), but it echoes document text; parse it with the hardened parser.
_OUTPUT_LIMITS = xmlsafe.XmlLimits(max_bytes=200 * 1024 * 1024, max_depth=20)
# Saxon's locations spell each step as *:Name[namespace-uri()='...'][n]; text shows prefixes.
_STEP = re.compile(r"\*:([\w.-]+)\[namespace-uri\(\)='([^']*)'\]")
_PREFIXES = {
    "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2": "cac",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2": "cbc",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2": "ext",
}
_OIOUBL_ID = re.compile(r"\[([A-Z])-([A-Za-z0-9_.-]+)\]")
_SEVERITIES: dict[str, Severity] = {
    "fatal": "fatal",
    "error": "fatal",
    "warning": "warning",
    "warn": "warning",
    "information": "information",
    "info": "information",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule that fired: rule id, severity, XPath location, message, rule set.

    A rule set that stopped on a dynamic error yields one finding whose rule id
    is :data:`RULESET_ERROR`, with the error ``code`` and offending ``value``.
    """

    rule: str
    severity: Severity
    location: str
    message: str
    ruleset: str
    test: str = ""
    # Set on a rule set's dynamic error only: the XPath error code and the value it stopped on.
    code: str = ""
    value: str | None = None

    def to_dict(self) -> dict[str, str]:
        out = {
            "rule": self.rule,
            "severity": self.severity,
            "location": self.location,
            "message": self.message,
            "ruleset": self.ruleset,
        }
        if self.code:
            out["code"] = self.code
            if self.value is not None:
                out["value"] = self.value
        return out


@dataclass(slots=True)
class ValidationReport:
    """The outcome of one validation: plan used, findings, milliseconds per layer."""

    plan: str
    findings: list[Finding] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    document: str = ""

    @property
    def valid(self) -> bool:
        return not any(f.severity == "fatal" for f in self.findings)

    @property
    def fatal(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "fatal"]

    def rules_fired(self, severity: Severity | None = None) -> list[str]:
        """Rule ids of the findings (of one severity when given), in report order."""
        return [f.rule for f in self.findings if severity is None or f.severity == severity]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the shape the API's problem details and `--json` use)."""
        return {
            "valid": self.valid,
            "plan": self.plan,
            "document": self.document,
            "findings": [f.to_dict() for f in self.findings],
            "timings_ms": {k: round(v, 3) for k, v in self.timings_ms.items()},
        }

    def to_svrl(self) -> bytes:
        """All findings as one SVRL document (schema errors included, as failed asserts)."""
        root = etree.Element(f"{_SVRL}schematron-output", nsmap={"svrl": SVRL_NS})
        root.set("title", f"gateway validation plan {self.plan}")
        current = None
        for f in self.findings:
            if f.ruleset != current:
                current = f.ruleset
                etree.SubElement(root, f"{_SVRL}active-pattern", id=f.ruleset, name=f.ruleset)
            el = etree.SubElement(root, f"{_SVRL}failed-assert")
            el.set("id", f.rule)
            el.set("flag", f.severity)
            el.set("location", f.location)
            el.set("test", f.test)
            etree.SubElement(el, f"{_SVRL}text").text = f.message
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def to_text(self) -> str:
        """Readable lines: verdict, then one line per finding."""
        verdict = "valid" if self.valid else "INVALID"
        counts = {s: sum(1 for f in self.findings if f.severity == s) for s in _ORDER}
        head = (
            f"{self.document or 'document'}: {verdict} (plan {self.plan}; "
            f"{counts['fatal']} fatal, {counts['warning']} warning, "
            f"{counts['information']} information)"
        )
        lines = [head]
        for f in self.findings:
            lines.append(f"  [{f.severity}] {f.rule} at {short_location(f.location)}: {f.message}")
        return "\n".join(lines)


_ORDER: tuple[Severity, ...] = ("fatal", "warning", "information")


def short_location(location: str) -> str:
    """A Saxon location XPath with cac:/cbc:/ext: prefixes (document element unprefixed)."""

    def step(m: re.Match[str]) -> str:
        prefix = _PREFIXES.get(m.group(2))
        return f"{prefix}:{m.group(1)}" if prefix else m.group(1)

    return _STEP.sub(step, location).replace("[1]", "")


def _severity(flag: str | None, default: Severity = "fatal") -> Severity:
    if not flag:
        return default
    return _SEVERITIES.get(flag.strip().lower(), default)


def _text(el: etree._Element | None) -> str:
    if el is None:
        return ""
    return " ".join("".join(el.itertext()).split())


def findings_from_svrl(svrl: str | bytes, *, ruleset: str) -> list[Finding]:
    """Failed asserts and successful reports of an SVRL document, as findings."""
    data = svrl.encode("utf-8") if isinstance(svrl, str) else svrl
    root = xmlsafe.parse(data, limits=_OUTPUT_LIMITS).getroot()
    out: list[Finding] = []
    for el in root.iter(f"{_SVRL}failed-assert", f"{_SVRL}successful-report"):
        out.append(
            Finding(
                rule=el.get("id") or "",
                # eForms flags carry a category (LAWFULNESS); its role says ERROR or WARN.
                severity=_severity(el.get("flag"), _severity(el.get("role"))),
                location=el.get("location") or "",
                message=_text(el.find(f"{_SVRL}text")),
                ruleset=ruleset,
                test=el.get("test") or "",
            )
        )
    return out


def findings_from_oioubl(output: str | bytes, *, ruleset: str) -> list[Finding]:
    """Findings of the OIOUBL 2.1 stylesheets' own format (``<Error>`` with an id in brackets)."""
    data = output.encode("utf-8") if isinstance(output, str) else output
    root = xmlsafe.parse(data, limits=_OUTPUT_LIMITS).getroot()
    out: list[Finding] = []
    for el in root.iter("Error", "Warning"):
        message = _text(el.find("Description"))
        match = _OIOUBL_ID.search(message)
        if match:
            kind, rule = match.groups()
            severity: Severity = "warning" if kind == "W" else "fatal"
            rule = f"{kind}-{rule}"
            message = (message[: match.start()] + message[match.end() :]).strip()
        else:
            rule, severity = "OIOUBL", "fatal"
        if el.tag == "Warning":
            severity = "warning"
        out.append(
            Finding(
                rule=rule,
                severity=severity,
                location=_text(el.find("Xpath")) or el.get("context", ""),
                message=message,
                ruleset=ruleset,
                test=_text(el.find("Pattern")),
            )
        )
    return out
