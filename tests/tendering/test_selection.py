"""The ESPD response a request to participate carries, checked against the UBL 2.3 XSD."""

from __future__ import annotations

from pathlib import Path

import pytest

from tendering import sealing
from tendering.errors import InvalidEspdResponse
from tendering.selection import validate_espd_response
from tests.tendering.conftest import Org
from tests.tendering.flow import Bidder, espd_response

SUPPLIER = Bidder(Org("12345678", "org-1", "Alfa A/S"), sealing.new_supplier_key())


def test_a_valid_espd_response_for_this_tender_is_accepted(artefacts_dir: Path) -> None:
    validate_espd_response(
        espd_response("T-1", SUPPLIER), artefacts_dir=artefacts_dir, tender_reference="T-1"
    )


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"<QualificationApplicationResponse", "well-formed"),
        (b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>", "must be"),
        (
            b"<QualificationApplicationResponse xmlns='urn:oasis:names:specification:ubl:"
            b"schema:xsd:QualificationApplicationResponse-2'/>",
            "not valid UBL 2.3",
        ),
        (None, "for procedure 'T-OTHER'"),
    ],
    ids=["malformed", "another-document", "schema-invalid", "another-tender"],
)
def test_other_espd_responses_are_refused(
    artefacts_dir: Path, data: bytes | None, problem: str
) -> None:
    doc = data if data is not None else espd_response("T-OTHER", SUPPLIER)
    with pytest.raises(InvalidEspdResponse) as err:
        validate_espd_response(doc, artefacts_dir=artefacts_dir, tender_reference="T-1")
    assert err.value.status == 422 and problem in err.value.detail
