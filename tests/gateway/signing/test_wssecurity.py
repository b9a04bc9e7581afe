"""WS-Security for the tax agency's VAT services: what we sign, and what we refuse."""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from gateway.signing import CertificateRejected, SigningIdentity, TrustStore
from gateway.signing.wssecurity import (
    DS_NS,
    EXC_C14N,
    RSA_SHA1,
    RSA_SHA256,
    SHA1,
    SHA256,
    SKAT_RSU_VERIFY,
    WSSE_NS,
    WSU_NS,
    SignOptions,
    VerifyOptions,
    WsSecurityError,
    WsSecuritySigner,
    sign_envelope,
    verify_envelope,
)
from schemas import xmlsafe

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
REQUEST = (
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    b'<ns4:VirksomhedKalenderHent_I xmlns:ns4="urn:oio:skat:nemvirksomhed:ws:1.0.0">'
    b"<ns4:SE>12345678</ns4:SE></ns4:VirksomhedKalenderHent_I></soap:Body></soap:Envelope>"
)
SIGNED_SAMPLES = [
    "full-sample-request.xml",
    "full-sample-response.xml",
    "VirksomhedKalenderHent_I_Document_Complete_With_SOAPENV.xml",
]


def _signed(identity: SigningIdentity, **kwargs: object) -> etree._Element:
    envelope = xmlsafe.parse(REQUEST).getroot()
    sign_envelope(envelope, key=identity.private_key, certificate=identity.certificate, **kwargs)  # type: ignore[arg-type]
    return envelope


def _refusal(envelope: etree._Element, trust: TrustStore, **kwargs: object) -> str:
    with pytest.raises(WsSecurityError) as caught:
        verify_envelope(envelope, trust=trust, **kwargs)  # type: ignore[arg-type]
    return caught.value.refusal


def _security(envelope: etree._Element) -> etree._Element:
    return envelope.find(f"{{{SOAP}}}Header/{{{WSSE_NS}}}Security")


def _resign(envelope: etree._Element, identity: SigningIdentity) -> None:
    """Recompute SignatureValue over the (edited) SignedInfo, as an attacker with a key could."""
    signature = _security(envelope).find(f"{{{DS_NS}}}Signature")
    signed_info = signature.find(f"{{{DS_NS}}}SignedInfo")
    canonical = etree.tostring(signed_info, method="c14n", exclusive=True)
    key = identity.private_key
    assert isinstance(key, rsa.RSAPrivateKey)
    value = key.sign(canonical, padding.PKCS1v15(), hashes.SHA1())
    signature.find(f"{{{DS_NS}}}SignatureValue").text = base64.b64encode(value).decode()


def test_signature_covers_timestamp_body_and_token_as_the_policy_asks(
    identity: SigningIdentity, trust: TrustStore
) -> None:
    envelope = _signed(identity)
    security = _security(envelope)
    signed_info = security.find(f"{{{DS_NS}}}Signature/{{{DS_NS}}}SignedInfo")
    ids = {el.get(f"{{{WSU_NS}}}Id"): etree.QName(el).localname for el in envelope.iter()}
    covered = sorted(ids[r.get("URI")[1:]] for r in signed_info.iter(f"{{{DS_NS}}}Reference"))
    assert covered == ["BinarySecurityToken", "Body", "Timestamp"]
    assert signed_info.find(f"{{{DS_NS}}}SignatureMethod").get("Algorithm") == RSA_SHA1
    assert {d.get("Algorithm") for d in signed_info.iter(f"{{{DS_NS}}}DigestMethod")} == {SHA256}
    assert {t.get("Algorithm") for t in signed_info.iter(f"{{{DS_NS}}}Transform")} == {EXC_C14N}
    stamp = security.find(f"{{{WSU_NS}}}Timestamp")
    assert stamp.findtext(f"{{{WSU_NS}}}Created") and stamp.findtext(f"{{{WSU_NS}}}Expires")

    result = verify_envelope(envelope, trust=trust)
    assert result.certificate == identity.certificate
    assert result.expires is not None and result.created is not None
    assert result.expires - result.created == timedelta(minutes=5)
    assert result.body is envelope.find(f"{{{SOAP}}}Body")


def test_a_serialised_and_reparsed_message_still_verifies(
    identity: SigningIdentity, trust: TrustStore
) -> None:
    wire = etree.tostring(_signed(identity), xml_declaration=True, encoding="UTF-8")
    assert verify_envelope(xmlsafe.parse(wire).getroot(), trust=trust).signer.startswith("CN=")


