"""Benchmark: building the XBRL annual report beside Arelle's validation of the same instance.

Builds the class B annual report from a generated SAF-T ledger (accounts
grouped by the SAF-T standard accounts) a number of times, then validates the
instance with Arelle (a child process, offline, from the installed taxonomy
package). Prints JSON: build time per report, validation time, their ratio.

    .venv/bin/python bench/xbrl.py --artefacts-dir var/artefacts [--lines 20000] [--builds 20]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "saft_fixture", ROOT / "tests" / "adapters" / "saft_fixture.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["saft_fixture"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--artefacts-dir", type=Path, default=ROOT / "var" / "artefacts")
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--builds", type=int, default=20)
    args = parser.parse_args()

    import adapters
    from adapters.ledger import LedgerBuilder
    from reporting.xbrl import CompanyInfo, build_annual_report, precheck, validate_annual_report

    company = CompanyInfo(
        cvr="12345678",
        name="Eksempel Handel ApS",
        approval_date=date(2026, 5, 20),
        general_meeting_date=date(2026, 5, 20),
        chairman="Bench Chair",
        auditor_assistance="Ingen bistand",
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = _generator().write_saft(Path(tmp) / "bench.xml", lines=args.lines, year=2025)
        ledger = LedgerBuilder().extend(adapters.read(path)).build()
    builds = []
    xml = b""
    for _ in range(args.builds):
        started = time.perf_counter()
        xml = build_annual_report(ledger=ledger, company=company, year=2025)
        builds.append(time.perf_counter() - started)
    started = time.perf_counter()
    pre = precheck(xml)
    precheck_s = time.perf_counter() - started
    started = time.perf_counter()
    report = validate_annual_report(xml, artefacts_dir=args.artefacts_dir, include_precheck=False)
    arelle_s = time.perf_counter() - started
    build_s = statistics.median(builds)
    inline = _inline(ledger, args.builds)
    started = time.perf_counter()
    inline_report = validate_annual_report(
        inline["document"], artefacts_dir=args.artefacts_dir, include_precheck=False
    )
    inline_arelle_s = time.perf_counter() - started
    print(
        json.dumps(
            {
                "ledger_lines": args.lines,
                "instance_bytes": len(xml),
                "build_seconds_median": round(build_s, 5),
                "precheck_seconds": round(precheck_s, 5),
                "precheck_findings": len(pre),
                "arelle_seconds": round(arelle_s, 3),
                "arelle_errors": len(report.errors),
                "arelle_over_build": round(arelle_s / build_s, 1) if build_s else None,
                "inline_bytes": len(inline["document"]),
                "inline_build_seconds_median": round(inline["seconds"], 5),
                "inline_arelle_with_filing_rules_seconds": round(inline_arelle_s, 3),
                "inline_arelle_errors": len(inline_report.errors),
            },
            indent=2,
        )
    )


def _inline(ledger, builds: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """The complete report (profile, texts, notes) as Inline XBRL, built ``builds`` times."""
    from reporting.xbrl import compute_figures, load_xbrl_mapping
    from reporting.xbrl.filing import build_filing
    from reporting.xbrl.inline import to_ixbrl
    from reporting.xbrl.profile import load_profile

    mapping = load_xbrl_mapping()
    profile = load_profile(
        ROOT / "examples" / "annual" / "profile.toml", cvr="12345678", name="Eksempel Handel ApS"
    )
    times, document = [], b""
    for _ in range(builds):
        started = time.perf_counter()
        filing = build_filing(
            figures=compute_figures(ledger, mapping),
            profile=profile,
            start=ledger.header.period_start,
            end=ledger.header.period_end,
            mapping=mapping,
        )
        document = to_ixbrl(filing)
        times.append(time.perf_counter() - started)
    return {"document": document, "seconds": statistics.median(times)}


if __name__ == "__main__":
    main()
