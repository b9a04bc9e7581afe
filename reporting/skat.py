"""The tax agency's (SKAT) system-to-system VAT services, as a client.

zeep builds each request from the agency's own WSDLs and XSDs, read from the
installed artefact directory only (the transport refuses anything else);
:class:`~gateway.signing.wssecurity.WsSecuritySigner` adds the WS-Security
header the agency's policy asks for; every request is checked against the XSD
before it leaves; TLS is mutual. Answers are parsed by the hardened parser,
their signature is verified when the agency's certificate is trusted, and the
agency's error codes become our errors (:mod:`reporting.skat_errors`).

The three steps of a VAT return: :func:`fetch_calendar` (which periods, which
deadlines), :func:`submit_vat_draft` (a draft the company approves on
skat.dk), :func:`fetch_receipt` (the receipt once approved).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import requests
import zeep
import zeep.exceptions
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from lxml import etree

from gateway.channels.soap import OneFolderTransport
from gateway.signing.wssecurity import (
    SKAT_RSU_VERIFY,
    CertificateTrust,
    WsSecurityError,
    WsSecuritySigner,
    verify_envelope,
)
from reporting.periods import Period
from reporting.skat_errors import (
    SkatBadResponse,
    SkatContractError,
    SkatCorrectionMismatch,
    SkatFault,
    SkatInputError,
    SkatUnreachable,
)
from reporting.skat_replies import (
    VAT_FIELDS,
    DraftSubmission,
    VatCalendar,
    VatReceipt,
    read_calendar,
    read_receipt,
    read_submission,
    whole_dkk_fields,
)
from schemas import xmlsafe
from schemas.skat_contract import SERVICES, ServiceContract, schema_errors

__all__ = [
    "SkatClient",
    "SkatConnection",
    "fetch_calendar",
    "fetch_receipt",
    "submit_vat_draft",
]

_SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
_WS_NS = "urn:oio:skat:nemvirksomhed:ws:1.0.0"
_ANSWER_LIMITS = xmlsafe.XmlLimits(max_bytes=20 * 1024 * 1024, max_depth=60)


@dataclass(frozen=True)
class SkatConnection:
    """Where the agency is and who we are to it.

    ``base_url`` is where the ``<Service>ServicePort`` endpoints live (the
    sandbox's ``https://127.0.0.1:<port>/skat``, or the agency's address).
    ``tls_client`` is the (certificate, key) PEM pair for mutual TLS and
    ``tls_verify`` the CA bundle the server's certificate must chain to.
    ``agency_trust`` verifies the signature on answers; None skips that check.
    """

    artefacts_dir: Path
    base_url: str
    signing_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = field(repr=False)
    signing_certificate: x509.Certificate
    tls_client: tuple[Path, Path] | None = None
    tls_verify: Path | bool = True
    agency_trust: CertificateTrust | None = None
    timeout: float = 60.0


class SkatClient:
    """One connection to the agency; builds a zeep client per service on first use."""

    def __init__(
        self, connection: SkatConnection, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        if not isinstance(connection.signing_key, rsa.RSAPrivateKey):
            raise SkatContractError("the agency's WS-Security policy needs an RSA signing key")
        self.connection = connection
        self._clock = clock or (lambda: datetime.now(UTC))
        self._session = requests.Session()
        # requests lets REQUESTS_CA_BUNDLE & co. override session.verify: the pinned CA must win.
        self._session.trust_env = False
        if connection.tls_client is not None:
            cert, key = connection.tls_client
            self._session.cert = (str(cert), str(key))
        self._session.verify = (
            str(connection.tls_verify)
            if isinstance(connection.tls_verify, Path)
            else connection.tls_verify
        )
        self._signer = WsSecuritySigner(
            key=connection.signing_key,
            certificate=connection.signing_certificate,
            clock=self._clock,
        )
        self._transport = OneFolderTransport(
            Path(connection.artefacts_dir) / "skat-vat-rsu",
            self._session,
            connection.timeout,
            refuse=SkatContractError,
        )
        self._clients: dict[str, zeep.Client] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> SkatClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _zeep(self, service: ServiceContract) -> zeep.Client:
        with self._lock:
            if service.name not in self._clients:
                settings = zeep.Settings(
                    strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True
                )
                wsdl = service.wsdl(self.connection.artefacts_dir).resolve()
                try:
                    self._clients[service.name] = zeep.Client(
                        str(wsdl), transport=self._transport, wsse=self._signer, settings=settings
                    )
                except zeep.exceptions.ExternalReferenceForbidden as exc:
                    raise SkatContractError(
                        f"refusing to fetch {exc.url}: the SKAT contract is read from the "
                        "installed artefacts only"
                    ) from exc
                except (OSError, zeep.exceptions.Error, etree.XMLSyntaxError) as exc:
                    raise SkatContractError(f"cannot load {wsdl.name}: {exc}") from exc
            return self._clients[service.name]

    def envelope(self, service_name: str, **request: Any) -> etree._Element:
        """The signed SOAP envelope for a request, checked against the service's XSD."""
        service = SERVICES[service_name]
        client = self._zeep(service)
        binding = client.create_service(
            f"{{{_WS_NS}}}{service.name}ServiceBinding", self.address(service)
        )
        try:
            envelope = client.create_message(binding, service.operation, **request)
        except (zeep.exceptions.Error, TypeError, ValueError) as exc:
            raise SkatInputError(f"cannot build the {service.name} request: {exc}") from exc
        body = envelope.find(f"{{{_SOAP_NS}}}Body")
        problems = schema_errors(body[0], artefacts_dir=self.connection.artefacts_dir)
        if problems:
            raise SkatInputError(
                f"the {service.name} request does not follow the agency's schema: "
                + "; ".join(problems[:5])
            )
        return envelope

    def address(self, service: ServiceContract) -> str:
        return f"{self.connection.base_url.rstrip('/')}/{service.name}ServicePort"

    def call(self, service_name: str, **request: Any) -> etree._Element:
        """Send one request; return the verified answer element (the ``..._O``)."""
        service = SERVICES[service_name]
        envelope = self.envelope(service_name, **request)
        headers = {
            "SOAPAction": f'"{service.soap_action}"',
            "Content-Type": "text/xml; charset=utf-8",
        }
        try:
            response = self._transport.post_xml(self.address(service), envelope, headers)
        except requests.RequestException as exc:
            raise SkatUnreachable(
                f"cannot reach the tax agency at {self.address(service)}: {exc}"
            ) from exc
        return self._answer(service, response)

    def _answer(self, service: ServiceContract, response: requests.Response) -> etree._Element:
        try:
            root = xmlsafe.parse(response.content, limits=_ANSWER_LIMITS).getroot()
        except xmlsafe.XmlError as exc:
            raise SkatBadResponse(
                f"the tax agency answered HTTP {response.status_code} with unreadable XML: {exc.detail}"
            ) from exc
        fault = root.find(f"{{{_SOAP_NS}}}Body/{{{_SOAP_NS}}}Fault")
        if fault is not None:
            code = (fault.findtext("faultcode") or "").strip()
            text = (fault.findtext("faultstring") or "").strip()
            raise SkatFault(f"the tax agency refused the message ({code}): {text}", code=code)
        if response.status_code != 200:
            raise SkatBadResponse(f"the tax agency answered HTTP {response.status_code}")
        trust = self.connection.agency_trust
        if trust is not None:
            try:
                verify_envelope(root, trust=trust, now=self._clock(), options=SKAT_RSU_VERIFY)
            except WsSecurityError as exc:
                raise SkatBadResponse(f"the answer's signature is not valid: {exc.detail}") from exc
        body = root.find(f"{{{_SOAP_NS}}}Body")
        answer = body[0] if body is not None and len(body) else None
        if answer is None or answer.tag != service.response:
            raise SkatBadResponse(f"the answer is not a {service.name}_O")
        return answer


