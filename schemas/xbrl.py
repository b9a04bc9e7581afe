"""XBRL and Inline XBRL filings, from anyone: the installed taxonomy packages and Arelle.

A filing names its taxonomy by the entry point in its ``link:schemaRef``; the
installed taxonomy package (XBRL Taxonomy Packages 1.0: ``META-INF/
taxonomyPackage.xml`` and ``catalog.xml``) that declares it is the plan.
Arelle validates offline from that package, in a child process (it keeps
global state and is not thread-safe): XBRL 2.1, dimensions, calculations
(Calculations 1.1, round-to-nearest), the taxonomy's formula assertions, and,
for Inline XBRL of a publisher whose filing rules Arelle knows, those rules.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from schemas import xmlsafe
from schemas.report import Finding, Severity, ValidationReport

__all__ = [
    "NO_PACKAGE",
    "ArelleUnavailable",
    "TaxonomyPackage",
    "altered_taxonomies",
    "arelle_findings",
    "install_taxonomy",
    "installed_packages",
    "is_filing",
    "package_for",
    "validate_filing",
]

NS_XBRLI = "http://www.xbrl.org/2003/instance"
NS_LINK = "http://www.xbrl.org/2003/linkbase"
NS_XLINK = "http://www.w3.org/1999/xlink"
NS_XHTML = "http://www.w3.org/1999/xhtml"
NS_IX = "http://www.xbrl.org/2013/inlineXBRL"
_TP = "{http://xbrl.org/2016/taxonomy-package}"
_CATALOG = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"
NO_PACKAGE = "XBRL-NO-PACKAGE"
# Filing rules Arelle ships, by the taxonomy package's publisher (its identifier's start).
FILING_RULES = {"http://www.erst.dk/": "arl-2022-preview"}
_LEVELS: dict[str, Severity] = {
    "critical": "fatal",
    "fatal": "fatal",
    "error": "fatal",
    "inconsistency": "fatal",
    "warning": "warning",
}
_LIMITS = xmlsafe.XmlLimits(max_bytes=1024 * 1024)


class ArelleUnavailable(Exception):
    """Arelle could not give a verdict (not installed, timed out, wrote no log)."""


@dataclass(frozen=True, slots=True)
class TaxonomyPackage:
    path: Path
    identifier: str
    name: str
    entry_points: tuple[str, ...]
    prefixes: tuple[str, ...]  # URI prefixes the package's catalog rewrites into itself

    def declares(self, href: str) -> bool:
        return href in self.entry_points or any(href.startswith(p) for p in self.prefixes)

    @property
    def filing_rules(self) -> str | None:
        return next((v for k, v in FILING_RULES.items() if self.identifier.startswith(k)), None)


def _read_package(path: Path) -> TaxonomyPackage | None:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            meta = next((n for n in names if n.endswith("META-INF/taxonomyPackage.xml")), None)
            if meta is None:
                return None
            tp = xmlsafe.parse(zf.read(meta), limits=_LIMITS).getroot()
            catalog_name = meta.replace("taxonomyPackage.xml", "catalog.xml")
            prefixes: tuple[str, ...] = ()
            if catalog_name in names:
                catalog = xmlsafe.parse(zf.read(catalog_name), limits=_LIMITS).getroot()
                prefixes = tuple(
                    r.get("uriStartString", "") for r in catalog.iter(f"{_CATALOG}rewriteURI")
                )
    except (OSError, zipfile.BadZipFile, xmlsafe.XmlError):
        return None
    entry_points = tuple(
        e.get("href", "") for e in tp.iter(f"{_TP}entryPointDocument") if e.get("href")
    )
    return TaxonomyPackage(
        path=path,
        identifier=(tp.findtext(f"{_TP}identifier") or "").strip(),
        name=(tp.findtext(f"{_TP}name") or path.name).strip(),
        entry_points=entry_points,
        prefixes=tuple(p for p in prefixes if p),
    )


@lru_cache(maxsize=8)
def installed_packages(artefacts_dir: Path) -> tuple[TaxonomyPackage, ...]:
    """Every taxonomy package among the installed artefact sets."""
    found = []
    altered = {Path(artefacts_dir) / TAXONOMIES / n for n in altered_taxonomies(artefacts_dir)}
    for path in sorted(Path(artefacts_dir).glob("*/*.zip")):
        if path in altered:
            continue  # a package changed since it was installed is not trusted
        package = _read_package(path)
        if package is not None:
            found.append(package)
    return tuple(found)


def is_filing(root: etree._Element) -> bool:
    """An XBRL instance, or an XHTML document carrying Inline XBRL."""
    if root.tag == f"{{{NS_XBRLI}}}xbrl":
        return True
    return root.tag == f"{{{NS_XHTML}}}html" and NS_IX in (root.nsmap or {}).values()


def schema_refs(root: etree._Element) -> list[str]:
    return [r.get(f"{{{NS_XLINK}}}href", "") for r in root.iter(f"{{{NS_LINK}}}schemaRef")]


def package_for(artefacts_dir: Path, hrefs: list[str]) -> TaxonomyPackage | None:
    for package in installed_packages(Path(artefacts_dir).resolve()):
        if hrefs and all(package.declares(h) for h in hrefs):
            return package
    return None


def arelle_findings(
    xml: bytes,
    *,
    packages: list[Path],
    inline: bool,
    disclosure_system: str | None = None,
    validate_taxonomy: bool = False,
    timeout: float = 600.0,
) -> list[Finding]:
    """Arelle's findings on one filing, offline from the given taxonomy packages."""
    with tempfile.TemporaryDirectory(prefix="xbrl-") as tmp:
        work = Path(tmp)
        document = work / ("report.xhtml" if inline else "report.xbrl")
        log_file = work / "arelle-log.json"
        document.write_bytes(xml)
        command = [
            sys.executable,
            "-m",
            "arelle.CntlrCmdLine",
            "--file",
            str(document),
            "--packages",
            "|".join(str(p) for p in packages),
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
        ]
        if disclosure_system:
            command += ["--plugins", "validate/DBA", "--disclosureSystem", disclosure_system]
        # Arelle writes its configuration and web cache under XDG_CONFIG_HOME: keep it private.
        env = {**os.environ, "XDG_CONFIG_HOME": str(work / "config")}
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, env=env, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise ArelleUnavailable(f"Arelle did not finish in {timeout:.0f} s") from exc
        if not log_file.is_file():
            tail = (done.stderr or done.stdout or "")[-500:]
            raise ArelleUnavailable(f"Arelle exited with {done.returncode} and no log: {tail}")
        try:
            log = json.loads(log_file.read_text("utf-8"))
        except ValueError as exc:
            raise ArelleUnavailable("Arelle wrote an unreadable log") from exc
    return _findings(log)


