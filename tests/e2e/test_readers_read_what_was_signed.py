"""Every reader reads what C14N signs: a comment or PI inside a value never cuts it short.

Issue 10, class 2. A signed price ``9<!---->.95`` used to read as ``9`` while the
signature verified (canonical XML drops comments). Each reader is fed documents
in which *every* text value is split by a comment or a processing instruction,
and must read exactly what it reads from the clean document.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from gateway.signing import SigningIdentity, TrustStore, sign_ubl, verify_ubl
from gateway.signing.keys import init_keys, load_signing_identity, load_trust_store
from invoicing.builders.ordering import build_order_response
from invoicing.order_reader import read_order
from invoicing.reader import read_invoice
from invoicing.response_reader import read_invoice_response, read_order_response
from tendering.selection import InvalidEspdResponse, validate_espd_response
from tests.invoicing.test_ordering_builders import RESPONSES
from tests.tendering.flow import espd_response

INSERTS = {
    "empty-comment": b"<!---->",
    "comment": b"<!-- a note -->",
    "pi": b"<?pi?>",
    "pi-with-data": b"<?x-note some data?>",
    "comment-and-pi": b"<!----><?pi x?><!-- -->",
}
# A text node that starts and ends with a non-space: split after its first character.
_VALUE = re.compile(rb">([^<>\s])([^<>]*[^<>\s])<")


def _split_every_value(xml: bytes, insert: bytes) -> tuple[bytes, int]:
    return _VALUE.subn(lambda m: b">" + m[1] + insert + m[2] + b"<", xml)


def _mutants(xml: bytes) -> list[tuple[str, bytes]]:
    out = []
    for name, insert in INSERTS.items():
        mutated, count = _split_every_value(xml, insert)
        assert count >= 5, "the document has too few values to make the test mean anything"
        out.append((name, mutated))
    return out


def _example(artefacts_dir: Path, relative: str) -> bytes:
    return (artefacts_dir / relative).read_bytes()


INVOICE = "en16931-ubl-1.3.16/examples/ubl-tc434-example1.xml"
ORDER = "peppol-bis-ordering-3/rules/examples/Order_Example.xml"
INVOICE_RESPONSE = "peppol-bis-ordering-3/rules/examples/InvoiceResponse_Example.xml"


@pytest.mark.parametrize("insert", sorted(INSERTS))
def test_invoice_reader(artefacts_dir: Path, insert: str) -> None:
    clean = _example(artefacts_dir, INVOICE)
    mutated, _ = _split_every_value(clean, INSERTS[insert])
    assert read_invoice(mutated) == read_invoice(clean)


@pytest.mark.parametrize("insert", sorted(INSERTS))
def test_order_reader(artefacts_dir: Path, insert: str) -> None:
    clean = _example(artefacts_dir, ORDER)
    mutated, _ = _split_every_value(clean, INSERTS[insert])
    assert read_order(mutated) == read_order(clean)


@pytest.mark.parametrize("insert", sorted(INSERTS))
def test_invoice_response_reader(artefacts_dir: Path, insert: str) -> None:
    clean = _example(artefacts_dir, INVOICE_RESPONSE)
    mutated, _ = _split_every_value(clean, INSERTS[insert])
    assert read_invoice_response(mutated) == read_invoice_response(clean)


@pytest.mark.parametrize("insert", sorted(INSERTS))
@pytest.mark.parametrize("case", sorted(RESPONSES))
def test_order_response_reader(case: str, insert: str) -> None:
    response = RESPONSES[case]
    orders = {"PO-77": response.order}
    clean = build_order_response(response)
    mutated, _ = _split_every_value(clean, INSERTS[insert])
    assert read_order_response(mutated, orders=orders) == read_order_response(clean, orders=orders)


@pytest.mark.parametrize("insert", sorted(INSERTS))
def test_tender_document_reader_sees_the_whole_procedure_reference(
    artefacts_dir: Path, insert: str
) -> None:
    supplier = SimpleNamespace(org=SimpleNamespace(cvr="12345674", name="Leverandør ApS"))
    clean = espd_response("TED-2026-0042", supplier)  # type: ignore[arg-type]
    mutated, _ = _split_every_value(clean, INSERTS[insert])
    validate_espd_response(mutated, artefacts_dir=artefacts_dir, tender_reference="TED-2026-0042")
    with pytest.raises(InvalidEspdResponse, match="'TED-2026-0042'"):
        validate_espd_response(mutated, artefacts_dir=artefacts_dir, tender_reference="TED-2026-9")


@pytest.fixture(scope="module")
def signing(tmp_path_factory: pytest.TempPathFactory) -> tuple[SigningIdentity, TrustStore]:
    keys = init_keys(tmp_path_factory.mktemp("signed-values") / "keys")
    return load_signing_identity(keys.signing_p12), load_trust_store(keys.trust_store)


@pytest.mark.parametrize("insert", sorted(INSERTS))
def test_a_signature_still_verifies_and_the_reader_gets_the_full_signed_value(
    artefacts_dir: Path, signing: tuple[SigningIdentity, TrustStore], insert: str
) -> None:
    identity, trust = signing
    signed = sign_ubl(_example(artefacts_dir, INVOICE), identity)
    mutated, count = _split_every_value(signed, INSERTS[insert])
    assert count > 20  # signature values, certificates and the invoice's own amounts
    # What the gateway reads is what C14N signs, so the signature holds...
    assert verify_ubl(mutated, trust).valid
    # ...and the reader sees the signed values whole.
    invoice = read_invoice(mutated)
    assert invoice == read_invoice(signed)
    assert invoice.number == "12115118"
    # A change to a signed value (the payable amount, 250.33) is still caught.
    mark = INSERTS[insert]
    changed = mutated.replace(b">2" + mark + b"50.33<", b">2" + mark + b"50.34<", 1)
    assert changed != mutated
    assert not verify_ubl(changed, trust).valid
