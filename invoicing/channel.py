"""The Peppol channel: SMP lookup, then the AS4 one-way push with the gateway's identity.

The pipeline hands over a validated (and XAdES-signed) UBL document; the
channel names its Peppol document type and process from the document itself,
looks the receiver up in the SMP, pushes with the submission's message id as
the AS4 MessageId (stable across retries, so the receiver drops duplicates)
and judges the signed receipt: delivered (receipt kept), no receipt (retry),
or refused (rejected with the receiver's error).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import httpx

from gateway.channels.base import OutboundMessage, ReceiptOutcome, SendOutcome, SendResult
from gateway.signing import SigningIdentity, load_signing_identity
from invoicing.as4 import As4Error, As4Identity, DeliveryStatus, send_as4
from invoicing.peppol import ParticipantNotFound, PeppolLookup, SmpUnavailable, StaticSmpLocator
from invoicing.peppol_ids import InvalidPeppolId, ParticipantId
from invoicing.peppol_smp import SmpError
from schemas import xmlsafe

if TYPE_CHECKING:
    from gateway.settings import Settings

__all__ = [
    "PEPPOL_DOCUMENT_TYPES",
    "PeppolChannel",
    "document_type",
    "gateway_identity",
    "make_channel",
    "participant_of",
]

_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
_BILLING = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
_BILLING_CUSTOM = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
_UBL = "urn:oasis:names:specification:ubl:schema:xsd:"

# Every (document type, process) the gateway's participants are registered for in the SMP.
PEPPOL_DOCUMENT_TYPES: tuple[tuple[str, str], ...] = (
    (f"{_UBL}Invoice-2::Invoice##{_BILLING_CUSTOM}::2.1", _BILLING),
    (f"{_UBL}CreditNote-2::CreditNote##{_BILLING_CUSTOM}::2.1", _BILLING),
    (
        f"{_UBL}Order-2::Order##urn:fdc:peppol.eu:poacc:trns:order:3::2.1",
        "urn:fdc:peppol.eu:poacc:bis:ordering:3",
    ),
    (
        f"{_UBL}OrderResponse-2::OrderResponse##urn:fdc:peppol.eu:poacc:trns:order_response:3::2.1",
        "urn:fdc:peppol.eu:poacc:bis:ordering:3",
    ),
    (
        f"{_UBL}ApplicationResponse-2::ApplicationResponse"
        "##urn:fdc:peppol.eu:poacc:trns:invoice_response:3::2.1",
        "urn:fdc:peppol.eu:poacc:bis:invoice_response:3",
    ),
    (f"{_UBL}Invoice-2::Invoice##OIOUBL-2.1::2.1", "urn:www.nesubl.eu:profiles:profile5:ver2.0"),
    (
        f"{_UBL}CreditNote-2::CreditNote##OIOUBL-2.1::2.1",
        "urn:www.nesubl.eu:profiles:profile5:ver2.0",
    ),
)


class UnknownDocumentType(ValueError):
    """The payload is not a UBL document with a CustomizationID and ProfileID."""


def document_type(payload: bytes) -> tuple[str, str]:
    """The Peppol document type id and process id a UBL document declares."""
    try:
        root = xmlsafe.parse(payload).getroot()
    except xmlsafe.XmlError as exc:
        raise UnknownDocumentType(f"the payload is not well-formed XML: {exc.detail}") from exc
    tag = root.tag if isinstance(root.tag, str) else ""
    namespace, _, local = tag[1:].partition("}")
    customization = root.findtext(f"{{{_CBC}}}CustomizationID")
    profile = root.findtext(f"{{{_CBC}}}ProfileID")
    if not namespace.startswith(_UBL) or not customization or not profile:
        raise UnknownDocumentType("not a UBL document with CustomizationID and ProfileID")
    return f"{namespace}::{local}##{customization.strip()}::2.1", profile.strip()


_EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
_SIG = "urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2"
_SBC = "urn:oasis:names:specification:ubl:schema:xsd:SignatureBasicComponents-2"
_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"


def participant_of(party: str) -> str:
    """A participant id (``0184:<CVR>``) for a submission's sender or recipient."""
    return party if ":" in party else f"0184:{party.removeprefix('DK')}"


