"""A voucher off by one øre is refused by every reader, naming the voucher and the difference.

Amounts are exact decimals from the file to the check: a reader that rounded
to whole kroner, or a check with a tolerance, would let 0.01 through.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

import adapters
from tests.adapters.test_csv import GENERIC


def _unbalanced(report: adapters.IngestReport) -> list[adapters.Problem]:
    return [p for p in report.problems if p.code == "unbalanced-voucher"]


def test_csv_journal_one_ore_off_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "journal.csv"
    path.write_text(GENERIC.replace(",,250.00,,", ",,250.01,,"), encoding="utf-8")
    report = adapters.check(path, header_defaults={"company_id": "12345678"})
    (problem,) = _unbalanced(report)
    assert problem.severity == "error" and problem.line == 2
    assert "difference -0.01" in problem.message
    assert not report.ok
    with pytest.raises(adapters.LedgerRejected):
        list(adapters.read(path, header_defaults={"company_id": "12345678"}))


def test_csv_journal_exactly_balanced_passes(tmp_path: Path) -> None:
    path = tmp_path / "journal.csv"
    path.write_text(GENERIC, encoding="utf-8")
    assert not _unbalanced(adapters.check(path, header_defaults={"company_id": "12345678"}))


def test_saft_transaction_one_ore_off_is_refused(company_file: Path) -> None:
    text = company_file.read_text(encoding="utf-8")
    start = text.index("<Transaction><TransactionID>3</TransactionID>")
    at = text.index("<Amount>", start) + len("<Amount>")
    end = text.index("</Amount>", at)
    company_file.write_text(
        text[:at] + str(Decimal(text[at:end]) + Decimal("0.01")) + text[end:], encoding="utf-8"
    )
    report = adapters.check(company_file)
    (problem,) = _unbalanced(report)
    assert problem.element == "voucher GL/3"
    assert re.search(r"difference -?0\.01\b", problem.message), problem.message
    assert not report.ok


def test_sie_voucher_one_ore_off_is_refused(sie_dir: Path, tmp_path: Path) -> None:
    raw = (sie_dir / "transaktioner_ovnbolag.se").read_bytes().decode("cp437")
    assert "\t#TRANS  7690 {} 100.00" in raw
    path = tmp_path / "one-ore.se"
    path.write_bytes(
        raw.replace("\t#TRANS  7690 {} 100.00", "\t#TRANS  7690 {} 100.01", 1).encode("cp437")
    )
    report = adapters.check(path)
    (problem,) = _unbalanced(report)
    assert problem.element == "voucher B 1"
    assert "difference 0.01" in problem.message
    with pytest.raises(adapters.LedgerRejected):
        list(adapters.read(path))
