"""Our signatures verify with an independent XML-DSig implementation (xmlsec1, libxmlsec/OpenSSL).

signxml checking signxml's output proves little about interoperability; a
receiver's stack is more likely built on xmlsec or a Java library. Skipped
where the ``xmlsec1`` command (Debian package ``xmlsec1``) is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from gateway.signing import KeyPaths, SigningIdentity, sign_detached

XMLSEC1 = shutil.which("xmlsec1")
pytestmark = pytest.mark.skipif(XMLSEC1 is None, reason="xmlsec1 is not installed")


def _xmlsec_verify(signature: Path, ca: Path) -> subprocess.CompletedProcess[str]:
    assert XMLSEC1 is not None
    return subprocess.run(
        [
            XMLSEC1,
            "--verify",
            "--trusted-pem",
            str(ca),
            # XAdES and ds:KeyInfo carry Id attributes no DTD declares; name them.
            "--id-attr:Id",
            "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
            "--id-attr:Id",
            "KeyInfo",
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
