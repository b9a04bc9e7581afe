"""Signing identities and trust stores: what signs, and which signers we believe.

In production the signing key comes from a configured PKCS#12 (``.p12``/``.pfx``)
or PEM file; in development :func:`init_keys` makes a throw-away CA and the
certificates the sandbox needs. Nothing here logs or renders key material:
``SigningIdentity`` keeps its private key out of ``repr``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import verification as xv

from gateway.signing.devca import KeyPaths, init_keys
from gateway.signing.errors import (
    CertificateRejected,
    KeyStoreError,
    Refusal,
    SignatureCreationError,
)
from gateway.signing.policy import STRICT_SIGNER_POLICY, Purpose, SignerPolicy

if TYPE_CHECKING:
    from gateway.settings import Settings

__all__ = [
    "KeyPaths",
    "PrivateKey",
    "SigningIdentity",
    "TrustStore",
    "certificate_fingerprint",
    "init_keys",
    "load_configured_trust_store",
    "load_signing_identity",
    "load_trust_store",
]

PrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

_PKCS12_SUFFIXES = {".p12", ".pfx"}


def certificate_fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 fingerprint of a certificate's DER encoding, lower-case hex."""
    return cert.fingerprint(hashes.SHA256()).hex()


def _spki(public_key: CertificatePublicKeyTypes) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@dataclass(frozen=True, slots=True)
class SigningIdentity:
    """A private key, its certificate and the intermediates up to (not including) the root."""

    private_key: PrivateKey = field(repr=False)
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    def __post_init__(self) -> None:
        if _spki(self.private_key.public_key()) != _spki(self.certificate.public_key()):
            raise KeyStoreError("the private key does not belong to the certificate")

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def fingerprint(self) -> str:
        return certificate_fingerprint(self.certificate)

    def certificate_pem(self) -> bytes:
        """The certificate followed by the chain, PEM encoded (public data only)."""
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in self.certificates)

    @property
    def certificates(self) -> tuple[x509.Certificate, ...]:
        return (self.certificate, *self.chain)

    def signing_time(self, at: datetime | None = None) -> datetime:
        """The signing instant (now by default, whole seconds, UTC); refused outside validity.

        A signature made with a certificate that is not valid at signing time
        would be refused by every receiver, so it is not made at all.
        """
        when = (at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        cert = self.certificate
        if not cert.not_valid_before_utc <= when <= cert.not_valid_after_utc:
            raise SignatureCreationError(
                f"signing certificate {self.subject} is valid from "
                f"{cert.not_valid_before_utc.isoformat()} to {cert.not_valid_after_utc.isoformat()}, "
                f"not at {when.isoformat()}"
            )
        return when


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise KeyStoreError(f"cannot read {path}: {exc.strerror}") from exc


def _load_pkcs12(data: bytes, password: bytes | None, path: Path) -> SigningIdentity:
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    except ValueError as exc:
        # cryptography says the same for a wrong password and a damaged file.
        raise KeyStoreError(f"cannot open {path.name}: wrong password or not PKCS#12") from exc
    if cert is None or key is None:
        raise KeyStoreError(f"{path.name} holds no private key with its certificate")
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise KeyStoreError(f"{path.name}: only RSA and EC keys are supported")
    return SigningIdentity(key, cert, _order_chain(cert, extra))


def _load_pem_key(data: bytes, password: bytes | None, path: Path) -> PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password)
    except (ValueError, TypeError) as exc:
        raise KeyStoreError(f"cannot load the private key in {path.name}") from exc
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise KeyStoreError(f"{path.name}: only RSA and EC keys are supported")
    return key


def _load_pem(
    data: bytes, password: bytes | None, path: Path, key_path: Path | None
) -> SigningIdentity:
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise KeyStoreError(f"{path.name} holds no PEM certificate") from exc
    key_data = _read(key_path) if key_path is not None else data
    if b"PRIVATE KEY-----" not in key_data:
        raise KeyStoreError(f"no private key in {(key_path or path).name}; name the key file")
    key = _load_pem_key(key_data, password, key_path or path)
    key_pub = _spki(key.public_key())
    for cert in certs:
        if _spki(cert.public_key()) == key_pub:
            return SigningIdentity(key, cert, _order_chain(cert, certs))
    raise KeyStoreError(f"no certificate in {path.name} matches the private key")


def _order_chain(
    leaf: x509.Certificate, others: Iterable[x509.Certificate]
) -> tuple[x509.Certificate, ...]:
    # Keep the intermediates from the leaf upwards; self-signed roots belong in trust stores.
    pool = [c for c in others if c != leaf and c.subject != c.issuer]
    chain: list[x509.Certificate] = []
    current = leaf
    while True:
        parent = next((c for c in pool if c.subject == current.issuer and c not in chain), None)
        if parent is None:
            return tuple(chain)
        chain.append(parent)
        current = parent


@functools.lru_cache(maxsize=16)
def _load_cached(
    path: Path,
    _stamp: tuple[int, int],
    password: bytes | None,
    key_path: Path | None,
    _key_stamp: tuple[int, int] | None,
) -> SigningIdentity:
    data = _read(path)
    if path.suffix.lower() in _PKCS12_SUFFIXES:
        return _load_pkcs12(data, password, path)
    return _load_pem(data, password, path, key_path)


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError as exc:
        raise KeyStoreError(f"cannot read {path}: {exc.strerror}") from exc
    return st.st_mtime_ns, st.st_size


