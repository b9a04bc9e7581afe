"""The sandbox time-stamping authority speaks RFC 3161 as a real one does."""

from __future__ import annotations

import hashlib

import httpx
import pytest
import rfc3161_client
from cryptography import x509

from gateway.audit.errors import TimestampError
from gateway.audit.timestamp import HttpTimestamper, response_status, verify_timestamp
from gateway.signing import load_trust_store
from gateway.signing.devca import KeyPaths


@pytest.fixture(scope="module")
def roots(audit_keys) -> tuple[x509.Certificate, ...]:  # type: ignore[no-untyped-def]
    return load_trust_store(KeyPaths.under(audit_keys).trust_store).certificates


def test_a_token_verifies_for_its_data_only(
    tsa_url: str, roots: tuple[x509.Certificate, ...]
) -> None:
    token = HttpTimestamper(tsa_url, roots).stamp(b"signed tree head")
    stamp = verify_timestamp(token, b"signed tree head", roots)
    assert stamp.gen_time.tzinfo is not None and stamp.serial_number > 0
    with pytest.raises(TimestampError, match="does not verify"):
        verify_timestamp(token, b"another tree head", roots)


def test_a_token_from_an_untrusted_tsa_is_refused(
    tsa_url: str, roots: tuple[x509.Certificate, ...]
) -> None:
    from gateway.signing.devca import CertificateKind, issue_certificate

    token = HttpTimestamper(tsa_url, roots).stamp(b"x")
    stranger = issue_certificate(CertificateKind.CA, "Stranger CA", key_size=2048).certificate
    with pytest.raises(TimestampError):
        verify_timestamp(token, b"x", [stranger])


def test_the_tsa_refuses_what_is_not_a_timestamp_query(tsa_url: str) -> None:
    assert (
        httpx.post(tsa_url, content=b"x", headers={"Content-Type": "text/plain"}).status_code == 415
    )
    answer = httpx.post(
        tsa_url, content=b"not DER", headers={"Content-Type": "application/timestamp-query"}
    )
    assert answer.status_code == 200
    status = response_status(answer.content)
    assert status["status"].native == "rejection"
    assert "bad_data_format" in status["fail_info"].native
    big = httpx.post(
        tsa_url, content=b"0" * 20000, headers={"Content-Type": "application/timestamp-query"}
    )
    assert big.status_code == 413


def test_the_tsa_echoes_the_nonce_and_imprint(tsa_url: str) -> None:
    request = (
        rfc3161_client.TimestampRequestBuilder()
        .data(b"abc")
        .hash_algorithm(rfc3161_client.HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .build()
    )
    answer = httpx.post(
        tsa_url,
        content=request.as_bytes(),
        headers={"Content-Type": "application/timestamp-query"},
    )
    response = rfc3161_client.decode_timestamp_response(answer.content)
    assert response.tst_info.nonce == request.nonce
    assert response.tst_info.message_imprint.message == hashlib.sha256(b"abc").digest()
