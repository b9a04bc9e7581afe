"""Our signatures verify with an independent XML-DSig implementation (xmlsec1, libxmlsec/OpenSSL).

signxml checking signxml's output proves little about interoperability; a
receiver's stack is more likely built on xmlsec or a Java library. Skipped
where the ``xmlsec1`` command (Debian package ``xmlsec1``) is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from gateway.signing import KeyPaths, SigningIdentity, TrustStore, sign_detached, verify_ubl
from gateway.signing.namespaces import DS, XADES

XMLSEC1 = shutil.which("xmlsec1")
pytestmark = pytest.mark.skipif(XMLSEC1 is None, reason="xmlsec1 is not installed")
# XAdES and ds:KeyInfo carry Id attributes no DTD declares; xmlsec1 must be told about them.
ID_ATTRS = (
    "--id-attr:Id",
    "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
    "--id-attr:Id",
    "KeyInfo",
)
NS = {"ds": DS, "xades": XADES}


def _xmlsec_verify(signature: Path, ca: Path) -> subprocess.CompletedProcess[str]:
    assert XMLSEC1 is not None
    return subprocess.run(
        [
            XMLSEC1,
            "--verify",
            "--trusted-pem",
            str(ca),
            *ID_ATTRS,
            str(signature),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=signature.parent,
    )


def test_xmlsec1_verifies_a_signed_ubl_invoice(
    signed_invoice: bytes, dev_keys: KeyPaths, tmp_path: Path
) -> None:
    path = tmp_path / "invoice.xml"
    path.write_bytes(signed_invoice)
    done = _xmlsec_verify(path, dev_keys.ca_cert)
    assert done.returncode == 0, done.stderr
    assert "SignedInfo References (ok/all): 3/3" in done.stderr


def test_xmlsec1_refuses_a_tampered_ubl_invoice(
    signed_invoice: bytes, dev_keys: KeyPaths, tmp_path: Path
) -> None:
    path = tmp_path / "invoice.xml"
    path.write_bytes(signed_invoice.replace(b"250.33", b"25.33"))
    assert _xmlsec_verify(path, dev_keys.ca_cert).returncode != 0


def test_xmlsec1_verifies_a_detached_signature(
    identity: SigningIdentity, dev_keys: KeyPaths, tmp_path: Path
) -> None:
    payload = b'{"bid": "lot-1", "price": "1000.00"}'
    # xmlsec1 resolves the relative payload URI from its working directory.
    (tmp_path / "bid.json").write_bytes(payload)
    path = tmp_path / "bid.json.xades.xml"
    path.write_bytes(sign_detached(payload, identity, uri="bid.json", mime_type="application/json"))
    done = _xmlsec_verify(path, dev_keys.ca_cert)
    assert done.returncode == 0, done.stderr
    (tmp_path / "bid.json").write_bytes(payload.replace(b"1000", b"9000"))
    assert _xmlsec_verify(path, dev_keys.ca_cert).returncode != 0


def test_we_verify_a_ubl_signature_computed_by_xmlsec1(
    signed_invoice: bytes, dev_keys: KeyPaths, trust: TrustStore, tmp_path: Path
) -> None:
    # Our signature as a template: xmlsec1 recomputes every digest and the signature value
    # over a different signing time, so nothing of ours is left in what gets verified.
    root = etree.fromstring(signed_invoice)
    for value in root.iterfind(".//ds:Reference/ds:DigestValue", NS):
        value.text = ""
    root.find(".//ds:SignatureValue", NS).text = ""
    root.find(".//xades:SigningTime", NS).text = "2026-01-02T03:04:05+00:00"
    template = tmp_path / "template.xml"
    template.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    output = tmp_path / "signed-by-xmlsec.xml"
    assert XMLSEC1 is not None
    done = subprocess.run(
        [
            XMLSEC1,
            "--sign",
            "--privkey-pem",
            str(dev_keys.signing_key),
            "--trusted-pem",
            str(dev_keys.ca_cert),
            *ID_ATTRS,
            "--output",
            str(output),
            str(template),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = verify_ubl(output.read_bytes(), trust)
    assert result.valid, result.reason
    assert result.signing_time == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
