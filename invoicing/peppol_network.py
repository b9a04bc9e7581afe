"""The gateway's side of the sandbox Peppol network: its participants and its access point.

:func:`backends` gives the sandbox (``sandbox.peppol``, through the composition
root) an SMP backend (participant ``0184:<CVR>`` of each organisation,
registered for every document type the gateway sends, with the gateway's AS4
endpoint and certificate) and the gateway's receiving access point (verifies,
decrypts, drops duplicates, hands each document to :func:`invoicing.inbound.deliver`).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from sqlalchemy import select

from gateway.signing.keys import load_configured_trust_store
from gateway.tenancy.models import Organisation
from invoicing import inbound
from invoicing.as4 import As4Receiver, InboundMessage
from invoicing.as4.receiver import ReceiveResult
from invoicing.channel import PEPPOL_DOCUMENT_TYPES, gateway_identity
from invoicing.peppol_ids import ParticipantId
from invoicing.peppol_smp import SmpDirectory

if TYPE_CHECKING:
    from gateway.bootstrap import Container
    from gateway.settings import Settings

__all__ = ["GatewayAccessPoint", "GatewaySmp", "backends"]


class _Lazy:
    """The gateway container, built on first use (the sandbox may start before the database)."""

    def __init__(self, settings: Settings, container: Container | None = None) -> None:
        self._settings = settings
        self._container = container
        self._lock = threading.Lock()

    def __call__(self) -> Container:
        with self._lock:
            if self._container is None:
                from gateway.bootstrap import bootstrap

                self._container = bootstrap(self._settings)
            return self._container


def _organisation(c: Container, pid: ParticipantId) -> Organisation | None:
    scheme, _, value = pid.value.partition(":")
    if scheme != "0184" or not value:
        return None
    with c.db.transaction() as s:
        return s.scalar(select(Organisation).where(Organisation.cvr == value))


class GatewaySmp:
    """An SMP that knows every organisation of the gateway, looked up when asked."""

    def __init__(self, container: _Lazy, settings: Settings) -> None:
        self._container = container
        self._settings = settings
        self._directory: SmpDirectory | None = None
        self._lock = threading.Lock()

    def _dir(self) -> SmpDirectory:
        with self._lock:
            if self._directory is None:
                identity = gateway_identity(self._settings)
                self._directory = SmpDirectory(signer=(identity.private_key, identity.certificate))  # type: ignore[arg-type]
            return self._directory

    def _register(self, participant: str) -> bool:
        pid = ParticipantId.parse(participant)
        if _organisation(self._container(), pid) is None:
            return False
        directory = self._dir()
        url = self._settings.effective_sandbox_url.rstrip("/") + "/peppol/as4"
        cert = gateway_identity(self._settings).certificate
        for doc_type, process in PEPPOL_DOCUMENT_TYPES:
            directory.register(pid, doc_type, process_id=process, url=url, certificate=cert)
        return True

    def service_group(self, participant: str, *, base_url: str) -> bytes | None:
        """The participant's ServiceGroup, or None when no organisation has that CVR."""
        if not self._register(participant):
            return None
        return self._dir().service_group(participant, base_url=base_url)

    def service_metadata(self, participant: str, doc_type_id: str) -> bytes | None:
        """The signed ServiceMetadata for one document type."""
        if not self._register(participant):
            return None
        return self._dir().service_metadata(participant, doc_type_id)


class GatewayAccessPoint:
    """The gateway's receiving AS4 access point, built when the first message arrives."""

    def __init__(self, container: _Lazy, settings: Settings) -> None:
        self._container = container
        self._settings = settings
        self._receiver: As4Receiver | None = None
        self._lock = threading.Lock()

    def _accepts(self, participant: str) -> bool:
        try:
            pid = ParticipantId.parse(participant)
        except Exception:
            return False
        return _organisation(self._container(), pid) is not None

    def receiver(self) -> As4Receiver:
        with self._lock:
            if self._receiver is None:
                c = self._container()

                def deliver(message: InboundMessage) -> None:
                    inbound.deliver(c, message)

                self._receiver = As4Receiver(
                    identity=gateway_identity(self._settings),
                    trust=load_configured_trust_store(self._settings),
                    deliver=deliver,
                    message_log=inbound.SubmissionMessageLog(c),
                    accepts_recipient=self._accepts,
                )
            return self._receiver

    def receive(self, body: bytes, content_type: str) -> ReceiveResult:
        """Handle one POSTed AS4 message."""
        return self.receiver().receive(body, content_type)


def backends(
    settings: Settings, *, container: Container | None = None
) -> tuple[GatewaySmp, GatewayAccessPoint]:
    """The SMP registrations and the access point the sandbox Peppol network serves."""
    lazy = _Lazy(settings, container)
    return GatewaySmp(lazy, settings), GatewayAccessPoint(lazy, settings)
