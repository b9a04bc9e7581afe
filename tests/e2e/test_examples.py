"""Every file in examples/ is accepted as it is, the broken invoice refused with its finding.

The README's tour (tests/e2e/test_readme.py) runs them through a real gateway;
these checks say which example broke, in a second, without one.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from adapters.ingest import check
from schemas.validation import Validator
from tendering import payloads

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("name", ["tender.toml", "tender-restricted.toml"])
def test_the_tenders_are_valid_drafts(name: str) -> None:
    tender = payloads.TenderCreate.model_validate(tomllib.loads((EXAMPLES / name).read_text()))
    assert tender.procedure == ("restricted" if "restricted" in name else "open")


def test_the_bid_covers_the_open_tenders_lots() -> None:
    bid = payloads.BidContent.model_validate(json.loads((EXAMPLES / "bid.json").read_text()))
    tender = tomllib.loads((EXAMPLES / "tender.toml").read_text())
    assert set(bid.lots) == {lot["lot_id"] for lot in tender["lots"]}


def test_the_invoice_is_valid_and_the_broken_one_breaks_br_co_16(artefacts_dir: Path) -> None:
    validator = Validator(artefacts_dir)
    good = validator.validate((EXAMPLES / "invoice.xml").read_bytes())
    assert good.valid, good.rules_fired()
    broken = validator.validate((EXAMPLES / "invoice-broken.xml").read_bytes())
    assert not broken.valid and broken.rules_fired("fatal") == ["BR-CO-16"]


@pytest.mark.parametrize(
    ("name", "profile", "period"),
    [
        ("journal-2025-Q3.csv", "generic-gl", ("2025-07-03", "2025-09-29")),
        ("saft-2025-Q3.xml", None, ("2025-07-01", "2025-09-30")),
        ("trial-balance-2025.csv", "regnskab-basis", ("2025-01-01", "2025-12-31")),
    ],
)
def test_the_bookkeeping_files_read_without_errors(
    name: str, profile: str | None, period: tuple[str, str], artefacts_dir: Path
) -> None:
    report = check(
        EXAMPLES / name,
        profile=profile,
        artefacts_dir=artefacts_dir,
        header_defaults={"company_id": "25313763", "company_name": "Demo ApS"},
    )
    assert [p.message for p in report.problems if p.severity == "error"] == []
    assert (str(report.period_start), str(report.period_end)) == period
