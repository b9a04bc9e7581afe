"""SAF-T Financial: official examples, generated files, and every kind of fault."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

import adapters
from adapters.ledger import Header, LedgerBuilder, Transaction

EXAMPLES = {
    # file: (version read, schema-valid, accounts whose stated closing does not add up)
    "examples/ExampleFile_SAF-T_Financial_888888888_20180228235959.xml": (
        "saft-1.10",
        True,
        {"1920", "2711", "2740"},
    ),
    "examples/ExampleFile_SAF-T_Financial_999999999_20161125213512.xml": (
        "saft-1.10",
        True,
        {"1925", "2400", "2740", "4000"},
    ),
    "examples_index/generated_auditfile_formatted_v_1.30.xml": ("saft-1.30", True, set()),
    "examples_index/v1.30_Eksempelfil_fra_xmlSpy_nsfixed.xml": ("saft-1.30", True, set()),
}


def _codes(report: adapters.IngestReport, code: str) -> list[adapters.Problem]:
    return [p for p in report.problems if p.code == code]


@pytest.mark.parametrize("name", sorted(EXAMPLES), ids=lambda n: Path(n).stem)
def test_official_examples_read_with_their_own_schema(
    name: str, saft_dir: Path, artefacts_dir: Path
) -> None:
    version, valid, mismatched = EXAMPLES[name]
    report = adapters.check(saft_dir / name, artefacts_dir=artefacts_dir)
    assert report.format == "saft"
    assert report.source_format == version
    assert report.schema_validated
    assert (not _codes(report, "schema")) is valid
    assert {(p.element or "").split()[-1] for p in _codes(report, "balance-mismatch")} == mismatched


def test_generated_130_example_gives_the_ledger_it_describes(
    saft_dir: Path, artefacts_dir: Path
) -> None:
    path = saft_dir / "examples_index/generated_auditfile_formatted_v_1.30.xml"
    report = adapters.check(path, artefacts_dir=artefacts_dir)
    assert report.ok, report.problems
    ledger = LedgerBuilder().extend(adapters.read(path, artefacts_dir=artefacts_dir)).build()
    assert ledger.header.company_id == "999999999"
    assert (ledger.header.period_start.isoformat(), ledger.header.period_end.isoformat()) == (
        "2025-01-01",
        "2025-12-31",
    )
    assert set(ledger.tax_codes) == {"10", "30"}
    sale = next(tx for tx in ledger.transactions if tx.transaction_id == "A1002")
    revenue = next(line for line in sale.lines if line.account_id == "3000")
    # Output VAT on a credit line is negative, like the line; the base follows the line.
    assert (revenue.amount, revenue.tax_base, revenue.tax_amount) == (
        Decimal("-10000.00"),
        Decimal("-10000.00"),
        Decimal("-2500.00"),
    )
    assert ledger.trial_balance()["1500"] == ledger.accounts["1500"].closing_balance


def test_110_tax_amount_takes_the_side_of_its_line(saft_dir: Path) -> None:
    path = saft_dir / "examples/ExampleFile_SAF-T_Financial_888888888_20180228235959.xml"
    builder = LedgerBuilder()
    with pytest.raises(adapters.LedgerRejected):
        for record in adapters.read(path):
            builder.add(record)
    first = builder.build().transactions[0]
    purchase = next(line for line in first.lines if line.account_id == "4000")
    assert purchase.tax_amount == Decimal("2500") and purchase.tax_code == "1"


def test_generated_file_is_valid_and_consistent(company_file: Path, artefacts_dir: Path) -> None:
    report = adapters.check(company_file, artefacts_dir=artefacts_dir)
    assert report.ok, report.problems
    assert report.warnings == 0
    assert report.schema_validated
    assert report.total_debit == report.total_credit > 0
    assert report.counts["lines"] >= 120


def test_danish_standard_file_is_read_but_not_schema_validated(
    tmp_path: Path, saft_fixture: ModuleType, artefacts_dir: Path
) -> None:
    path = saft_fixture.write_saft(tmp_path / "dk.xml", lines=40, danish=True)
    report = adapters.check(path, artefacts_dir=artefacts_dir)
    assert report.ok
    assert report.source_format == "saft-dk"
    assert not report.schema_validated
    assert [p.code for p in report.problems] == ["schema-missing"]


def _edit(path: Path, old: str, new: str, count: int = 1) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def test_unbalanced_transaction_is_named_with_its_line(company_file: Path) -> None:
    text = company_file.read_text(encoding="utf-8")
    start = text.index("<Transaction><TransactionID>3</TransactionID>")
    amount_at = text.index("<Amount>", start) + len("<Amount>")
    end = text.index("</Amount>", amount_at)
    company_file.write_text(text[:amount_at] + "1.00" + text[end:], encoding="utf-8")
    report = adapters.check(company_file)
    unbalanced = _codes(report, "unbalanced-voucher")
    assert len(unbalanced) == 1
    assert unbalanced[0].element == "voucher GL/3"
    assert unbalanced[0].line == text[:start].count("\n") + 1
    # The same fault also breaks the control totals and the account balances.
    assert _codes(report, "totals-mismatch") and _codes(report, "balance-mismatch")


def test_unknown_account_and_tax_code_are_errors(company_file: Path) -> None:
    _edit(
        company_file,
        "<AccountID>1610</AccountID><Description>",
        "<AccountID>9999</AccountID><Description>",
    )
    _edit(
        company_file,
        "<TaxCode>U25</TaxCode><TaxPercentage>25</TaxPercentage><Country>DK</Country><TaxBase>",
        "<TaxCode>X99</TaxCode><TaxPercentage>25</TaxPercentage><Country>DK</Country><TaxBase>",
    )
    report = adapters.check(company_file)
    messages = [p.message for p in report.problems]
    assert any("account '9999'" in m and "chart of accounts" in m for m in messages)
    assert any("tax code 'X99'" in m and "tax table" in m for m in messages)


def test_header_totals_must_match(company_file: Path) -> None:
    text = company_file.read_text(encoding="utf-8")
    entries = text[text.index("<NumberOfEntries>") : text.index("</NumberOfEntries>")]
    _edit(company_file, entries + "</NumberOfEntries>", "<NumberOfEntries>1</NumberOfEntries>")
    _edit(company_file, "<TotalCredit>", "<TotalCredit>1")
    report = adapters.check(company_file)
    found = [p.message for p in _codes(report, "totals-mismatch")]
    assert any(m.startswith("NumberOfEntries says 1") for m in found)
    assert any(m.startswith("TotalCredit says 1") for m in found)
    assert not any(m.startswith("TotalDebit") for m in found)


def test_errors_are_collected_up_to_the_cap(company_file: Path) -> None:
    _edit(
        company_file,
        "<AccountID>5600</AccountID><CustomerID>",
        "<AccountID>5600</AccountID><CustomerID>",
        0,
    )
    text = company_file.read_text(encoding="utf-8")
    company_file.write_text(
        text.replace("<DebitAmount><Amount>", "<DebitAmount><Amount>1"), encoding="utf-8"
    )
    report = adapters.check(company_file, max_problems=5)
    assert report.errors > 5
    assert len(report.problems) == 5
    assert report.truncated
    with pytest.raises(adapters.LedgerRejected) as caught:
        report.raise_for_errors()
    assert caught.value.status == 422
    assert len(caught.value.extensions["problems"]) == 5
    body = caught.value.to_problem()
    assert body["status"] == 422 and len(body["findings"]) == 5
    assert {f["severity"] for f in body["findings"]} == {"fatal"}
    assert all(f["location"].startswith("line ") for f in body["findings"])


def test_schema_fault_in_a_transaction_points_at_its_line(
    company_file: Path, artefacts_dir: Path
) -> None:
    text = company_file.read_text(encoding="utf-8")
    at = text.index("<Period>", text.index("<TransactionID>7</TransactionID>"))
    company_file.write_text(
        text[:at] + "<Period>seven</Period>" + text[text.index("</Period>", at) + 9 :],
        encoding="utf-8",
    )
    report = adapters.check(company_file, artefacts_dir=artefacts_dir)
    schema = _codes(report, "schema")
    assert len(schema) == 1
    assert "Period" in schema[0].message and "seven" in schema[0].message
    assert schema[0].line == text[:at].count("\n") + 1


def test_invalid_utf8_is_an_unreadable_file(company_file: Path) -> None:
    data = company_file.read_bytes().replace(
        "Købsfaktura".encode(), "K\xf8bsfaktura".encode("latin-1"), 1
    )
    company_file.write_bytes(data)
    report = adapters.check(company_file)
    assert not report.ok
    with pytest.raises(adapters.UnreadableSource) as caught:
        list(adapters.read(company_file))
    assert caught.value.problems[0].line is not None


def test_truncated_file_reports_where_it_broke(company_file: Path) -> None:
    data = company_file.read_bytes()
    company_file.write_bytes(data[: len(data) // 2])
    with pytest.raises(adapters.UnreadableSource) as caught:
        list(adapters.read(company_file))
    assert caught.value.problems[-1].code == "xml"


def test_doctype_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE AuditFile [<!ENTITY x "boom">]>'
        '<AuditFile xmlns="urn:StandardAuditFile-Taxation-Financial:NO"><Header>&x;</Header></AuditFile>'
    )
    report = adapters.check(path)
    assert not report.ok
    assert report.problems[0].code == "xml"


def test_records_stream_header_first_and_transactions_in_file_order(company_file: Path) -> None:
    records = list(adapters.read(company_file))
    assert isinstance(records[0], Header)
    ids = [int(r.transaction_id) for r in records if isinstance(r, Transaction)]
    assert ids == sorted(ids) and len(ids) == adapters.check(company_file).counts["transactions"]


def test_progress_reaches_the_file_size(company_file: Path) -> None:
    seen: list[tuple[int, int]] = []
    adapters.check(company_file, progress=lambda done, total: seen.append((done, total)))
    size = company_file.stat().st_size
    assert seen[0] == (0, size)
    assert seen[-1] == (size, size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_check_then_read_refuses_a_file_changed_in_between(company_file: Path) -> None:
    report = adapters.check(company_file)
    assert report.ok
    assert len(list(adapters.read(company_file, expect_sha256=report.sha256))) > 0
    company_file.write_text(company_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(adapters.UnreadableSource, match="changed since it was checked"):
        list(adapters.read(company_file, expect_sha256=report.sha256))


def test_same_file_same_hash_for_idempotent_reimport(company_file: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.xml"
    copy.write_bytes(company_file.read_bytes())
    assert adapters.check(company_file).sha256 == adapters.check(copy).sha256


def test_vat_lines_keep_code_base_and_amount(company_file: Path, saft_fixture: ModuleType) -> None:
    ledger = LedgerBuilder().extend(adapters.read(company_file)).build()
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for tx in ledger.transactions:
        for line in tx.lines:
            if line.tax_code:
                base, tax = totals.get(line.tax_code, (Decimal(0), Decimal(0)))
                totals[line.tax_code] = (base + (line.tax_base or 0), tax + (line.tax_amount or 0))
    assert totals == saft_fixture.vat_totals(lines=120)
    assert totals["U25"][1] < 0 < totals["I25"][1]  # output VAT credit, input VAT debit


def test_report_is_json_ready(company_file: Path) -> None:
    import json

    report = adapters.ingest_summary(company_file)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["ok"] is True and data["sha256"] == report.sha256
    assert data["period_start"] == "2025-01-01" and data["counts"]["lines"] >= 120