def test_altered_body_is_refused(identity: SigningIdentity, trust: TrustStore) -> None:
    envelope = _signed(identity)
    next(envelope.iter("{urn:oio:skat:nemvirksomhed:ws:1.0.0}SE")).text = "87654321"
    assert _refusal(envelope, trust) == "digest-mismatch"


def test_extended_timestamp_is_refused(identity: SigningIdentity, trust: TrustStore) -> None:
    envelope = _signed(identity)
    expires = _security(envelope).find(f"{{{WSU_NS}}}Timestamp/{{{WSU_NS}}}Expires")
    expires.text = "2099-01-01T00:00:00.000Z"
    assert _refusal(envelope, trust) == "digest-mismatch"


def test_swapped_token_is_refused(
    identity: SigningIdentity, foreign_identity: SigningIdentity, trust: TrustStore
) -> None:
    envelope = _signed(identity)
    token = _security(envelope).find(f"{{{WSSE_NS}}}BinarySecurityToken")
    token.text = base64.b64encode(foreign_identity.certificate.public_bytes(Encoding.DER)).decode()
    assert _refusal(envelope, trust) == "digest-mismatch"


def test_unsigned_message_is_refused(trust: TrustStore) -> None:
    assert _refusal(xmlsafe.parse(REQUEST).getroot(), trust) == "missing-signature"


def test_wrapped_body_is_refused(identity: SigningIdentity, trust: TrustStore) -> None:
    # The classic wrapping attack: the signed Body moves into the header, a forged one takes its place.
    envelope = _signed(identity)
    body = envelope.find(f"{{{SOAP}}}Body")
    wrapper = etree.SubElement(envelope.find(f"{{{SOAP}}}Header"), "{urn:attacker}Wrapper")
    envelope.remove(body)
    wrapper.append(body)
    forged = copy.deepcopy(body)
    del forged.attrib[f"{{{WSU_NS}}}Id"]
    next(forged.iter("{urn:oio:skat:nemvirksomhed:ws:1.0.0}SE")).text = "87654321"
    envelope.append(forged)
    assert _refusal(envelope, trust) == "signature-wrapping"


def test_duplicate_ids_are_refused(identity: SigningIdentity, trust: TrustStore) -> None:
    envelope = _signed(identity)
    body_id = envelope.find(f"{{{SOAP}}}Body").get(f"{{{WSU_NS}}}Id")
    decoy = etree.SubElement(envelope.find(f"{{{SOAP}}}Header"), "{urn:attacker}Decoy")
    decoy.set(f"{{{WSU_NS}}}Id", body_id)
    assert _refusal(envelope, trust) == "signature-wrapping"


def test_two_security_headers_are_refused(identity: SigningIdentity, trust: TrustStore) -> None:
    envelope = _signed(identity)
    header = envelope.find(f"{{{SOAP}}}Header")
    header.append(copy.deepcopy(_security(envelope)))
    assert _refusal(envelope, trust) == "signature-wrapping"


def test_signature_that_leaves_out_the_body_is_refused(
    identity: SigningIdentity, trust: TrustStore
) -> None:
    envelope = _signed(identity)
    signed_info = _security(envelope).find(f"{{{DS_NS}}}Signature/{{{DS_NS}}}SignedInfo")
    body_id = envelope.find(f"{{{SOAP}}}Body").get(f"{{{WSU_NS}}}Id")
    for reference in signed_info.findall(f"{{{DS_NS}}}Reference"):
        if reference.get("URI") == f"#{body_id}":
            signed_info.remove(reference)
    _resign(envelope, identity)
    assert _refusal(envelope, trust) == "not-covered"


def test_expired_timestamp_is_refused(identity: SigningIdentity, trust: TrustStore) -> None:
    envelope = _signed(identity, now=datetime.now(UTC) - timedelta(minutes=30))
    assert _refusal(envelope, trust) == "timestamp-expired"


def test_timestamp_from_the_future_is_refused(identity: SigningIdentity, trust: TrustStore) -> None:
    envelope = _signed(identity, now=datetime.now(UTC) + timedelta(minutes=30))
    assert _refusal(envelope, trust) == "timestamp-in-future"


def test_small_clock_skew_is_tolerated(identity: SigningIdentity, trust: TrustStore) -> None:
    envelope = _signed(identity, now=datetime.now(UTC) + timedelta(minutes=3))
    assert verify_envelope(envelope, trust=trust).certificate == identity.certificate


def test_signer_from_an_untrusted_ca_is_refused(
    foreign_identity: SigningIdentity, trust: TrustStore
) -> None:
    assert _refusal(_signed(foreign_identity), trust) == "untrusted-certificate"


