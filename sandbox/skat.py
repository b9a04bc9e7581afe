"""A simulator of the Danish tax agency's RSU VAT services, built from their WSDLs and XSDs.

Mount :attr:`SkatSandbox.app` (an ASGI app) under the sandbox server, e.g. at
``/skat``; the services answer at ``/<Service>ServicePort`` as the WSDLs'
addresses do. Each request is parsed by the hardened parser, its WS-Security
signature verified against the trust store (the signing certificate names the
software provider), checked against the service's XSD, answered once per
``TransaktionIdentifikator`` (a resend gets the first answer again), and then
handled with the agency's error codes 4801-4817 and advice codes 5001-5004.
The company's side (skat.dk) is the small portal in :mod:`sandbox.skat_portal`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier
from lxml import etree
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.signing.wssecurity import (
    SKAT_RSU_VERIFY,
    CertificateTrust,
    VerifyOptions,
    WsSecurityError,
    sign_envelope,
    verify_envelope,
)
from sandbox import skat_messages as msg
from sandbox.skat_calendar import period_problem, periods_between
from sandbox.skat_portal import portal_routes
from sandbox.skat_state import APPROVED, PENDING, REJECTED, Draft, SkatState
from schemas import xmlsafe
from schemas.skat_contract import (
    CTX_NS,
    NEM_NS,
    SERVICES,
    VIRK_NS,
    WS_NS,
    ServiceContract,
    schema_errors,
    service_for_element,
)

__all__ = ["SkatSandbox", "provider_of"]

log = logging.getLogger("sandbox.skat")

_SOAP_NS = msg.SOAP_NS
_LIMITS = xmlsafe.XmlLimits(max_bytes=2 * 1024 * 1024, max_depth=40, max_elements=10_000)
_ORGANIZATION_IDENTIFIER = ObjectIdentifier("2.5.4.97")
_NTR = re.compile(r"^NTRDK-(\d{8})")
_CVR = re.compile(r"CVR:(\d{8})")


def provider_of(certificate: x509.Certificate) -> str:
    """The software provider a signing certificate speaks for: ``CVR:<number>`` or a fingerprint.

    Danish organisation certificates carry the CVR number as organizationIdentifier
    ``NTRDK-<cvr>`` (OCES3), or as serialNumber ``CVR:<cvr>-UID:...`` and in the
    organisation name ``... // CVR:<cvr>`` (OCES2).
    """
    for oid, pattern in (
        (_ORGANIZATION_IDENTIFIER, _NTR),
        (NameOID.SERIAL_NUMBER, _CVR),
        (NameOID.ORGANIZATION_NAME, _CVR),
    ):
        for attribute in certificate.subject.get_attributes_for_oid(oid):
            found = pattern.search(str(attribute.value))
            if found:
                return f"CVR:{found.group(1)}"
    return "SHA256:" + certificate.fingerprint(hashes.SHA256()).hex()


class _Refusal(Exception):
    """A request refused with a SOAP fault before it reaches the service."""

    def __init__(self, code: str, message: str, *, security: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.security = security


def _text(parent: etree._Element, path: str) -> str | None:
    found = parent.find(path)
    return None if found is None or found.text is None else found.text.strip()


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


class SkatSandbox:
    """The simulated agency: its state, its portal actions and its ASGI app."""

    def __init__(
        self,
        *,
        artefacts_dir: Path,
        trust: CertificateTrust,
        state: SkatState | None = None,
        clock: Callable[[], datetime] | None = None,
        server_key: rsa.RSAPrivateKey | None = None,
        server_certificate: x509.Certificate | None = None,
        verify_options: VerifyOptions = SKAT_RSU_VERIFY,
    ) -> None:
        self.artefacts_dir = Path(artefacts_dir)
        self.trust = trust
        self.state = state or SkatState()
        self.clock = clock or (lambda: datetime.now(UTC))
        self._server_key = server_key
        self._server_certificate = server_certificate
        self._verify_options = verify_options
        self._serial = threading.Lock()
        self.app = Starlette(
            routes=[
                *portal_routes(self),
                Route("/{port}", self._soap, methods=["POST"]),
            ]
        )

    # ------------------------------------------------------------ portal actions

    def grant(self, se: str, provider: str | x509.Certificate) -> None:
        """Company ``se`` delegates VAT reporting to a provider (CVR key or its certificate)."""
        key = provider if isinstance(provider, str) else provider_of(provider)
        self.state.grant(se, key)

    def revoke(self, se: str, provider: str | x509.Certificate) -> None:
        """Company ``se`` withdraws the delegation."""
        key = provider if isinstance(provider, str) else provider_of(provider)
        self.state.revoke(se, key)

    def approve(self, transaction_id: str) -> Draft:
        """The company approves the draft on the portal, as it would on skat.dk."""
        return self.state.decide(transaction_id, approve=True, now=self.clock())

    def reject(self, transaction_id: str) -> Draft:
        """The company rejects the draft on the portal."""
        return self.state.decide(transaction_id, approve=False, now=self.clock())

    # -------------------------------------------------------------------- SOAP

    async def _soap(self, request: Request) -> Response:
        port = request.path_params["port"]
        service = SERVICES.get(port.removesuffix("ServicePort"))
        if service is None:
            return Response(status_code=404)
        body = await request.body()
        action = request.headers.get("SOAPAction")
        # The portal sits beside the service ports, under whatever prefix we are mounted at.
        here = str(request.url.replace(query="", fragment=""))
        portal = here.rsplit("/", 1)[0] + "/_portal/drafts/"
        status, content = await run_in_threadpool(self.handle, body, service, action, portal)
        return Response(content, status_code=status, media_type="text/xml; charset=utf-8")

    def handle(
        self, body: bytes, service: ServiceContract, soap_action: str | None, portal: str
    ) -> tuple[int, bytes]:
        """Answer one SOAP request: (HTTP status, response bytes)."""
        try:
            return 200, self._answer(body, service, soap_action, portal)
        except _Refusal as refusal:
            log.info(
                "sandbox.skat.refused", extra={"code": refusal.code, "reason": refusal.message}
            )
            return 500, msg.soap_fault(refusal.code, refusal.message, security=refusal.security)

    def _answer(
        self, body: bytes, service: ServiceContract, soap_action: str | None, portal: str
    ) -> bytes:
        try:
            root = xmlsafe.parse(body, limits=_LIMITS).getroot()
        except xmlsafe.XmlError as exc:
            raise _Refusal("Client", f"XML error: {exc.detail}") from exc
        if root.tag != _q(_SOAP_NS, "Envelope"):
            raise _Refusal("Client", "XML error: the request is not a SOAP 1.1 Envelope")
        try:
            verified = verify_envelope(
                root, trust=self.trust, now=self.clock(), options=self._verify_options
            )
        except WsSecurityError as exc:
            raise _Refusal(exc.fault_code, exc.detail, security=True) from exc
        children = [c for c in verified.body if isinstance(c.tag, str)]
        if len(children) != 1:
            raise _Refusal("Client", "XML error: the Body must hold exactly one request element")
        request = children[0]
        match = service_for_element(request.tag)
        if match is None or match != (service, "I"):
            raise _Refusal(
                "Client", f"XML error: {etree.QName(request).localname} is not {service.name}_I"
            )
        if soap_action and soap_action.strip('"') not in ("", service.soap_action):
            raise _Refusal("Client", f"SOAPAction {soap_action} does not match {service.name}")
        problems = schema_errors(request, artefacts_dir=self.artefacts_dir)
        if problems:
            raise _Refusal("Client", "XML error: " + "; ".join(problems[:5]))

        provider = provider_of(verified.certificate)
        message_id = _text(
            request, f"{_q(CTX_NS, 'HovedOplysninger')}/{_q(CTX_NS, 'TransaktionIdentifikator')}"
        )
        digest = _content_hash(request)
        # One message at a time: two copies of a message racing in must not make two drafts.
        with self._serial:
            return self._once(service, request, provider, portal, message_id, digest)

    def _once(
        self,
        service: ServiceContract,
        request: etree._Element,
        provider: str,
        portal: str,
        message_id: str | None,
        digest: str,
    ) -> bytes:
        if message_id:
            seen = self.state.reply(provider, message_id)
            if seen is not None:
                if seen[0] != digest:
                    raise _Refusal(
                        "Client",
                        f"TransaktionIdentifikator {message_id} was already used for another request",
                    )
                # Same message again (a retry): the first answer, freshly signed.
                return self._wrap(xmlsafe.parse(seen[1]).getroot())
        payload = self._dispatch(service, request, provider, portal)
        if message_id:
            self.state.remember_reply(provider, message_id, digest, etree.tostring(payload))
        log.info("sandbox.skat.answered", extra={"service": service.name, "provider": provider})
        return self._wrap(payload)

    def _wrap(self, payload: etree._Element) -> bytes:
        env = msg.envelope(payload)
        if self._server_key is not None and self._server_certificate is not None:
            sign_envelope(
                env, key=self._server_key, certificate=self._server_certificate, now=self.clock()
            )
        return etree.tostring(env, xml_declaration=True, encoding="UTF-8")

    # -------------------------------------------------------------- operations

    def _dispatch(
        self, service: ServiceContract, request: etree._Element, provider: str, portal: str
    ) -> etree._Element:
        head = request.find(_q(CTX_NS, "HovedOplysninger"))
        context = {
            "transaction_id": _text(head, _q(CTX_NS, "TransaktionIdentifikator")),
            "transaction_time": _text(head, _q(CTX_NS, "TransaktionTid")),
        }
        handler = {
            "VirksomhedKalenderHent": self._calendar,
            "ModtagMomsangivelseForeloebig": self._submit,
            "MomsangivelseKvitteringHent": self._receipt,
        }[service.name]
        return handler(service, request, provider, portal, context)

    def _calendar(
        self,
        service: ServiceContract,
        request: etree._Element,
        provider: str,
        portal: str,
        context: dict[str, Any],
    ) -> etree._Element:
        se = _text(request, _q(VIRK_NS, "VirksomhedSENummerIdentifikator")) or ""
        if not self.state.is_delegated(se, provider):
            return msg.error_response(service, 4801, **context)
        if _text(request, _q(NEM_NS, "AngivelseTypeNavn")) != "Moms":
            return msg.error_response(service, 4816, **context)
        window = request.find(_q(WS_NS, "AngivelseBetalingFristHentFra"))
        today = self.clock().date()
        first = _date(window, "SoegeDatoFraDate") or date(today.year, 1, 1)
        last = _date(window, "SoegeDatoTilDate") or date(today.year, 12, 31)
        if first > last:
            return msg.error_response(service, 4817, **context)
        frequency, registered = self.state.company(se)
        periods = periods_between(max(first, registered), last, frequency=frequency)
        return msg.calendar_response(
            service,
            se=se,
            frequency=frequency,
            registered=registered,
            periods=periods,
            **context,
        )

    def _submit(
        self,
        service: ServiceContract,
        request: etree._Element,
        provider: str,
        portal: str,
        context: dict[str, Any],
    ) -> etree._Element:
        form = request.find(_q(WS_NS, "Angivelse"))
        se = (
            _text(
                form,
                f"{_q(WS_NS, 'AngiverVirksomhedSENummer')}/{_q(VIRK_NS, 'VirksomhedSENummerIdentifikator')}",
            )
            or ""
        )
        if not self.state.is_delegated(se, provider):
            return msg.error_response(service, 4801, **context)
        info = form.find(_q(WS_NS, "Angivelsesoplysninger"))
        start = _date(info, "AngivelsePeriodeFraDato")
        end = _date(info, "AngivelsePeriodeTilDato")
        assert start is not None and end is not None  # the XSD requires both
        frequency, _registered = self.state.company(se)
        problem = period_problem(start, end, frequency=frequency, today=self.clock().date())
        if problem is not None:
            return msg.error_response(service, problem, **context)
        fields = {
            etree.QName(item).localname: int(item.text or "0")
            for item in form.find(_q(WS_NS, "Angivelsesafgifter"))
            if isinstance(item.tag, str)
        }
        draft = self.state.add_draft(
            transaction_id=str(uuid.uuid4()),
            se=se,
            period=(start, end),
            fields=fields,
            provider=provider,
            now=self.clock(),
        )
        return msg.submit_response(
            service,
            draft_id=draft.transaction_id,
            correction=draft.kind == "correction",
            deep_link=portal + draft.transaction_id,
            **context,
        )

    def _receipt(
        self,
        service: ServiceContract,
        request: etree._Element,
        provider: str,
        portal: str,
        context: dict[str, Any],
    ) -> etree._Element:
        se = (
            _text(
                request, f"{_q(WS_NS, 'Angiver')}/{_q(VIRK_NS, 'VirksomhedSENummerIdentifikator')}"
            )
            or ""
        )
        if not self.state.is_delegated(se, provider):
            return msg.error_response(service, 4801, **context)
        draft = self.state.find_draft(_text(request, _q(NEM_NS, "TransaktionIdentifier")) or "")
        if draft is None or draft.se != se:
            return msg.error_response(service, 4813, **context)
        if draft.status != APPROVED:
            code = {PENDING: 4810, REJECTED: 4811}.get(draft.status, 4812)
            return msg.error_response(service, code, **context)
        amount = draft.fields.get("MomsAngivelseAfgiftTilsvarBeloeb", 0)
        previous = self.state.previous_approved(draft) if draft.kind == "correction" else None
        due = amount - (
            previous.fields.get("MomsAngivelseAfgiftTilsvarBeloeb", 0) if previous else 0
        )
        frequency, _registered = self.state.company(se)
        deadline = periods_between(draft.period_start, draft.period_start, frequency=frequency)[0]
        lines = [
            "Skattestyrelsen (sandbox) - kvittering for momsangivelse",
            f"SE-nummer: {se}",
            f"Periode: {draft.period_start.isoformat()} - {draft.period_end.isoformat()}",
            f"Art: {'efterangivelse' if draft.kind == 'correction' else 'ordinaer angivelse'}",
            f"Afgiftstilsvar: {amount} kr.",
            f"Godkendt: {draft.decided_at.isoformat() if draft.decided_at else ''}",
            f"Transaktion: {draft.transaction_id}",
        ]
        return msg.receipt_response(
            service,
            correction=draft.kind == "correction",
            pdf=msg.receipt_pdf(lines, created=self.clock()),
            ocr_number=_ocr_number(se, draft.period_start, draft.kind == "correction"),
            amount=due,
            payment_date=deadline.deadline,
            **context,
        )


def _date(parent: etree._Element | None, name: str) -> date | None:
    if parent is None:
        return None
    text = _text(parent, _q(NEM_NS, name))
    # xs:date may carry a zone ("2018-01-01Z"); the calendar day is what counts.
    return date.fromisoformat(text[:10]) if text else None


def _content_hash(request: etree._Element) -> str:
    # A retransmission carries a new TransaktionTid; the rest must be identical.
    copy = etree.fromstring(etree.tostring(request))
    for stamp in copy.iter(_q(CTX_NS, "TransaktionTid")):
        stamp.getparent().remove(stamp)
    return hashlib.sha256(etree.tostring(copy, method="c14n", exclusive=True)).hexdigest()


def _ocr_number(se: str, start: date, correction: bool) -> str:
    digits = f"{se}{start:%Y%m}{1 if correction else 0}"
    # Modulus-10 (Luhn) check digit, as on Danish payment slips.
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)
