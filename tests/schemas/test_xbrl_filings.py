"""`gateway validate` on XBRL and Inline XBRL filings made by anyone: Arelle's verdict, nothing added."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reporting.xbrl import compute_figures, load_xbrl_mapping, precheck
from reporting.xbrl.filing import build_filing
from reporting.xbrl.inline import to_ixbrl
from reporting.xbrl.profile import parse_profile
from schemas import validation, xbrl
from tests.reporting.reporting_fixtures import build, sample_records

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BY_FUNCTION = Path(__file__).with_name("filings") / "by-function.xbrl"


def _validate(path: Path, artefacts_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"GW_ARTEFACTS_DIR": str(artefacts_dir), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_the_installed_taxonomy_package_declares_its_entry_points(artefacts_dir: Path) -> None:
    packages = xbrl.installed_packages(artefacts_dir.resolve())
    dk = next(p for p in packages if p.identifier == "http://www.erst.dk/XBRL20171001")
    assert len(dk.entry_points) == 4 and dk.filing_rules == "arl-2022-preview"


def test_a_filing_by_function_made_elsewhere_gets_arelle_s_verdict(artefacts_dir: Path) -> None:
    done = _validate(BY_FUNCTION, artefacts_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "plan xbrl:http://www.erst.dk/XBRL20171001" in done.stdout
    # the gateway's own pre-check adds no fatal finding to a filing Arelle accepts
    assert [f for f in precheck(BY_FUNCTION.read_bytes()) if f.severity == "fatal"] == []


def test_a_filing_without_its_cvr_number_is_refused_by_the_taxonomy_s_assertions(
    artefacts_dir: Path, tmp_path: Path
) -> None:
    text = BY_FUNCTION.read_text("utf-8")
    cvr = (
        '<gsd:IdentificationNumberCvrOfReportingEntity contextRef="duration_2024">10150817'
        "</gsd:IdentificationNumberCvrOfReportingEntity>"
    )
    assert cvr in text
    broken = tmp_path / "no-cvr.xbrl"
    broken.write_text(text.replace(cvr, ""), encoding="utf-8")
    done = _validate(broken, artefacts_dir)
    assert done.returncode == 1
    assert "existenceAssertionForIdentificationNumberCvrOfReportingEntity" in done.stdout


def test_an_inline_report_runs_the_authority_s_filing_rules(artefacts_dir: Path) -> None:
    mapping = load_xbrl_mapping()
    ledger = build(sample_records())
    profile = parse_profile(
        {
            "company": {
                "street": "Havnegade",
                "number": "3",
                "postcode": "5000",
                "city": "Odense C",
            },
            "report": {
                "approval_date": "2027-05-20",
                "general_meeting_date": "2027-05-20",
                "chairman": "Ada Lovelace",
            },
        },
        cvr="12345678",
        name="Testfirma ApS",
    )
    filing = build_filing(
        figures=compute_figures(ledger, mapping),
        profile=profile,
        start=ledger.header.period_start,
        end=ledger.header.period_end,
        mapping=mapping,
    )
    doc = to_ixbrl(filing)
    report = validation.validate(doc, artefacts_dir=artefacts_dir)
    assert report.valid, [f.to_dict() for f in report.fatal]
    # the same document with the company's name tagged twice breaks filing rule TM22
    name = b'<ix:nonNumeric name="gsd:NameOfReportingEntity"'
    start = doc.index(name)
    end = doc.index(b"</ix:nonNumeric>", start) + len(b"</ix:nonNumeric>")
    twice = doc[:end] + b" " + doc[start:end] + doc[end:]
    again = validation.validate(twice, artefacts_dir=artefacts_dir)
    assert "DBA.TM22" in again.rules_fired("fatal")


def test_a_filing_of_a_taxonomy_not_installed_names_it(artefacts_dir: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.xbrl"
    foreign.write_text(
        BY_FUNCTION.read_text("utf-8").replace(
            "http://archprod.service.eogs.dk/taxonomy/20171001/entryDanishGAAPBalanceSheet"
            "AccountFormIncomeStatementByFunctionIncludingManagementsReviewStatisticsAndTax"
            "20171001.xsd",
            "https://xbrl.example/taxonomy/2030/entry.xsd",
        ),
        encoding="utf-8",
    )
    done = _validate(foreign, artefacts_dir)
    assert done.returncode == 1
    assert (
        xbrl.NO_PACKAGE in done.stdout
        and "https://xbrl.example/taxonomy/2030/entry.xsd" in done.stdout
    )


def _package(path: Path, identifier: str, entry: str) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "tax2030/META-INF/taxonomyPackage.xml",
            '<tp:taxonomyPackage xmlns:tp="http://xbrl.org/2016/taxonomy-package">'
            f"<tp:identifier>{identifier}</tp:identifier><tp:name>ÅRL 2030</tp:name>"
            "<tp:entryPoints><tp:entryPoint><tp:name>ÅRL</tp:name>"
            f'<tp:entryPointDocument href="{entry}"/></tp:entryPoint></tp:entryPoints>'
            "</tp:taxonomyPackage>",
        )
        zf.writestr(
            "tax2030/META-INF/catalog.xml",
            '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">'
            '<rewriteURI uriStartString="https://xbrl.example/taxonomy/2030/" '
            'rewritePrefix="../2030/"/></catalog>',
        )
        zf.writestr(
            "tax2030/2030/entry.xsd", "<xsd:schema xmlns:xsd='http://www.w3.org/2001/XMLSchema'/>"
        )
    return path


def test_a_newer_taxonomy_package_is_installed_hashed_and_becomes_the_plan(
    tmp_path: Path,
) -> None:
    artefacts = tmp_path / "artefacts"
    artefacts.mkdir()
    entry = "https://xbrl.example/taxonomy/2030/entry.xsd"
    zip_path = _package(tmp_path / "ARL-2030.zip", "http://www.erst.dk/ARL2030", entry)
    gw = [sys.executable, "-m", "gateway.cli", "artefacts"]
    env = {"GW_ARTEFACTS_DIR": str(artefacts), "PATH": "/usr/bin:/bin"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*gw, *args], capture_output=True, text=True, cwd=ROOT, env=env, check=False
        )

    done = run("install", "--taxonomy", str(zip_path), "--to", str(artefacts))
    assert done.returncode == 0, done.stderr
    assert "http://www.erst.dk/ARL2030" in done.stdout and entry in done.stdout
    found = xbrl.package_for(artefacts, [entry])
    assert found is not None and found.filing_rules == "arl-2022-preview"
    not_a_package = tmp_path / "report.zip"
    not_a_package.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    refused = run("install", "--taxonomy", str(not_a_package), "--to", str(artefacts))
    assert refused.returncode == 1 and "not a taxonomy package" in refused.stderr
    installed = artefacts / xbrl.TAXONOMIES / "ARL-2030.zip"
    installed.write_bytes(installed.read_bytes() + b"tampered")
    assert xbrl.altered_taxonomies(artefacts) == ["ARL-2030.zip"]
    xbrl.installed_packages.cache_clear()
    assert xbrl.package_for(artefacts, [entry]) is None  # an altered package is not trusted
