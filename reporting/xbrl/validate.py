"""Full validation of the gateway's own annual reports: the pre-check, then Arelle.

Arelle runs as :mod:`schemas.xbrl` runs it for any filing (a child process,
offline, from the installed taxonomy package, calculations, dimensions and the
taxonomy's formula assertions); here the package and the filing rules are the
mapping's. The published taxonomy files themselves are not re-validated by
default (``validate_taxonomy``): they are hash-checked artefacts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reporting.errors import ReportValidationUnavailable
from reporting.xbrl.mapping import XbrlMapping, load_xbrl_mapping
from reporting.xbrl.precheck import precheck
from schemas import xbrl
from schemas.report import Finding

__all__ = ["XbrlReport", "validate_annual_report"]


@dataclass(frozen=True, slots=True)
class XbrlReport:
    """Findings of one validation; ``valid`` when none is fatal."""

    findings: tuple[Finding, ...] = ()
    taxonomy: str = ""
    engine: str = "arelle"
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not any(f.severity == "fatal" for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "fatal"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "taxonomy": self.taxonomy,
            "engine": self.engine,
            "findings": [f.to_dict() for f in self.findings],
        }


def validate_annual_report(
    xml: bytes,
    *,
    artefacts_dir: str | Path,
    mapping: XbrlMapping | None = None,
    include_precheck: bool = True,
    validate_taxonomy: bool = False,
    timeout: float = 600.0,
    filing_rules: bool | None = None,
) -> XbrlReport:
    """Validate an instance with Arelle in a child process; findings carry code, severity, message.

    ``filing_rules`` (default: for Inline XBRL, the form the Authority takes) adds the
    mapping's disclosure system, when it names one.
    """
    m = mapping or load_xbrl_mapping()
    package = Path(artefacts_dir) / m.package
    if not package.is_file():
        raise ReportValidationUnavailable(f"taxonomy package not installed: {package}")
    inline = b"http://www.w3.org/1999/xhtml" in xml[:4000]
    found = list(precheck(xml, mapping=m)) if include_precheck and not inline else []
    rules = m.disclosure_system if (inline if filing_rules is None else filing_rules) else None
    try:
        found += xbrl.arelle_findings(
            xml,
            packages=[package],
            inline=inline,
            disclosure_system=rules,
            validate_taxonomy=validate_taxonomy,
            timeout=timeout,
        )
    except xbrl.ArelleUnavailable as exc:
        raise ReportValidationUnavailable(str(exc)) from exc
    return XbrlReport(
        findings=tuple(found),
        taxonomy=m.name,
    )