def gateway_identity(settings: Settings) -> SigningIdentity:
    """The gateway's signing identity: its access point key and certificate."""
    password = (
        settings.signing.key_password.get_secret_value() if settings.signing.key_password else None
    )
    return load_signing_identity(settings.signing_key_file, password)


class PeppolChannel:
    """Sends submissions over Peppol AS4; the receipt comes back with the answer."""

    name = "peppol"

    def __init__(
        self,
        settings: Settings,
        *,
        identity: As4Identity | None = None,
        smp_url: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self._settings = settings
        self._identity = identity
        self._smp_url = smp_url
        self._timeout = timeout
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None

    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(timeout=self._timeout)
            return self._client

    def identity(self) -> As4Identity:
        return self._identity or gateway_identity(self._settings)

    def _lookup(self, endpoint: str) -> PeppolLookup:
        sandbox = self._settings.effective_sandbox_url.rstrip("/") + "/peppol/smp"
        smp = self._smp_url or endpoint or sandbox
        # The sandbox SMP signs with the gateway's own certificate; other SMPs are looked
        # up unverified until a deployment names their certificate.
        smp_cert = gateway_identity(self._settings).certificate if smp == sandbox else None
        return PeppolLookup(
            locator=StaticSmpLocator(smp), client=self._http(), smp_certificate=smp_cert
        )

    def send(self, message: OutboundMessage) -> SendOutcome:
        """Push one document; DELIVERED carries the receiver's signed receipt."""
        try:
            # The kernel's signer leaves Peppol documents unsigned inside (AS4 signs them).
            payload = message.payload
            doc_type, process = document_type(payload)
            receiver = str(ParticipantId.parse(message.recipient).value)
        except (UnknownDocumentType, InvalidPeppolId) as exc:
            return SendOutcome(SendResult.REJECTED, detail=str(exc))
        try:
            outcome = send_as4(
                payload,
                sender_id=participant_of(message.sender),
                receiver_id=receiver,
                doc_type_id=doc_type,
                process_id=process,
                identity=self.identity(),
                client=self._http(),
                resolver=self._lookup(message.endpoint),
                message_id=message.message_id,
                timeout=self._timeout,
            )
        except ParticipantNotFound as exc:
            return SendOutcome(SendResult.REJECTED, detail=f"Peppol lookup: {exc}")
        except (SmpUnavailable, SmpError, httpx.HTTPError) as exc:
            return SendOutcome(SendResult.RETRY, detail=f"Peppol lookup: {exc}")
        except As4Error as exc:
            return SendOutcome(SendResult.REJECTED, detail=f"AS4: {exc}")
        if outcome.status is DeliveryStatus.DELIVERED and outcome.receipt is not None:
            return SendOutcome(
                SendResult.DELIVERED,
                transmission_id=outcome.message_id,
                detail=f"receipt {outcome.receipt.message_id} from {outcome.endpoint_url}",
                receipt=outcome.receipt.raw,
            )
        if outcome.status is DeliveryStatus.REFUSED:
            return SendOutcome(
                SendResult.REJECTED,
                transmission_id=outcome.message_id,
                detail=f"{outcome.error_code}: {outcome.detail}",
                findings=[
                    {
                        "rule": outcome.error_code or "AS4",
                        "severity": "fatal",
                        "location": "/",
                        "message": outcome.detail,
                    }
                ],
            )
        return SendOutcome(SendResult.RETRY, detail=outcome.detail or "no receipt")

    def poll_receipt(self, message: OutboundMessage, transmission_id: str) -> ReceiptOutcome:
        """AS4 receipts come back with the push; a delivered message has nothing to poll."""
        return ReceiptOutcome(ready=False, detail="AS4 receipts arrive with the send")


def make_channel(settings: Settings) -> PeppolChannel:
    """The channel factory the composition root calls."""
    return PeppolChannel(settings, timeout=settings.pipeline.http_timeout_seconds)
