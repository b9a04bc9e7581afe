"""A development certificate authority: the keys a sandbox or a test needs, never production ones.

RSA 3072 throughout: XAdES with RSA-SHA256 is what UBL receivers verify most
widely, and the tax agency's WS-Security policy asks for RSA.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from gateway.signing.errors import KeysExistError, KeyStoreError
from gateway.signing.policy import DOCUMENT_SIGNING_EKU, POLICY_OIDS, Purpose

__all__ = ["CertificateKind", "IssuedCertificate", "KeyPaths", "init_keys", "issue_certificate"]

_KEY_BITS = 3072
_SANDBOX_NAMES = ("localhost",)
_SANDBOX_ADDRESSES = ("127.0.0.1", "::1")


class CertificateKind(StrEnum):
    CA = "ca"
    # The gateway's seal: documents, AS4 and WS-Security (one policy OID for each).
    SIGNING = "signing"
    DOCUMENT = "document"
    AS4 = "as4"
    WS_SECURITY = "ws-security"
    TLS_SERVER = "tls-server"
    TLS_CLIENT = "tls-client"
    TIME_STAMPING = "time-stamping"


# What each signer kind is certified for: certificate policies and extended key usages.
_SIGNER_PROFILES: dict[
    CertificateKind, tuple[tuple[Purpose, ...], tuple[ObjectIdentifier, ...]]
] = {
    CertificateKind.SIGNING: (
        (Purpose.DOCUMENT, Purpose.AS4, Purpose.WS_SECURITY),
        (DOCUMENT_SIGNING_EKU,),
    ),
    CertificateKind.DOCUMENT: ((Purpose.DOCUMENT,), (DOCUMENT_SIGNING_EKU,)),
    CertificateKind.AS4: ((Purpose.AS4,), ()),
    CertificateKind.WS_SECURITY: ((Purpose.WS_SECURITY,), ()),
}


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    """A freshly made key with its certificate (development and tests only)."""

    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


@dataclass(frozen=True, slots=True)
class KeyPaths:
    """Where :func:`init_keys` put each file."""

    directory: Path
    ca_cert: Path
    ca_key: Path
    signing_cert: Path
    signing_key: Path
    signing_p12: Path
    tls_server_cert: Path
    tls_server_key: Path
    tls_client_cert: Path
    tls_client_key: Path
    trust_store: Path

    @classmethod
    def under(cls, directory: Path) -> KeyPaths:
        """The file layout inside ``directory`` (whether or not the files exist yet)."""
        d = directory
        return cls(
            directory=d,
            ca_cert=d / "ca-cert.pem",
            ca_key=d / "ca-key.pem",
            signing_cert=d / "signing-cert.pem",
            signing_key=d / "signing-key.pem",
            signing_p12=d / "signing.p12",
            tls_server_cert=d / "tls-server-cert.pem",
            tls_server_key=d / "tls-server-key.pem",
            tls_client_cert=d / "tls-client-cert.pem",
            tls_client_key=d / "tls-client-key.pem",
            trust_store=d / "trust.pem",
        )

    def files(self) -> tuple[Path, ...]:
        return tuple(v for k, v in _fields(self) if k != "directory")


def _fields(paths: KeyPaths) -> list[tuple[str, Path]]:
    return [(name, getattr(paths, name)) for name in paths.__dataclass_fields__]


def _name(common_name: str, org_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "DK"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org_name),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, sign: bool, encipher: bool = False, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign and not ca,
        key_encipherment=encipher,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def issue_certificate(
    kind: CertificateKind,
    common_name: str,
    *,
    org_name: str = "Gateway development",
    issuer: IssuedCertificate | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None = None,
    key_size: int = _KEY_BITS,
    policies: tuple[ObjectIdentifier, ...] | None = None,
    ekus: tuple[ObjectIdentifier, ...] | None = None,
) -> IssuedCertificate:
    """Certify ``key`` (a new RSA 3072 key if none), signed by ``issuer`` (self-signed if none).

    A signer gets the certificate policies and extended key usages of its kind;
    ``policies`` and ``ekus`` replace them (tests make unfit signers this way).
    """
    if kind is not CertificateKind.CA and issuer is None:
        raise KeyStoreError("only a CA certificate may be self-signed")
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    start = not_before or datetime.now(UTC) - timedelta(minutes=5)
    end = not_after or start + timedelta(days=3650 if kind is CertificateKind.CA else 825)
    subject = _name(common_name, org_name)
    signer_key = issuer.private_key if issuer else key
    issuer_name = issuer.certificate.subject if issuer else subject
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    aki_source = issuer.certificate.public_key() if issuer else key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(aki_source),  # type: ignore[arg-type]
            critical=False,
        )
    )
    if kind is CertificateKind.CA:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=0), critical=True
        ).add_extension(_key_usage(sign=True, ca=True), critical=True)
    else:
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
    if kind in _SIGNER_PROFILES:
        purposes, default_ekus = _SIGNER_PROFILES[kind]
        oids = policies if policies is not None else tuple(POLICY_OIDS[p] for p in purposes)
        key_purposes = ekus if ekus is not None else default_ekus
        builder = builder.add_extension(_key_usage(sign=True), critical=True)
        if oids:
            builder = builder.add_extension(
                x509.CertificatePolicies([x509.PolicyInformation(o, None) for o in oids]),
                critical=False,
            )
        if key_purposes:
            builder = builder.add_extension(x509.ExtendedKeyUsage(list(key_purposes)), False)
    elif kind is CertificateKind.TIME_STAMPING:
        # RFC 3161 2.3: exactly id-kp-timeStamping, critical.
        builder = builder.add_extension(_key_usage(sign=True), critical=True).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    elif kind in (CertificateKind.TLS_SERVER, CertificateKind.TLS_CLIENT):
        server = kind is CertificateKind.TLS_SERVER
        eku = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        names: list[x509.GeneralName] = [x509.DNSName(n) for n in _SANDBOX_NAMES]
        names += [x509.IPAddress(ipaddress.ip_address(a)) for a in _SANDBOX_ADDRESSES]
        if not server:
            names = [x509.DNSName(common_name)]
        builder = (
            builder.add_extension(_key_usage(sign=True, encipher=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
        )
        if policies:
            builder = builder.add_extension(
                x509.CertificatePolicies([x509.PolicyInformation(o, None) for o in policies]),
                critical=False,
            )
    cert = builder.sign(signer_key, hashes.SHA256())
    return IssuedCertificate(key, cert)


def _pem_cert(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _pem_key(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    # Unencrypted on disk like any development key; file mode 0600 keeps others out.
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write(path: Path, data: bytes, *, secret: bool) -> None:
    mode = 0o600 if secret else 0o644
    # Create with the final mode so a private key is never readable by others, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, mode)


def init_keys(
    directory: Path,
    *,
    org_name: str = "Gateway development",
    overwrite: bool = False,
    key_size: int = _KEY_BITS,
) -> KeyPaths:
    """Create a development CA, a signing certificate and sandbox TLS certificates in ``directory``."""
    paths = KeyPaths.under(Path(directory))
    existing = [p.name for p in paths.files() if p.exists()]
    if existing and not overwrite:
        raise KeysExistError(
            f"keys already exist in {paths.directory}: {', '.join(existing)}; use overwrite/--force"
        )
    try:
        if not paths.directory.exists():
            paths.directory.mkdir(mode=0o700, parents=True)
    except OSError as exc:
        raise KeyStoreError(f"cannot create {paths.directory}: {exc.strerror}") from exc
    if key_size < 2048:
        raise KeyStoreError("RSA keys shorter than 2048 bits are not made")
    ca = issue_certificate(
        CertificateKind.CA, f"{org_name} CA", org_name=org_name, key_size=key_size
    )
    signing = issue_certificate(
        CertificateKind.SIGNING,
        f"{org_name} signing",
        org_name=org_name,
        issuer=ca,
        key_size=key_size,
    )
    server = issue_certificate(
        CertificateKind.TLS_SERVER, "localhost", org_name=org_name, issuer=ca, key_size=key_size
    )
    client = issue_certificate(
        CertificateKind.TLS_CLIENT,
        "gateway-client",
        org_name=org_name,
        issuer=ca,
        key_size=key_size,
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"gateway-signing",
        signing.private_key,
        signing.certificate,
        None,
        serialization.NoEncryption(),
    )
    try:
        _write(paths.ca_cert, _pem_cert(ca.certificate), secret=False)
        _write(paths.ca_key, _pem_key(ca.private_key), secret=True)
        _write(paths.signing_cert, _pem_cert(signing.certificate), secret=False)
        _write(paths.signing_key, _pem_key(signing.private_key), secret=True)
        _write(paths.signing_p12, p12, secret=True)
        _write(paths.tls_server_cert, _pem_cert(server.certificate), secret=False)
        _write(paths.tls_server_key, _pem_key(server.private_key), secret=True)
        _write(paths.tls_client_cert, _pem_cert(client.certificate), secret=False)
        _write(paths.tls_client_key, _pem_key(client.private_key), secret=True)
        _write(paths.trust_store, _pem_cert(ca.certificate), secret=False)
    except OSError as exc:
        raise KeyStoreError(f"cannot write keys to {paths.directory}: {exc.strerror}") from exc
    return paths