def load_signing_identity(
    path: str | Path,
    password: str | bytes | None = None,
    *,
    key_path: str | Path | None = None,
) -> SigningIdentity:
    """Load a signing identity from PKCS#12 or PEM; cached per process until the file changes.

    A PEM file may hold the key with its certificates, or only the certificates
    with the key in ``key_path``.
    """
    p = Path(path).resolve()
    kp = Path(key_path).resolve() if key_path is not None else None
    pw = password.encode() if isinstance(password, str) else password
    return _load_cached(p, _stamp(p), pw, kp, _stamp(kp) if kp is not None else None)


@dataclass(frozen=True, slots=True)
class TrustStore:
    """The CA certificates whose signers we accept."""

    certificates: tuple[x509.Certificate, ...]
    # Which of the signers chaining here may sign for which purpose.
    signer_policy: SignerPolicy = STRICT_SIGNER_POLICY

    def __post_init__(self) -> None:
        if not self.certificates:
            raise KeyStoreError("a trust store needs at least one certificate")

    @classmethod
    def from_pem(cls, data: bytes) -> TrustStore:
        """Trust store from a PEM bundle held in memory."""
        try:
            return cls(tuple(x509.load_pem_x509_certificates(data)))
        except ValueError as exc:
            raise KeyStoreError("the trust store holds no PEM certificate") from exc

    def pem(self) -> bytes:
        """The bundle as PEM (for ``ssl`` contexts and files)."""
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in self.certificates)

    def verify(
        self,
        leaf: x509.Certificate,
        intermediates: Sequence[x509.Certificate] = (),
        *,
        at: datetime | None = None,
        purpose: Purpose | None = None,
        policy: SignerPolicy | None = None,
    ) -> tuple[x509.Certificate, ...]:
        """Return the chain from ``leaf`` to a trusted root, or raise :class:`CertificateRejected`.

        The leaf must allow digital signatures; validity is checked at ``at``
        (default now), so a signature over an expired certificate is refused.
        With a ``purpose``, ``policy`` (default: the store's) must also admit the leaf for it
        (refusal ``signer-not-permitted``): a trusted TLS certificate still
        never signs a document.
        """
        when = (at or datetime.now(UTC)).astimezone(UTC)
        for cert in (leaf, *intermediates):
            if when > cert.not_valid_after_utc:
                raise CertificateRejected(
                    f"certificate {cert.subject.rfc4514_string()} expired on "
                    f"{cert.not_valid_after_utc.isoformat()}",
                    refusal=Refusal.EXPIRED_CERTIFICATE,
                )
            if when < cert.not_valid_before_utc:
                raise CertificateRejected(
                    f"certificate {cert.subject.rfc4514_string()} is not valid before "
                    f"{cert.not_valid_before_utc.isoformat()}",
                    refusal=Refusal.CERTIFICATE_NOT_YET_VALID,
                )
        builder = (
            xv.PolicyBuilder()
            .store(xv.Store(list(self.certificates)))
            .time(when)
            .extension_policies(
                ee_policy=_EE_POLICY, ca_policy=xv.ExtensionPolicy.webpki_defaults_ca()
            )
        )
        try:
            verified = builder.build_client_verifier().verify(leaf, list(intermediates))
        except xv.VerificationError as exc:
            raise CertificateRejected(
                f"certificate {leaf.subject.rfc4514_string()} does not chain to a trusted CA: {exc}",
                refusal=Refusal.UNTRUSTED_CERTIFICATE,
            ) from exc
        if purpose is not None:
            (policy or self.signer_policy).check(leaf, purpose)
        return tuple(verified.chain)


def _require_digital_signature(
    _policy: xv.Policy, _cert: x509.Certificate, usage: x509.KeyUsage | None
) -> None:
    if usage is None or not usage.digital_signature:
        raise ValueError("certificate key usage does not allow digital signatures")


# End-entity certificates of signers carry no server names, so the web-PKI leaf
# rules (SAN, EKU serverAuth) do not apply; key usage must still allow signing.
_EE_POLICY = xv.ExtensionPolicy.permit_all().require_present(
    x509.KeyUsage, xv.Criticality.AGNOSTIC, _require_digital_signature
)


def load_trust_store(*paths: str | Path, signer_policy: SignerPolicy | None = None) -> TrustStore:
    """Trust store from one or more PEM bundles, admitting signers by ``signer_policy``."""
    if not paths:
        raise KeyStoreError("no trust store file given")
    certs: list[x509.Certificate] = []
    for path in paths:
        p = Path(path)
        try:
            certs.extend(x509.load_pem_x509_certificates(_read(p)))
        except ValueError as exc:
            raise KeyStoreError(f"{p.name} holds no PEM certificate") from exc
    return TrustStore(tuple(certs), signer_policy or STRICT_SIGNER_POLICY)


def load_configured_trust_store(settings: Settings) -> TrustStore:
    """The configured trust store with the configured signer policy (``GW_SIGNING__...``)."""
    sig = settings.signing
    try:
        policy = SignerPolicy.configured(
            extra_policies=sig.signer_policy_oids, pinned=sig.pinned_signers
        )
    except ValueError as exc:
        raise KeyStoreError(f"signing settings: {exc}") from None
    return load_trust_store(settings.trust_file, signer_policy=policy)
