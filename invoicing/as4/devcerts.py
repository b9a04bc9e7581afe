"""Throw-away certificates for access points in tests, benchmarks and the sandbox demo.

Production identities come from ``gateway.signing.keys``; these never leave memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from gateway.signing.policy import POLICY_OIDS, Purpose

__all__ = ["DevIdentity", "make_dev_ca", "make_dev_identity"]


@dataclass(frozen=True, slots=True)
class DevIdentity:
    """A private key with its certificate (same shape as ``SigningIdentity``)."""

    private_key: rsa.RSAPrivateKey = field(repr=False)
    certificate: x509.Certificate


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Gateway sandbox"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DK"),
        ]
    )


def make_dev_ca(cn: str = "Gateway sandbox AP CA", *, key_size: int = 2048) -> DevIdentity:
    """A self-signed CA for access point certificates."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return DevIdentity(key, cert)


def make_dev_identity(
    cn: str, *, ca: DevIdentity | None = None, key_size: int = 2048, valid_days: int = 365
) -> DevIdentity:
    """An access point certificate (CN = the AP seat id, e.g. ``PDK000001``) issued by ``ca``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    issuer = ca or make_dev_ca()
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.private_key.public_key()),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        # Certified for AS4 message signing, as an access point certificate is.
        .add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(POLICY_OIDS[Purpose.AS4], None)]),
            critical=False,
        )
        .sign(issuer.private_key, hashes.SHA256())
    )
    return DevIdentity(key, cert)
