"""Keys and documents shared by the signing tests; RSA 3072 keys are slow, so made once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gateway.signing import (
    KeyPaths,
    SigningIdentity,
    TrustStore,
    init_keys,
    load_signing_identity,
    load_trust_store,
    sign_ubl,
)
from gateway.signing.devca import CertificateKind, IssuedCertificate, issue_certificate


def _small_key() -> rsa.RSAPrivateKey:
    # 2048 bits keeps the suite quick; the trust store accepts it like any web-PKI key.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def dev_keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPaths:
    return init_keys(tmp_path_factory.mktemp("signing") / "keys")


@pytest.fixture(scope="session")
def identity(dev_keys: KeyPaths) -> SigningIdentity:
    return load_signing_identity(dev_keys.signing_p12)


@pytest.fixture(scope="session")
def trust(dev_keys: KeyPaths) -> TrustStore:
    return load_trust_store(dev_keys.trust_store)


@pytest.fixture(scope="session")
def dev_ca(dev_keys: KeyPaths) -> IssuedCertificate:
    key = serialization.load_pem_private_key(dev_keys.ca_key.read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return IssuedCertificate(key, x509.load_pem_x509_certificate(dev_keys.ca_cert.read_bytes()))


@pytest.fixture(scope="session")
def expired_identity(dev_ca: IssuedCertificate) -> SigningIdentity:
    """Issued by the trusted CA, its validity already over (inside the CA's own validity)."""
    issued = issue_certificate(
        CertificateKind.SIGNING,
        "Expired signer",
        issuer=dev_ca,
        not_before=dev_ca.certificate.not_valid_before_utc,
        not_after=datetime.now(UTC) - timedelta(seconds=30),
        key=_small_key(),
    )
    return SigningIdentity(issued.private_key, issued.certificate)


@pytest.fixture(scope="session")
def foreign_identity() -> SigningIdentity:
    """A well-formed signer whose CA nobody here trusts."""
    ca = issue_certificate(
        CertificateKind.CA, "Someone else's CA", org_name="Elsewhere", key=_small_key()
    )
    issued = issue_certificate(
        CertificateKind.SIGNING, "Foreign signer", issuer=ca, key=_small_key()
    )
    return SigningIdentity(issued.private_key, issued.certificate)


@pytest.fixture(scope="session")
def invoice_xml(artefacts_dir: Path) -> bytes:
    return (
        artefacts_dir / "en16931-ubl-1.3.16" / "examples" / "ubl-tc434-example1.xml"
    ).read_bytes()


@pytest.fixture(scope="session")
def signed_invoice(invoice_xml: bytes, identity: SigningIdentity) -> bytes:
    return sign_ubl(invoice_xml, identity)
