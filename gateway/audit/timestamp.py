"""RFC 3161 time-stamps: ask a time-stamping authority, and check what it answered.

Requests and verification use ``rfc3161-client`` (CMS signature, ESS
signing-certificate binding, id-kp-timeStamping EKU, nonce, imprint); the
chain of the TSA's certificate is checked against the configured roots.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import httpx
import rfc3161_client
from asn1crypto import core, tsp
from cryptography import x509

from gateway.audit.errors import TimestampError

__all__ = [
    "HttpTimestamper",
    "Timestamper",
    "VerifiedTimestamp",
    "response_status",
    "verify_timestamp",
]

_QUERY = "application/timestamp-query"
_REPLY = "application/timestamp-reply"


class Timestamper(Protocol):
    def stamp(self, data: bytes) -> bytes:
        """A DER TimeStampResp over SHA-256 of ``data``, already verified."""
        ...


@dataclass(frozen=True, slots=True)
class VerifiedTimestamp:
    """What a valid time-stamp token vouches for."""

    gen_time: datetime
    serial_number: int
    tsa: str


def _decode(der: bytes) -> rfc3161_client.TimeStampResponse:
    try:
        return rfc3161_client.decode_timestamp_response(der)
    except ValueError as exc:
        raise TimestampError(f"the time-stamp is not an RFC 3161 response: {exc}") from exc


def _verify(
    response: rfc3161_client.TimeStampResponse,
    digest: bytes,
    roots: Sequence[x509.Certificate],
    builder: rfc3161_client.VerifierBuilder,
) -> VerifiedTimestamp:
    for root in roots:
        builder = builder.add_root_certificate(root)
    try:
        builder.build().verify(response, digest)
    except (rfc3161_client.VerificationError, ValueError) as exc:
        raise TimestampError(f"the time-stamp does not verify: {exc}") from exc
    signer = next(iter(response.signed_data.signer_infos))
    when = response.tst_info.gen_time
    return VerifiedTimestamp(
        gen_time=when if when.tzinfo else when.replace(tzinfo=UTC),
        serial_number=response.tst_info.serial_number,
        tsa=signer.issuer.rfc4514_string(),
    )


def verify_timestamp(
    der: bytes, data: bytes, roots: Sequence[x509.Certificate]
) -> VerifiedTimestamp:
    """Check a stored TimeStampResp covers SHA-256 of ``data`` and chains to ``roots``."""
    if not roots:
        raise TimestampError("no trusted root to check the time-stamp against")
    response = _decode(der)
    return _verify(response, hashlib.sha256(data).digest(), roots, rfc3161_client.VerifierBuilder())


def response_status(der: bytes) -> tsp.PKIStatusInfo:
    """The PKIStatusInfo of a DER TimeStampResp, granted or not."""
    # asn1crypto's TimeStampResp insists on a token, which a refusal does not carry.
    outer = core.Sequence.load(der, strict=True)
    return tsp.PKIStatusInfo.load(outer[0].dump())


def _raise_for_refusal(der: bytes) -> None:
    try:
        status = response_status(der)
        granted = status["status"].native in ("granted", "granted_with_mods")
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise TimestampError(f"the time-stamp is not an RFC 3161 response: {exc}") from exc
    if not granted:
        texts = status["status_string"].native or []
        raise TimestampError(
            f"the time-stamping authority refused ({status['status'].native}): {'; '.join(texts)}"
        )


class HttpTimestamper:
    """A TSA reached over HTTP (RFC 3161 section 3.4); every answer is verified before use."""

    def __init__(
        self, url: str, roots: Sequence[x509.Certificate], *, timeout: float = 30.0
    ) -> None:
        self.url = url
        self._roots = tuple(roots)
        self._timeout = timeout

    def stamp(self, data: bytes) -> bytes:
        request = (
            rfc3161_client.TimestampRequestBuilder()
            .data(data)
            .hash_algorithm(rfc3161_client.HashAlgorithm.SHA256)
            .nonce(nonce=True)
            .cert_request(cert_request=True)
            .build()
        )
        try:
            answer = httpx.post(
                self.url,
                content=request.as_bytes(),
                headers={"Content-Type": _QUERY, "Accept": _REPLY},
                timeout=self._timeout,
            )
        except httpx.HTTPError as exc:
            raise TimestampError(
                f"the time-stamping authority at {self.url} failed: {exc}"
            ) from exc
        if answer.status_code != 200:
            raise TimestampError(
                f"the time-stamping authority at {self.url} answered {answer.status_code}"
            )
        _raise_for_refusal(answer.content)
        response = _decode(answer.content)
        _verify(
            response,
            hashlib.sha256(data).digest(),
            self._roots,
            rfc3161_client.VerifierBuilder.from_request(request),
        )
        return answer.content
