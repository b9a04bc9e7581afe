"""A time-stamping authority (RFC 3161) for the embedded setup and the tests.

It answers ``application/timestamp-query`` with ``application/timestamp-reply``
as a real TSA does: a TSTInfo over the requested imprint, in CMS SignedData
with the ESS signing-certificate-v2 attribute (RFC 5816), signed by a
certificate whose only extended key usage is id-kp-timeStamping (critical).
The certificate is issued at start by the development CA of the keys folder,
so whoever trusts that CA can verify the tokens.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from fastapi import FastAPI, Request, Response

from gateway.settings import Settings
from gateway.signing.devca import CertificateKind, IssuedCertificate, KeyPaths, issue_certificate

__all__ = ["POLICY_OID", "TimeStampAuthority", "mount"]

_log = logging.getLogger("sandbox.tsa")

# The TSA policy of this simulator (a UUID-derived OID, ITU-T X.667: no registration needed).
POLICY_OID = "2.25.248443416107346744618359426014302498761"
_MAX_REQUEST = 16 * 1024
_DIGESTS = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


@dataclass
class TimeStampAuthority:
    """Signs time-stamp tokens with ``issued`` (a TSA certificate and its key)."""

    issued: IssuedCertificate
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _serials: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def respond(self, request_der: bytes) -> bytes:
        """The DER TimeStampResp for a DER TimeStampReq (a rejection when it is unusable)."""
        try:
            req = tsp.TimeStampReq.load(request_der, strict=True)
            imprint = req["message_imprint"]
            algorithm = imprint["hash_algorithm"]["algorithm"].native
            digest = imprint["hashed_message"].native
            if algorithm not in _DIGESTS or len(digest) != _DIGESTS[algorithm]().digest_size:
                return _rejection("bad_alg", f"hash algorithm {algorithm} is not accepted")
            policy = req["req_policy"].native
            if policy is not None and policy != POLICY_OID:
                return _rejection("unaccepted_policy", f"policy {policy} is not offered")
        except (ValueError, TypeError, KeyError) as exc:
            return _rejection("bad_data_format", f"not a TimeStampReq: {exc}")
        return self._grant(imprint, req["nonce"].native, bool(req["cert_req"].native))

    def _grant(self, imprint: tsp.MessageImprint, nonce: int | None, with_cert: bool) -> bytes:
        cert = self.issued.certificate
        cert_der = cert.public_bytes(serialization.Encoding.DER)
        info: dict[str, object] = {
            "version": "v1",
            "policy": POLICY_OID,
            "message_imprint": imprint,
            "serial_number": (int(self.clock().timestamp()) << 24) + next(self._serials),
            "gen_time": self.clock().astimezone(UTC).replace(microsecond=0),
            "accuracy": {"seconds": 1},
            "ordering": False,
        }
        if nonce is not None:
            info["nonce"] = nonce
        tst_info = tsp.TSTInfo(info)
        content = tst_info.dump()
        signed_attrs = cms.CMSAttributes(
            [
                {"type": "content_type", "values": ["tst_info"]},
                {"type": "message_digest", "values": [hashlib.sha256(content).digest()]},
                {
                    "type": "signing_certificate_v2",
                    "values": [
                        {
                            "certs": [
                                {
                                    "hash_algorithm": {"algorithm": "sha256"},
                                    "cert_hash": hashlib.sha256(cert_der).digest(),
                                }
                            ]
                        }
                    ],
                },
            ]
        )
        key = self.issued.private_key
        assert isinstance(key, rsa.RSAPrivateKey)
        # The signature covers the DER of the attributes as a SET OF (RFC 5652 5.4).
        signature = key.sign(signed_attrs.dump(), padding.PKCS1v15(), hashes.SHA256())
        asn1_cert = asn1_x509.Certificate.load(cert_der)
        signer = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    {
                        "issuer_and_serial_number": {
                            "issuer": asn1_cert.issuer,
                            "serial_number": asn1_cert.serial_number,
                        }
                    }
                ),
                "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "signed_attrs": signed_attrs,
                "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
                "signature": signature,
            }
        )
        signed_data = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
                "encap_content_info": {
                    "content_type": "tst_info",
                    "content": core.ParsableOctetString(content),
                },
                "certificates": [asn1_cert] if with_cert else [],
                "signer_infos": [signer],
            }
        )
        if not with_cert:
            del signed_data["certificates"]
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
        return tsp.TimeStampResp(
            {"status": {"status": "granted"}, "time_stamp_token": token}
        ).dump()


def _rejection(failure: str, text: str) -> bytes:
    _log.info("sandbox.tsa.rejected", extra={"failure": failure})
    status = tsp.PKIStatusInfo(
        {"status": "rejection", "status_string": [text], "fail_info": tsp.PKIFailureInfo({failure})}
    ).dump()
    # TimeStampResp ::= SEQUENCE { status, timeStampToken OPTIONAL }; asn1crypto's class
    # insists on the token, so the SEQUENCE around the status is written here.
    return core.Sequence.load(b"\x30" + _der_length(len(status)) + status).dump()


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def authority_from_keys(keys: KeyPaths) -> TimeStampAuthority:
    """A TSA certified by the development CA in ``keys`` (a fresh key at every start)."""
    ca_cert = x509.load_pem_x509_certificate(keys.ca_cert.read_bytes())
    ca_key = serialization.load_pem_private_key(keys.ca_key.read_bytes(), None)
    assert isinstance(ca_key, rsa.RSAPrivateKey)
    ca = IssuedCertificate(ca_key, ca_cert)
    issued = issue_certificate(
        CertificateKind.TIME_STAMPING, "Sandbox time-stamping authority", issuer=ca, key_size=2048
    )
    return TimeStampAuthority(issued)


def mount(app: FastAPI, settings: Settings) -> None:
    """Serve ``POST /tsa`` when the development CA is in the keys folder."""
    keys = KeyPaths.under(settings.effective_keys_dir)
    if not (keys.ca_cert.is_file() and keys.ca_key.is_file()):
        return
    authority = authority_from_keys(keys)
    app.state.tsa = authority

    @app.post(
        "/tsa",
        tags=["sandbox time-stamping authority"],
        summary="RFC 3161 time-stamp: a DER TimeStampReq in, a DER TimeStampResp out",
        response_class=Response,
    )
    async def stamp(request: Request) -> Response:
        if request.headers.get("content-type", "").split(";")[0] != "application/timestamp-query":
            return Response("send application/timestamp-query", status_code=415)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > _MAX_REQUEST:
                return Response("a time-stamp request is small; this one is not", 413)
        return Response(authority.respond(body), media_type="application/timestamp-reply")