def _findings(log: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    for entry in log.get("log", []):
        level = str(entry.get("level", "")).lower()
        refs = entry.get("refs") or [{}]
        where = refs[0].get("href", "")
        line = refs[0].get("sourceLine")
        out.append(
            Finding(
                rule=str(entry.get("code", "")),
                severity=_LEVELS.get(level, "information"),
                location=f"{where}:{line}" if line else where,
                message=(entry.get("message") or {}).get("text", ""),
                ruleset="arelle",
            )
        )
    return out


def validate_filing(
    xml: bytes, root: etree._Element, *, artefacts_dir: Path, name: str = ""
) -> ValidationReport:
    """Validate a filing made by anyone: its taxonomy from its schemaRef, Arelle's verdict."""
    hrefs = schema_refs(root)
    inline = root.tag == f"{{{NS_XHTML}}}html"
    package = package_for(artefacts_dir, hrefs)
    if package is None:
        installed = ", ".join(
            p.identifier for p in installed_packages(Path(artefacts_dir).resolve())
        )
        named = ", ".join(hrefs) or "no taxonomy (no link:schemaRef)"
        return ValidationReport(
            plan="xbrl",
            document=name,
            findings=[
                Finding(
                    rule=NO_PACKAGE,
                    severity="fatal",
                    location="/link:schemaRef",
                    message=(
                        f"the filing names {named}; no installed taxonomy package declares it "
                        f"(installed: {installed or 'none'}); install the package with "
                        "`gateway artefacts install --taxonomy FILE.zip`"
                    ),
                    ruleset="xbrl",
                )
            ],
        )
    report = ValidationReport(plan=f"xbrl:{package.identifier}", document=name)
    try:
        report.findings = arelle_findings(
            xml,
            packages=[package.path],
            inline=inline,
            disclosure_system=package.filing_rules if inline else None,
        )
    except ArelleUnavailable as exc:
        report.findings = [
            Finding(
                rule="XBRL-UNAVAILABLE",
                severity="fatal",
                location="/",
                message=f"no verdict: {exc}",
                ruleset="arelle",
            )
        ]
    return report


TAXONOMIES = "taxonomies"  # the folder of user-installed packages in the artefact directory
_RECORD = "installed.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def install_taxonomy(package_zip: Path, artefacts_dir: Path) -> tuple[TaxonomyPackage, str]:
    """Install a taxonomy package (e.g. a newer ÅRL package) with its SHA-256 recorded."""
    source = Path(package_zip)
    package = _read_package(source) if source.is_file() else None
    if package is None:
        raise ValueError(
            f"{source.name}: not a taxonomy package (a zip with META-INF/taxonomyPackage.xml)"
        )
    folder = Path(artefacts_dir) / TAXONOMIES
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    shutil.copyfile(source, target)
    sha = _sha256(target)
    record_file = folder / _RECORD
    record = json.loads(record_file.read_text("utf-8")) if record_file.is_file() else {}
    record[source.name] = {
        "sha256": sha,
        "identifier": package.identifier,
        "entry_points": list(package.entry_points),
    }
    record_file.write_text(json.dumps(record, indent=2, sort_keys=True), encoding="utf-8")
    installed_packages.cache_clear()
    return replace(package, path=target), sha


def altered_taxonomies(artefacts_dir: Path) -> list[str]:
    """User-installed packages whose file no longer has the SHA-256 recorded at install."""
    folder = Path(artefacts_dir) / TAXONOMIES
    record_file = folder / _RECORD
    if not record_file.is_file():
        return []
    record = json.loads(record_file.read_text("utf-8"))
    return [
        name
        for name, entry in sorted(record.items())
        if not (folder / name).is_file() or _sha256(folder / name) != entry.get("sha256")
    ]
