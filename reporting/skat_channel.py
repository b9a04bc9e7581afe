"""The tax agency's VAT services as a pipeline channel, on the kernel's generic SOAP channel.

``send`` is ModtagMomsangivelseForeloebig: the payload is the request body
element (``ModtagMomsangivelseForeloebig_I``, built by
:func:`reporting.vat_xml.modtag_request_document`); the channel stamps the
pipeline's message id as TransaktionIdentifikator (the agency answers a
repeated id with its first answer, so a retry never makes a second draft),
signs per the agency's WS-Security policy and sends it. The transmission id is
the draft's id. ``poll_receipt`` is MomsangivelseKvitteringHent: no receipt
until the company approves the draft (on skat.dk, or the sandbox portal).

Mutual TLS: when the route's endpoint is ``https``, the client certificate of
the development keys (``tls-client-*.pem``) is presented and the server must
chain to their CA; the embedded sandbox mounted on the plain-HTTP server is
reached without TLS (WS-Security still applies).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from gateway.channels.base import OutboundMessage, ReceiptOutcome, SendOutcome, SendResult
from gateway.channels.soap import SoapChannel, SoapEndpoint, SoapFault
from gateway.settings import Settings
from gateway.signing.devca import KeyPaths
from gateway.signing.keys import load_trust_store
from gateway.signing.wssecurity import (
    SKAT_RSU_VERIFY,
    WsSecurityError,
    WsSecuritySigner,
    verify_envelope,
)
from reporting.skat_errors import (
    SkatBadResponse,
    SkatDraftNotApproved,
    SkatError,
    SkatNotDelegated,
    SkatReceiptUnavailable,
    SkatRefused,
)
from reporting.skat_replies import read_receipt, read_submission
from schemas import xmlsafe
from schemas.skat_contract import SERVICES

__all__ = ["DELEGATION_FIX", "SkatChannel", "make_channel"]

_WS = "urn:oio:skat:nemvirksomhed:ws:1.0.0"
_NV = "urn:oio:skat:nemvirksomhed:1.0.0"
_V = "http://rep.oio.dk/skat.dk/motor/class/virksomhed/xml/schemas/20080401/"
DELEGATION_FIX = (
    "To fix it, the company grants the delegation on skat.dk (TastSelv Erhverv > "
    "Profil > Tilladelser: 'Moms – indberetning via system' for our software "
    "provider's certificate); then submit the return again."
)


def _se_and_period(payload: bytes) -> tuple[str, tuple[date, date]]:
    root = xmlsafe.parse(payload).getroot()
    se = root.findtext(f".//{{{_V}}}VirksomhedSENummerIdentifikator") or ""
    start = root.findtext(f".//{{{_NV}}}AngivelsePeriodeFraDato") or ""
    end = root.findtext(f".//{{{_NV}}}AngivelsePeriodeTilDato") or ""
    return se.strip(), (date.fromisoformat(start.strip()), date.fromisoformat(end.strip()))


class SkatChannel:
    """Loads the keys and the agency's WSDLs on first use (the gateway may start without keys)."""

    name = "skat"

    def __init__(
        self,
        *,
        artefacts_dir: Path,
        keys: KeyPaths,
        timeout: float = 60.0,
        clock: Any = None,
    ) -> None:
        self.artefacts_dir = Path(artefacts_dir)
        self.keys = keys
        self.timeout = timeout
        self._clock = clock or (lambda: datetime.now(UTC))
        self._soap: SoapChannel | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------ construction

    def _session(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # the pinned CA must win over REQUESTS_CA_BUNDLE
        session.cert = (str(self.keys.tls_client_cert), str(self.keys.tls_client_key))
        session.verify = str(self.keys.ca_cert)
        return session

    def _signer(self) -> WsSecuritySigner:
        key = serialization.load_pem_private_key(self.keys.signing_key.read_bytes(), None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise SkatError("the agency's WS-Security policy needs an RSA signing key")
        cert = x509.load_pem_x509_certificate(self.keys.signing_cert.read_bytes())
        return WsSecuritySigner(key=key, certificate=cert, clock=self._clock)

    def soap(self) -> SoapChannel:
        """The underlying SOAP channel (built once)."""
        with self._lock:
            if self._soap is None:
                trust = load_trust_store(self.keys.trust_store)
                service = SERVICES["ModtagMomsangivelseForeloebig"]

                def verify(root: etree._Element) -> None:
                    try:
                        verify_envelope(
                            root, trust=trust, now=self._clock(), options=SKAT_RSU_VERIFY
                        )
                    except WsSecurityError as exc:
                        raise SkatBadResponse(
                            f"the agency's answer is not validly signed: {exc.detail}"
                        ) from exc

                self._soap = SoapChannel(
                    name=self.name,
                    send=SoapEndpoint(
                        wsdl=service.wsdl(self.artefacts_dir),
                        operation=service.operation,
                        address="",
                        soap_action=service.soap_action,
                    ),
                    contract_root=self.artefacts_dir / "skat-vat-rsu",
                    session=self._session(),
                    wsse=self._signer(),
                    prepare=self._prepare,
                    on_answer=self._on_answer,
                    on_fault=self._on_fault,
                    poll=self._poll,
                    verify=verify,
                    address=lambda m: self._address(m.endpoint, "ModtagMomsangivelseForeloebig"),
                    timeout=self.timeout,
                )
            return self._soap

    @staticmethod
    def _address(base: str, service: str) -> str:
        return f"{base.rstrip('/')}/{service}ServicePort"

    # ------------------------------------------------------------------ hooks

    def _prepare(self, message: OutboundMessage, request: dict[str, Any]) -> dict[str, Any]:
        # The pipeline's message id is stable across retries: the agency dedups by it.
        request["HovedOplysninger"] = {
            "TransaktionIdentifikator": message.message_id,
            "TransaktionTid": self._clock(),
        }
        return request

    def _on_answer(self, message: OutboundMessage, answer: etree._Element) -> SendOutcome:
        se, period = _se_and_period(message.payload)
        try:
            draft = read_submission(
                answer,
                se=se,
                period=period,
                message_id=message.message_id,
                period_text=f"{period[0]}–{period[1]}",
            )
        except SkatNotDelegated as exc:
            return SendOutcome(SendResult.REJECTED, detail=f"{exc.detail}. {DELEGATION_FIX}")
        except SkatRefused as exc:
            return SendOutcome(SendResult.REJECTED, detail=exc.detail)
        except SkatError as exc:
            return SendOutcome(SendResult.RETRY, detail=exc.detail)
        kind = "a correction (efterangivelse)" if draft.correction else "a return"
        link = f" at {draft.approval_url}" if draft.approval_url else " on skat.dk"
        return SendOutcome(
            SendResult.DELIVERED,
            transmission_id=draft.draft_id,
            detail=f"the agency holds the draft as {kind}; the company approves it{link}",
        )

    def _on_fault(self, message: OutboundMessage, fault: SoapFault) -> SendOutcome:
        if fault.client_side:
            return SendOutcome(
                SendResult.REJECTED, detail=f"the tax agency refused the message: {fault.text}"
            )
        return SendOutcome(SendResult.RETRY, detail=f"the tax agency failed: {fault.text}")

    def _poll(self, soap: SoapChannel, message: OutboundMessage, draft_id: str) -> ReceiptOutcome:
        se, _period = _se_and_period(message.payload)
        service = SERVICES["MomsangivelseKvitteringHent"]
        endpoint = SoapEndpoint(
            wsdl=service.wsdl(self.artefacts_dir),
            operation=service.operation,
            address=self._address(message.endpoint, service.name),
            soap_action=service.soap_action,
        )
        try:
            answer = soap.call(
                endpoint,
                HovedOplysninger={
                    # A fresh id per poll: the agency answers a repeated id with its first answer.
                    "TransaktionIdentifikator": f"receipt-{uuid.uuid4()}",
                    "TransaktionTid": self._clock(),
                },
                TransaktionIdentifier=draft_id,
                Angiver={"VirksomhedSENummerIdentifikator": se},
            )
            receipt = read_receipt(answer, draft_id=draft_id, se=se)
        except SkatDraftNotApproved as exc:
            return ReceiptOutcome(ready=False, detail=exc.detail)
        except SkatReceiptUnavailable as exc:
            return ReceiptOutcome(ready=False, rejected=True, detail=exc.detail)
        except SkatRefused as exc:
            return ReceiptOutcome(ready=False, rejected=True, detail=exc.detail)
        except SkatError as exc:
            return ReceiptOutcome(ready=False, detail=exc.detail)
        body = {
            "authority": "skat",
            "draft_id": receipt.draft_id,
            "se": se,
            "correction": receipt.correction,
            "amount_due": str(receipt.amount_due) if receipt.amount_due is not None else None,
            "payment_deadline": receipt.payment_deadline.isoformat()
            if receipt.payment_deadline
            else None,
            "ocr_line": receipt.ocr_line,
            "pdf_sha256": hashlib.sha256(receipt.pdf).hexdigest(),
            "pdf": base64.b64encode(receipt.pdf).decode(),
        }
        return ReceiptOutcome(ready=True, receipt=json.dumps(body).encode())

    # ---------------------------------------------------------------- channel

    def send(self, message: OutboundMessage) -> SendOutcome:
        return self.soap().send(message)

    def poll_receipt(self, message: OutboundMessage, transmission_id: str) -> ReceiptOutcome:
        return self.soap().poll_receipt(message, transmission_id)


def make_channel(settings: Settings) -> SkatChannel:
    """The SKAT channel with the development keys and the installed agency contract."""
    return SkatChannel(
        artefacts_dir=settings.effective_artefacts_dir,
        keys=KeyPaths.under(settings.effective_keys_dir),
        timeout=settings.pipeline.http_timeout_seconds,
    )
