from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.ledger import Ledger
from reporting.errors import ReportBuildError
from reporting.vat import compute_vat_return
from reporting.vat_xml import (
    NS_NEMVIRKSOMHED,
    angivelse_element,
    modtag_request_document,
    validate_modtag_request,
    vat_return_to_xml_fields,
)

WHEN = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)


def test_fields_use_the_agency_names_and_schema_order(sample_ledger: Ledger) -> None:
    vat = compute_vat_return(sample_ledger, period="2026-Q3")
    fields = vat_return_to_xml_fields(vat)
    names = list(fields)
    assert names[0] == "MomsAngivelseAfgiftTilsvarBeloeb"
    assert names[-1] == "MomsAngivelseEUSalgYdelseBeloeb"
    assert len(names) == 17
    assert fields["MomsAngivelseSalgsMomsBeloeb"] == vat.salgs_moms
    assert fields["MomsAngivelseEUSalgBeloebVarerBeloeb"] == vat.eu_salg_varer
    assert fields["MomsAngivelseGasAfgiftBeloeb"] == vat.gas_afgift


def test_request_document_validates_against_the_agency_schema(
    sample_ledger: Ledger, artefacts_dir: Path
) -> None:
    vat = compute_vat_return(sample_ledger, period="2026-Q3")
    doc = modtag_request_document(
        vat, se_number="12345678", transaction_id="tx-1", transaction_time=WHEN
    )
    assert validate_modtag_request(doc, artefacts_dir=artefacts_dir) == []
    info = angivelse_element(vat, se_number="12345678")
    dates = [
        e.text
        for e in info.iter(
            f"{{{NS_NEMVIRKSOMHED}}}AngivelsePeriodeFraDato",
            f"{{{NS_NEMVIRKSOMHED}}}AngivelsePeriodeTilDato",
        )
    ]
    assert dates == ["2026-07-01", "2026-09-30"]


def test_refund_return_is_a_negative_integer_and_still_valid(
    sample_ledger: Ledger, artefacts_dir: Path
) -> None:
    # August has big reverse-charge purchases but little sales VAT: money back
    vat = compute_vat_return(sample_ledger, period="2026-09")
    assert vat.afgift_tilsvar < 0
    doc = modtag_request_document(
        vat, se_number="12345678", transaction_id="tx-2", transaction_time=WHEN
    )
    assert validate_modtag_request(doc, artefacts_dir=artefacts_dir) == []


def test_schema_check_catches_a_broken_document(sample_ledger: Ledger, artefacts_dir: Path) -> None:
    vat = compute_vat_return(sample_ledger, period="2026-Q3")
    doc = modtag_request_document(
        vat, se_number="12345678", transaction_id="tx-3", transaction_time=WHEN
    )
    total = next(doc.iter(f"{{{NS_NEMVIRKSOMHED}}}MomsAngivelseAfgiftTilsvarBeloeb"))
    total.text = "12.50"  # the agency takes whole kroner only
    errors = validate_modtag_request(doc, artefacts_dir=artefacts_dir)
    assert errors and "AfgiftTilsvar" in errors[0]


@pytest.mark.parametrize("se", ["1234567", "ABCDEFGH", "123456789"])
def test_se_number_must_be_eight_digits(sample_ledger: Ledger, se: str) -> None:
    vat = compute_vat_return(sample_ledger, period="2026-Q3")
    with pytest.raises(ReportBuildError):
        angivelse_element(vat, se_number=se)