def test_expired_signing_certificate_is_refused(
    expired_identity: SigningIdentity, trust: TrustStore
) -> None:
    assert _refusal(_signed(expired_identity), trust) == "expired-certificate"


def test_strict_options_refuse_sha1_and_accept_sha256(
    identity: SigningIdentity, trust: TrustStore
) -> None:
    assert _refusal(_signed(identity), trust, options=VerifyOptions()) == "weak-algorithm"
    strong = _signed(identity, options=SignOptions(signature_method=RSA_SHA256))
    assert verify_envelope(strong, trust=trust, options=VerifyOptions()).signature_method == (
        RSA_SHA256
    )


def test_refusals_map_to_ws_security_fault_codes(
    identity: SigningIdentity, trust: TrustStore
) -> None:
    envelope = _signed(identity, now=datetime.now(UTC) - timedelta(hours=1))
    with pytest.raises(WsSecurityError) as caught:
        verify_envelope(envelope, trust=trust)
    assert caught.value.fault_code == "MessageExpired"


def test_zeep_plugin_signs_requests_and_checks_answers(
    identity: SigningIdentity, trust: TrustStore
) -> None:
    plugin = WsSecuritySigner(
        key=identity.private_key,  # type: ignore[arg-type]
        certificate=identity.certificate,
        response_trust=trust,
    )
    envelope, headers = plugin.apply(xmlsafe.parse(REQUEST).getroot(), {"SOAPAction": "x"})
    assert headers == {"SOAPAction": "x"}
    plugin.verify(envelope)  # a signed answer from a trusted signer passes
    with pytest.raises(WsSecurityError):
        plugin.verify(xmlsafe.parse(REQUEST).getroot())  # an unsigned answer does not


class _Pinned:
    """Trusts exactly one certificate: the agency's test CA is not among our artefacts."""

    def __init__(self, certificate: x509.Certificate) -> None:
        self.certificate = certificate

    def verify(
        self, leaf: x509.Certificate, intermediates: object = (), *, at: datetime | None = None
    ) -> tuple[x509.Certificate, ...]:
        if leaf != self.certificate:
            raise CertificateRejected("not the pinned certificate", refusal="untrusted-certificate")
        return (leaf,)


def _sample(artefacts_dir: Path, name: str) -> etree._Element:
    return xmlsafe.parse_file(artefacts_dir / "skat-vat-rsu" / "samples" / name).getroot()


def _as_sent(root: etree._Element) -> etree._Element:
    """Undo the display formatting of the published samples (indentation, wrapped Base64)."""
    for element in root.iter():
        if element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    for token in root.iter(f"{{{WSSE_NS}}}BinarySecurityToken"):
        token.text = "".join((token.text or "").split())
    return root


def _token_certificate(root: etree._Element) -> x509.Certificate:
    token = next(root.iter(f"{{{WSSE_NS}}}BinarySecurityToken"))
    return x509.load_der_x509_certificate(base64.b64decode("".join(token.text.split())))


def _signing_time(root: etree._Element) -> datetime:
    created = next(root.iter(f"{{{WSU_NS}}}Created")).text.strip()
    return datetime.fromisoformat(created.replace("Z", "+00:00")) + timedelta(seconds=5)


@pytest.mark.parametrize("sample", SIGNED_SAMPLES)
def test_the_agency_signed_samples_verify(artefacts_dir: Path, sample: str) -> None:
    """The agency's own signatures (CXF/WSS4J, rsa-sha1, SHA-1 digests) pass our verifier."""
    root = _as_sent(_sample(artefacts_dir, sample))
    certificate = _token_certificate(root)
    result = verify_envelope(
        root, trust=_Pinned(certificate), now=_signing_time(root), options=SKAT_RSU_VERIFY
    )
    assert result.certificate == certificate
    assert result.signature_method == RSA_SHA1
    assert result.digest_methods == (SHA1, SHA1, SHA1)


@pytest.mark.parametrize("sample", SIGNED_SAMPLES)
def test_the_agency_samples_are_stale_today(artefacts_dir: Path, sample: str) -> None:
    root = _as_sent(_sample(artefacts_dir, sample))
    refusal = _refusal(root, _Pinned(_token_certificate(root)))  # type: ignore[arg-type]
    assert refusal == "timestamp-expired"


def test_garbled_signature_value_is_refused(identity: SigningIdentity, trust: TrustStore) -> None:
    envelope = _signed(identity)
    _security(envelope).find(
        f"{{{DS_NS}}}Signature/{{{DS_NS}}}SignatureValue"
    ).text = "@@not base64@@"
    assert _refusal(envelope, trust) == "malformed"
