"""Development keys, loading identities from PKCS#12/PEM, and the trust store's chain checks."""

from __future__ import annotations

import ipaddress
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID

from gateway.signing import (
    CertificateRejected,
    KeyPaths,
    KeysExistError,
    KeyStoreError,
    Refusal,
    SigningIdentity,
    TrustStore,
    init_keys,
    load_signing_identity,
    load_trust_store,
)


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_init_keys_writes_private_keys_readable_by_owner_only(dev_keys: KeyPaths) -> None:
    secrets = {
        dev_keys.ca_key,
        dev_keys.signing_key,
        dev_keys.signing_p12,
        dev_keys.tls_server_key,
        dev_keys.tls_client_key,
    }
    for path in dev_keys.files():
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if path in secrets:
            assert mode == 0o600, path.name
        else:
            assert mode & 0o077 != 0o077 and mode & 0o002 == 0, path.name


def test_init_keys_issues_every_certificate_from_the_ca_in_the_trust_store(
    dev_keys: KeyPaths, trust: TrustStore
) -> None:
    ca = _cert(dev_keys.ca_cert)
    assert trust.certificates == (ca,)
    for path in (dev_keys.signing_cert, dev_keys.tls_server_cert, dev_keys.tls_client_cert):
        cert = _cert(path)
        assert cert.issuer == ca.subject
        cert.verify_directly_issued_by(ca)
    # Only the signing certificate is fit for signatures in the trust store's sense.
    chain = trust.verify(_cert(dev_keys.signing_cert))
    assert chain[-1] == ca


def test_sandbox_tls_certificates_name_loopback(dev_keys: KeyPaths) -> None:
    server = _cert(dev_keys.tls_server_cert)
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert ipaddress.ip_address("127.0.0.1") in san.get_values_for_type(x509.IPAddress)
    eku = server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in eku
    client_eku = _cert(dev_keys.tls_client_cert).extensions.get_extension_for_class(
        x509.ExtendedKeyUsage
    )
    assert ExtendedKeyUsageOID.CLIENT_AUTH in client_eku.value


def test_init_keys_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    first = init_keys(tmp_path / "k", key_size=2048)
    before = first.ca_cert.read_bytes()
    with pytest.raises(KeysExistError) as caught:
        init_keys(tmp_path / "k", key_size=2048)
    assert caught.value.status == 409
    assert first.ca_cert.read_bytes() == before
    init_keys(tmp_path / "k", overwrite=True, key_size=2048)
    assert first.ca_cert.read_bytes() != before


def test_identity_loads_alike_from_pkcs12_and_pem(dev_keys: KeyPaths) -> None:
    from_p12 = load_signing_identity(dev_keys.signing_p12)
    from_pem = load_signing_identity(dev_keys.signing_cert, key_path=dev_keys.signing_key)
    assert from_p12.certificate == from_pem.certificate == _cert(dev_keys.signing_cert)
    assert from_p12.fingerprint == from_pem.fingerprint


def test_identity_loads_from_one_pem_holding_key_and_chain(
    dev_keys: KeyPaths, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(
        dev_keys.signing_key.read_bytes()
        + dev_keys.ca_cert.read_bytes()
        + dev_keys.signing_cert.read_bytes()
    )
    identity = load_signing_identity(bundle)
    assert identity.certificate == _cert(dev_keys.signing_cert)
    # The self-signed root belongs in trust stores, not in the chain sent with signatures.
    assert identity.chain == ()


def test_password_protected_pkcs12_needs_the_right_password(
    identity: SigningIdentity, tmp_path: Path
) -> None:
    path = tmp_path / "signer.pfx"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"signer",
            identity.private_key,
            identity.certificate,
            None,
            serialization.BestAvailableEncryption(b"s3cret"),
        )
    )
    assert load_signing_identity(path, "s3cret").certificate == identity.certificate
    with pytest.raises(KeyStoreError) as caught:
        load_signing_identity(path, "not-the-password")
    assert "not-the-password" not in str(caught.value)


def test_key_that_does_not_match_the_certificate_is_refused(
    dev_keys: KeyPaths, tmp_path: Path
) -> None:
    with pytest.raises(KeyStoreError, match="matches the private key"):
        load_signing_identity(dev_keys.signing_cert, key_path=dev_keys.tls_client_key)


def test_missing_key_file_is_a_key_store_error(tmp_path: Path) -> None:
    with pytest.raises(KeyStoreError):
        load_signing_identity(tmp_path / "absent.p12")


def test_identity_is_cached_until_the_file_changes(dev_keys: KeyPaths, tmp_path: Path) -> None:
    path = tmp_path / "signer.p12"
    path.write_bytes(dev_keys.signing_p12.read_bytes())
    first = load_signing_identity(path)
    assert load_signing_identity(path) is first
    path.write_bytes(dev_keys.signing_p12.read_bytes() + b"")
    os.utime(path, ns=(0, 1_000_000_000))
    reloaded = load_signing_identity(path)
    assert reloaded is not first
    assert reloaded.certificate == first.certificate


def test_identity_repr_shows_no_private_key(identity: SigningIdentity) -> None:
    text = repr(identity)
    assert "private" not in text.lower()
    numbers = identity.private_key.private_numbers()  # type: ignore[union-attr]
    assert str(numbers.d)[:20] not in text  # type: ignore[union-attr]


def test_trust_store_refuses_an_expired_certificate(
    trust: TrustStore, expired_identity: SigningIdentity
) -> None:
    with pytest.raises(CertificateRejected) as caught:
        trust.verify(expired_identity.certificate)
    assert caught.value.refusal == Refusal.EXPIRED_CERTIFICATE
    # Checked at a time inside its validity, the same certificate chains fine.
    inside = expired_identity.certificate.not_valid_after_utc - timedelta(seconds=1)
    assert trust.verify(expired_identity.certificate, at=inside)


def test_trust_store_refuses_a_certificate_from_another_ca(
    trust: TrustStore, foreign_identity: SigningIdentity
) -> None:
    with pytest.raises(CertificateRejected) as caught:
        trust.verify(foreign_identity.certificate)
    assert caught.value.refusal == Refusal.UNTRUSTED_CERTIFICATE


def test_trust_store_loads_several_bundles(dev_keys: KeyPaths, tmp_path: Path) -> None:
    other = tmp_path / "other.pem"
    other.write_bytes(dev_keys.signing_cert.read_bytes())
    store = load_trust_store(dev_keys.trust_store, other)
    assert len(store.certificates) == 2
    assert TrustStore.from_pem(store.pem()).certificates == store.certificates


def test_empty_trust_store_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pem"
    empty.write_bytes(b"")
    with pytest.raises(KeyStoreError):
        load_trust_store(empty)


def test_certificate_not_yet_valid_is_refused(trust: TrustStore, identity: SigningIdentity) -> None:
    before = identity.certificate.not_valid_before_utc - timedelta(days=1)
    with pytest.raises(CertificateRejected) as caught:
        trust.verify(identity.certificate, at=before)
    assert caught.value.refusal == Refusal.CERTIFICATE_NOT_YET_VALID
    assert datetime.now(UTC) > before
