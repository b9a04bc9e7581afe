"""Full XBRL validation with Arelle, offline, from the installed taxonomy package.

Arelle keeps global state and is not thread-safe, so it runs in a child
process (``python -m arelle.CntlrCmdLine``) with internet access off, the
taxonomy package loaded from the artefact directory, calculation checks on
(Calculations 1.1, round-to-nearest), dimensions and the taxonomy's formula
assertions included. The published taxonomy files themselves are not
re-validated by default (``validate_taxonomy``): they are hash-checked
artefacts, and skipping them cuts a run from about half a minute to seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reporting.errors import ReportValidationUnavailable
from reporting.xbrl.mapping import XbrlMapping, load_xbrl_mapping
from reporting.xbrl.precheck import precheck
from schemas.report import Finding, Severity

__all__ = ["XbrlReport", "arelle_command", "validate_annual_report"]

_LEVELS: dict[str, Severity] = {
    "critical": "fatal",
    "fatal": "fatal",
    "error": "fatal",
    "inconsistency": "fatal",
    "warning": "warning",
}


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


def arelle_command(
    instance: Path,
    package: Path,
    log_file: Path,
    *,
    validate_taxonomy: bool = False,
    disclosure_system: str | None = None,
) -> list[str]:
    """The Arelle command line for one offline validation run.

    ``disclosure_system`` adds the Business Authority's filing rules (Arelle's
    validate/DBA plugin) to the XBRL checks.
    """
    rules = (
        ["--plugins", "validate/DBA", "--disclosureSystem", disclosure_system]
        if disclosure_system
        else []
    )
    return [
        sys.executable,
        "-m",
        "arelle.CntlrCmdLine",
        "--file",
        str(instance),
        "--packages",
        str(package),
        "--internetConnectivity",
        "offline",
        "--validate",
        "--calc",
        "c11r",
        "--baseTaxonomyValidation",
        "all" if validate_taxonomy else "none",
        "--logFile",
        str(log_file),
        "--logLevel",
        "warning",
        *rules,
    ]


def _findings(log: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    for entry in log.get("log", []):
        level = str(entry.get("level", "")).lower()
        severity = _LEVELS.get(level, "information")
        refs = entry.get("refs") or [{}]
        where = refs[0].get("href", "")
        line = refs[0].get("sourceLine")
        text = (entry.get("message") or {}).get("text", "")
        out.append(
            Finding(
                rule=str(entry.get("code", "")),
                severity=severity,
                location=f"{where}:{line}" if line else where,
                message=text,
                ruleset="arelle",
            )
        )
    return out


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
    with tempfile.TemporaryDirectory(prefix="xbrl-") as tmp:
        work = Path(tmp)
        inline = (
            xml.lstrip()[:400].find(b"<html") >= 0 or b"http://www.w3.org/1999/xhtml" in xml[:2000]
        )
        name = "report.xhtml" if inline else "report.xbrl"
        instance, log_file = work / name, work / "arelle-log.json"
        instance.write_bytes(xml)
        # Arelle writes its configuration and web cache under XDG_CONFIG_HOME: keep it private.
        env = {**os.environ, "XDG_CONFIG_HOME": str(work / "config")}
        command = arelle_command(
            instance,
            package,
            log_file,
            validate_taxonomy=validate_taxonomy,
            disclosure_system=rules,
        )
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, env=env, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise ReportValidationUnavailable(f"Arelle did not finish in {timeout:.0f} s") from exc
        if not log_file.is_file():
            tail = (done.stderr or done.stdout or "")[-500:]
            raise ReportValidationUnavailable(
                f"Arelle exited with {done.returncode} and no log: {tail}"
            )
        try:
            log = json.loads(log_file.read_text("utf-8"))
        except ValueError as exc:
            raise ReportValidationUnavailable("Arelle wrote an unreadable log") from exc
    found += _findings(log)
    return XbrlReport(
        findings=tuple(found),
        taxonomy=m.name,
        details={"returncode": done.returncode},
    )