def _head(message_id: str | None, now: datetime) -> tuple[str, dict[str, Any]]:
    mid = message_id or str(uuid.uuid4())
    return mid, {"TransaktionIdentifikator": mid, "TransaktionTid": now}


def _period(period: Period | tuple[date, date]) -> tuple[date, date]:
    if isinstance(period, Period):
        return period.start, period.end
    start, end = period
    return start, end


def fetch_calendar(
    *, client: SkatClient, se: str, start: date, end: date, message_id: str | None = None
) -> VatCalendar:
    """The company's VAT periods and deadlines between ``start`` and ``end`` (VirksomhedKalenderHent)."""
    _mid, head = _head(message_id, client._clock())
    answer = client.call(
        "VirksomhedKalenderHent",
        HovedOplysninger=head,
        VirksomhedSENummerIdentifikator=se,
        AngivelseTypeNavn="Moms",
        AngivelseBetalingFristHentFra={"SoegeDatoFraDate": start, "SoegeDatoTilDate": end},
    )
    return read_calendar(answer, se=se, start=start, end=end)


def submit_vat_draft(
    *,
    client: SkatClient,
    se: str,
    period: Period | tuple[date, date],
    fields: Mapping[str, Any],
    correction: bool | None = None,
    message_id: str | None = None,
) -> DraftSubmission:
    """Submit a VAT return draft (ModtagMomsangivelseForeloebig); the company approves it on skat.dk.

    ``fields`` are the form's amounts in whole DKK, named as in the XSD
    (``MomsAngivelseSalgsMomsBeloeb`` ...). The service has no flag for a
    correction: the agency decides from whether the period was already
    approved. Pass ``correction`` to be told (:class:`SkatCorrectionMismatch`,
    carrying the submission) when the agency saw it otherwise.
    ``message_id`` becomes the TransaktionIdentifikator: resending it gets the
    first answer again instead of a second draft.
    """
    amounts = whole_dkk_fields(fields)
    start, end = _period(period)
    mid, head = _head(message_id, client._clock())
    answer = client.call(
        "ModtagMomsangivelseForeloebig",
        HovedOplysninger=head,
        Angivelse={
            "AngiverVirksomhedSENummer": {"VirksomhedSENummerIdentifikator": se},
            "Angivelsesoplysninger": {
                "AngivelsePeriodeFraDato": start,
                "AngivelsePeriodeTilDato": end,
            },
            "Angivelsesafgifter": {name: amounts[name] for name in VAT_FIELDS if name in amounts},
        },
    )
    submission = read_submission(
        answer, se=se, period=(start, end), message_id=mid, period_text=f"{start}–{end}"
    )
    if correction is not None and submission.correction != correction:
        seen = "a correction (efterangivelse)" if submission.correction else "an ordinary return"
        raise SkatCorrectionMismatch(
            f"the tax agency treated the draft for {start}–{end} as {seen}; the draft "
            f"{submission.draft_id} still awaits the company's approval on skat.dk",
            draft_id=submission.draft_id,
            approval_url=submission.approval_url,
        )
    return submission


def fetch_receipt(
    *, client: SkatClient, se: str, draft_id: str, message_id: str | None = None
) -> VatReceipt:
    """The receipt of an approved VAT return (MomsangivelseKvitteringHent)."""
    _mid, head = _head(message_id, client._clock())
    answer = client.call(
        "MomsangivelseKvitteringHent",
        HovedOplysninger=head,
        TransaktionIdentifier=draft_id,
        Angiver={"VirksomhedSENummerIdentifikator": se},
    )
    return read_receipt(answer, draft_id=draft_id, se=se)
