"""Recognising what a file is from its first bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

import adapters


def test_saft_and_sie_samples(saft_dir: Path, sie_dir: Path) -> None:
    assert (
        adapters.detect_format(
            saft_dir / "examples_index/generated_auditfile_formatted_v_1.30.xml"
        )[0]
        == "saft"
    )
    # The tax agency's example without a namespace is still an AuditFile.
    assert (
        adapters.detect_format(saft_dir / "examples/v1.30_Eksempelfil_fra_xmlSpy.xml")[0] == "saft"
    )
    samples = [p for p in sie_dir.iterdir() if p.suffix.lower() == ".se"]
    assert len(samples) == 6
    for sample in samples:
        assert adapters.detect_format(sample) == ("sie4", None)


def test_cash_register_saft_is_not_a_ledger(saft_dir: Path) -> None:
    with pytest.raises(adapters.UnknownFormat, match="auditfile"):
        adapters.detect_format(
            saft_dir / "examples/ExampleFile_SAF-T_Cash_Register_999999999_20210330104000.xml"
        )


def test_other_xml_and_empty_files(tmp_path: Path) -> None:
    invoice = tmp_path / "invoice.xml"
    invoice.write_text('<?xml version="1.0"?><Invoice xmlns="urn:x"/>')
    with pytest.raises(adapters.UnknownFormat, match="Invoice"):
        adapters.detect_format(invoice)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(adapters.UnknownFormat, match="empty"):
        adapters.check(empty)


def test_format_can_be_forced(tmp_path: Path, saft_dir: Path) -> None:
    report = adapters.check(saft_dir / "examples/v1.30_Eksempelfil_fra_xmlSpy.xml", format="saft")
    assert any(p.code == "namespace" for p in report.problems)
    with pytest.raises(adapters.ProfileError, match="unknown format"):
        adapters.check(tmp_path, format="excel")
