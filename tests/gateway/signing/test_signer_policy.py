"""Who may sign: trusted certificates are admitted only for the purpose they were issued for."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier

from gateway.signing import SigningIdentity, TrustStore, sign_ubl, verify_ubl
from gateway.signing.detached import sign_detached, verify_detached
from gateway.signing.devca import CertificateKind, IssuedCertificate, issue_certificate
from gateway.signing.errors import CertificateRejected
from gateway.signing.policy import (
    POLICY_OIDS,
    STRICT_SIGNER_POLICY,
    Purpose,
    PurposeRule,
    SignerPolicy,
)
from gateway.signing.results import VerificationOptions
from gateway.signing.wssecurity import (
    VerifyOptions,
    WsSecurityError,
    sign_envelope,
    verify_envelope,
)
from schemas import xmlsafe

SOAP_REQUEST = (
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    b'<ns4:VirksomhedKalenderHent_I xmlns:ns4="urn:oio:skat:nemvirksomhed:ws:1.0.0">'
    b"<ns4:SE>12345678</ns4:SE></ns4:VirksomhedKalenderHent_I></soap:Body></soap:Envelope>"
)
WRONG_POLICY = ObjectIdentifier("2.25.1234567890")


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _signer(ca: IssuedCertificate, kind: CertificateKind, **kw: object) -> SigningIdentity:
    issued = issue_certificate(kind, f"{kind} signer", issuer=ca, key=_key(), **kw)  # type: ignore[arg-type]
    return SigningIdentity(issued.private_key, issued.certificate)


@pytest.fixture(scope="module")
def signers(dev_ca: IssuedCertificate) -> dict[str, SigningIdentity]:
    """Every kind of certificate the trusted development CA issues, plus unfit variants."""
    return {
        "seal": _signer(dev_ca, CertificateKind.SIGNING),
        "document": _signer(dev_ca, CertificateKind.DOCUMENT),
        "as4": _signer(dev_ca, CertificateKind.AS4),
        "ws-security": _signer(dev_ca, CertificateKind.WS_SECURITY),
        "tls-client": _signer(dev_ca, CertificateKind.TLS_CLIENT),
        "tls-server": _signer(dev_ca, CertificateKind.TLS_SERVER),
        # A TLS client certificate that also claims the document policy: still TLS.
        "tls-client+document-policy": _signer(
            dev_ca, CertificateKind.TLS_CLIENT, policies=(POLICY_OIDS[Purpose.DOCUMENT],)
        ),
        "no-eku-no-policy": _signer(dev_ca, CertificateKind.DOCUMENT, policies=(), ekus=()),
        "wrong-policy": _signer(
            dev_ca, CertificateKind.DOCUMENT, policies=(WRONG_POLICY,), ekus=()
        ),
        "time-stamping": _signer(dev_ca, CertificateKind.TIME_STAMPING),
    }


DOCUMENT_REFUSED = {
    "tls-client": "TLS client certificate",
    "tls-server": "TLS server certificate",
    "tls-client+document-policy": "TLS client certificate",
    "no-eku-no-policy": "neither a certificate policy nor an extended key usage",
    "wrong-policy": "2.25.1234567890",
    "as4": "not certified for document",
    "ws-security": "not certified for document",
    "time-stamping": "time-stamping certificate",
}


@pytest.mark.parametrize("name", sorted(DOCUMENT_REFUSED))
def test_unfit_certificates_cannot_sign_a_ubl_document(
    name: str, signers: dict[str, SigningIdentity], trust: TrustStore, invoice_xml: bytes
) -> None:
    signed = sign_ubl(invoice_xml, signers[name])
    result = verify_ubl(signed, trust)
    assert not result.valid
    assert result.refusal == "signer-not-permitted"
    assert DOCUMENT_REFUSED[name] in (result.reason or "")
    assert result.signed_content is None


@pytest.mark.parametrize("name", ["tls-client", "as4", "wrong-policy"])
def test_unfit_certificates_cannot_sign_a_detached_payload(
    name: str, signers: dict[str, SigningIdentity], trust: TrustStore
) -> None:
    signature = sign_detached(b"contract text", signers[name])
    result = verify_detached(b"contract text", signature, trust)
    assert result.refusal == "signer-not-permitted"


@pytest.mark.parametrize("name", ["seal", "document"])
def test_document_signers_are_accepted(
    name: str, signers: dict[str, SigningIdentity], trust: TrustStore, invoice_xml: bytes
) -> None:
    result = verify_ubl(sign_ubl(invoice_xml, signers[name]), trust)
    assert result.valid, result.reason
    assert result.signer_subject == signers[name].subject


def _ws_refusal(identity: SigningIdentity, trust: TrustStore) -> WsSecurityError | None:
    envelope = xmlsafe.parse(SOAP_REQUEST).getroot()
    key = identity.private_key
    assert isinstance(key, rsa.RSAPrivateKey)
    sign_envelope(envelope, key=key, certificate=identity.certificate)
    options = VerifyOptions(
        signature_methods=frozenset({"http://www.w3.org/2000/09/xmldsig#rsa-sha1"})
    )
    try:
        verify_envelope(envelope, trust=trust, options=options)
    except WsSecurityError as exc:
        return exc
    return None


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("document", "not certified for ws-security"),
        ("as4", "not certified for ws-security"),
        ("tls-client", "TLS client certificate"),
        ("tls-server", "TLS server certificate"),
        ("no-eku-no-policy", "neither a certificate policy"),
    ],
)
def test_ws_security_admits_only_ws_security_signers(
    name: str, reason: str, signers: dict[str, SigningIdentity], trust: TrustStore
) -> None:
    refused = _ws_refusal(signers[name], trust)
    assert refused is not None and refused.refusal == "signer-not-permitted"
    assert reason in refused.detail


@pytest.mark.parametrize("name", ["ws-security", "seal"])
def test_ws_security_signers_are_accepted(
    name: str, signers: dict[str, SigningIdentity], trust: TrustStore
) -> None:
    assert _ws_refusal(signers[name], trust) is None


@pytest.mark.parametrize(
    ("name", "ok"), [("as4", True), ("seal", True), ("document", False), ("tls-server", False)]
)
def test_the_as4_purpose(
    name: str, ok: bool, signers: dict[str, SigningIdentity], trust: TrustStore
) -> None:
    cert = signers[name].certificate
    if ok:
        trust.verify(cert, purpose=Purpose.AS4)
    else:
        with pytest.raises(CertificateRejected) as caught:
            trust.verify(cert, purpose=Purpose.AS4)
        assert caught.value.refusal == "signer-not-permitted"


def test_pinning_admits_only_the_configured_certificates(
    signers: dict[str, SigningIdentity], trust: TrustStore, invoice_xml: bytes
) -> None:
    pinned = STRICT_SIGNER_POLICY.with_pinned(
        Purpose.DOCUMENT, frozenset({signers["document"].fingerprint})
    )
    options = VerificationOptions(signer_policy=pinned)
    assert verify_ubl(sign_ubl(invoice_xml, signers["document"]), trust, options).valid
    other = verify_ubl(sign_ubl(invoice_xml, signers["seal"]), trust, options)
    assert other.refusal == "signer-not-permitted"
    assert "not among the certificates configured" in (other.reason or "")


def test_a_purpose_without_a_rule_admits_nobody(signers: dict[str, SigningIdentity]) -> None:
    policy = SignerPolicy(
        {Purpose.AS4: PurposeRule(policies=frozenset({POLICY_OIDS[Purpose.AS4]}))}
    )
    with pytest.raises(CertificateRejected, match="no certificate may sign for document"):
        policy.check(signers["seal"].certificate, Purpose.DOCUMENT)


def test_tls_purposes_follow_the_key_purpose(signers: dict[str, SigningIdentity]) -> None:
    STRICT_SIGNER_POLICY.check(signers["tls-client"].certificate, Purpose.TLS_CLIENT)
    STRICT_SIGNER_POLICY.check(signers["tls-server"].certificate, Purpose.TLS_SERVER)
    with pytest.raises(CertificateRejected):
        STRICT_SIGNER_POLICY.check(signers["seal"].certificate, Purpose.TLS_CLIENT)


def test_the_policy_is_frozen_and_a_rule_must_admit_something() -> None:
    with pytest.raises(FrozenInstanceError):
        STRICT_SIGNER_POLICY.rules = {}  # type: ignore[misc]
    with pytest.raises(ValueError):
        PurposeRule()


def test_the_dev_ca_marks_each_kind(signers: dict[str, SigningIdentity]) -> None:
    tsa = signers["time-stamping"].certificate.extensions.get_extension_for_class(
        x509.ExtendedKeyUsage
    )
    assert tsa.critical and list(tsa.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    policies = signers["seal"].certificate.extensions.get_extension_for_class(
        x509.CertificatePolicies
    )
    assert {p.policy_identifier for p in policies.value} == set(POLICY_OIDS.values())


def test_a_deployment_widens_or_pins_the_policy_by_configuration(
    signers: dict[str, SigningIdentity], trust: TrustStore, invoice_xml: bytes
) -> None:
    widened = TrustStore(
        trust.certificates,
        SignerPolicy.configured(extra_policies={"document": [WRONG_POLICY.dotted_string]}),
    )
    assert verify_ubl(sign_ubl(invoice_xml, signers["wrong-policy"]), widened).valid
    # Widening one purpose leaves TLS certificates refused.
    assert verify_ubl(sign_ubl(invoice_xml, signers["tls-client"]), widened).refusal == (
        "signer-not-permitted"
    )
    pinned = TrustStore(
        trust.certificates,
        SignerPolicy.configured(pinned={"document": [signers["document"].fingerprint.upper()]}),
    )
    assert verify_ubl(sign_ubl(invoice_xml, signers["document"]), pinned).valid
    assert not verify_ubl(sign_ubl(invoice_xml, signers["seal"]), pinned).valid


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"extra_policies": {"invoices": ["1.2.3"]}}, "unknown signing purpose 'invoices'"),
        ({"extra_policies": {"document": ["not an oid"]}}, "signer policy for document"),
        ({"pinned": {"as4": ["abc"]}}, "'abc' is not a SHA-256 fingerprint"),
    ],
)
def test_a_bad_configuration_is_named(kwargs: dict[str, dict[str, list[str]]], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        SignerPolicy.configured(**kwargs)  # type: ignore[arg-type]


def test_the_configured_trust_store_reads_the_settings(dev_keys, signers) -> None:  # type: ignore[no-untyped-def]
    from gateway.settings import Settings, SigningSettings
    from gateway.signing.errors import KeyStoreError
    from gateway.signing.keys import load_configured_trust_store

    fp = signers["as4"].fingerprint
    s = Settings(keys_dir=dev_keys.directory, signing=SigningSettings(pinned_signers={"as4": [fp]}))
    store = load_configured_trust_store(s)
    store.verify(signers["as4"].certificate, purpose=Purpose.AS4)
    with pytest.raises(CertificateRejected, match="not among the certificates configured"):
        store.verify(signers["seal"].certificate, purpose=Purpose.AS4)
    bad = Settings(keys_dir=dev_keys.directory, signing=SigningSettings(pinned_signers={"x": []}))
    with pytest.raises(KeyStoreError, match="unknown signing purpose"):
        load_configured_trust_store(bad)


def test_the_gateways_own_tls_client_certificate_cannot_sign_a_document(
    dev_keys, trust: TrustStore, invoice_xml: bytes
) -> None:  # type: ignore[no-untyped-def]
    """The sample of the adversarial review: `gateway keys init`'s TLS client key signing UBL."""
    from gateway.signing import load_signing_identity

    tls = load_signing_identity(dev_keys.tls_client_cert, key_path=dev_keys.tls_client_key)
    result = verify_ubl(sign_ubl(invoice_xml, tls), trust)
    assert result.refusal == "signer-not-permitted"
    assert "TLS client certificate" in (result.reason or "")
    seal = load_signing_identity(dev_keys.signing_p12)
    assert verify_ubl(sign_ubl(invoice_xml, seal), trust).valid
