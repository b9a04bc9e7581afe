"""The Peppol SMP 1.x formats (ServiceGroup, SignedServiceMetadata) both ways, and a
directory of registrations an SMP serves from."""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, field
from datetime import datetime

import signxml
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from gateway.errors import GatewayError
from invoicing.peppol_ids import (
    AS4_TRANSPORT_PROFILE,
    DOCTYPE_SCHEME,
    PROCESS_SCHEME,
    ParticipantId,
    service_metadata_path,
)
from schemas import xmlsafe

__all__ = [
    "SMP_NS",
    "SmpDirectory",
    "SmpEndpoint",
    "SmpError",
    "SmpRegistration",
    "parse_service_group",
    "parse_signed_service_metadata",
    "service_group_xml",
    "signed_service_metadata_xml",
]

SMP_NS = "http://busdox.org/serviceMetadata/publishing/1.0/"
ID_NS = "http://busdox.org/transport/identifiers/1.0/"
WSA_NS = "http://www.w3.org/2005/08/addressing"
_NS = {"smp": SMP_NS, "id": ID_NS, "wsa": WSA_NS, "ds": "http://www.w3.org/2000/09/xmldsig#"}


class SmpError(GatewayError):
    """An SMP answer we cannot use (malformed, unsigned, wrongly signed)."""

    status = 502
    title = "SMP answer refused"
    slug = "smp-error"


@dataclass(frozen=True, slots=True)
class SmpEndpoint:
    """One endpoint of a process in ServiceMetadata."""

    process_id: str
    transport_profile: str
    url: str
    certificate: x509.Certificate
    activation: datetime | None = None
    expiration: datetime | None = None


@dataclass(frozen=True, slots=True)
class SmpRegistration:
    """What a participant registered for one document type."""

    participant: ParticipantId
    doc_type_id: str
    endpoints: tuple[SmpEndpoint, ...]


def _e(
    parent: etree._Element, ns: str, local: str, text: str | None = None, **attrs: str
) -> etree._Element:
    el = etree.SubElement(parent, f"{{{ns}}}{local}", attrs)
    if text is not None:
        el.text = text
    return el


def _strip_scheme(doc_type_id: str) -> str:
    return doc_type_id.removeprefix(DOCTYPE_SCHEME + "::")


def service_group_xml(
    participant: ParticipantId, doc_type_ids: list[str], *, base_url: str
) -> bytes:
    """A ServiceGroup listing the ServiceMetadata references of a participant."""
    root = etree.Element(f"{{{SMP_NS}}}ServiceGroup", nsmap={"smp": SMP_NS, "id": ID_NS})
    _e(root, ID_NS, "ParticipantIdentifier", participant.value, scheme=participant.scheme)
    coll = _e(root, SMP_NS, "ServiceMetadataReferenceCollection")
    for doc in doc_type_ids:
        href = base_url.rstrip("/") + service_metadata_path(participant, doc)
        _e(coll, SMP_NS, "ServiceMetadataReference", href=href)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def signed_service_metadata_xml(
    registration: SmpRegistration, *, signer: tuple[rsa.RSAPrivateKey, x509.Certificate]
) -> bytes:
    """SignedServiceMetadata for one registration, signed by the SMP (enveloped, RSA-SHA256)."""
    root = etree.Element(
        f"{{{SMP_NS}}}SignedServiceMetadata", nsmap={"smp": SMP_NS, "id": ID_NS, "wsa": WSA_NS}
    )
    info = _e(_e(root, SMP_NS, "ServiceMetadata"), SMP_NS, "ServiceInformation")
    p = registration.participant
    _e(info, ID_NS, "ParticipantIdentifier", p.value, scheme=p.scheme)
    _e(
        info,
        ID_NS,
        "DocumentIdentifier",
        _strip_scheme(registration.doc_type_id),
        scheme=DOCTYPE_SCHEME,
    )
    plist = _e(info, SMP_NS, "ProcessList")
    by_process: dict[str, list[SmpEndpoint]] = {}
    for ep in registration.endpoints:
        by_process.setdefault(ep.process_id, []).append(ep)
    for process_id, endpoints in by_process.items():
        proc = _e(plist, SMP_NS, "Process")
        _e(proc, ID_NS, "ProcessIdentifier", process_id, scheme=PROCESS_SCHEME)
        elist = _e(proc, SMP_NS, "ServiceEndpointList")
        for ep in endpoints:
            el = _e(elist, SMP_NS, "Endpoint", transportProfile=ep.transport_profile)
            _e(_e(el, WSA_NS, "EndpointReference"), WSA_NS, "Address", ep.url)
            _e(el, SMP_NS, "RequireBusinessLevelSignature", "false")
            if ep.activation:
                _e(el, SMP_NS, "ServiceActivationDate", _iso(ep.activation))
            if ep.expiration:
                _e(el, SMP_NS, "ServiceExpirationDate", _iso(ep.expiration))
            der = ep.certificate.public_bytes(serialization.Encoding.DER)
            _e(el, SMP_NS, "Certificate", base64.b64encode(der).decode("ascii"))
            _e(el, SMP_NS, "ServiceDescription", "Gateway access point")
            _e(el, SMP_NS, "TechnicalContactUrl", "https://gateway.example/contact")
    key, cert = signer
    signed = signxml.XMLSigner(
        method=signxml.methods.enveloped,
        signature_algorithm=signxml.SignatureMethod.RSA_SHA256,
        digest_algorithm=signxml.DigestAlgorithm.SHA256,
        c14n_algorithm=signxml.CanonicalizationMethod.CANONICAL_XML_1_0,
    ).sign(root, key=key, cert=[cert])
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def _parse(data: bytes, what: str) -> etree._Element:
    try:
        return xmlsafe.parse(data).getroot()
    except xmlsafe.XmlError as exc:
        raise SmpError(f"the SMP {what} is not XML: {exc.detail}") from exc


def parse_service_group(data: bytes) -> list[str]:
    """The ServiceMetadataReference hrefs of a ServiceGroup."""
    root = _parse(data, "ServiceGroup")
    if root.tag != f"{{{SMP_NS}}}ServiceGroup":
        raise SmpError("the SMP answer is not a ServiceGroup")
    return [
        el.get("href", "")
        for el in root.iterfind(
            "smp:ServiceMetadataReferenceCollection/smp:ServiceMetadataReference", _NS
        )
    ]


def _date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise SmpError(f"SMP date {text!r} is not a date") from exc


def _verify(root: etree._Element, smp_certificate: x509.Certificate) -> etree._Element:
    pem = smp_certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
    try:
        result = signxml.XMLVerifier().verify(
            root,
            x509_cert=pem,
            expect_config=signxml.SignatureConfiguration(
                require_x509=True, signature_methods=frozenset({signxml.SignatureMethod.RSA_SHA256})
            ),
        )
    except (signxml.InvalidInput, signxml.InvalidSignature, signxml.InvalidCertificate) as exc:
        raise SmpError(f"the SMP signature does not verify: {exc}") from exc
    signed = result.signed_xml if isinstance(result, signxml.VerifyResult) else None
    if signed is None:
        raise SmpError("the SMP signature covers nothing")
    return signed


def parse_signed_service_metadata(
    data: bytes, *, smp_certificate: x509.Certificate | None
) -> tuple[str | None, list[SmpEndpoint]]:
    """Return (redirect URL or None, endpoints); verify the SMP signature when a certificate is given."""
    root = _parse(data, "ServiceMetadata")
    if root.tag != f"{{{SMP_NS}}}SignedServiceMetadata":
        raise SmpError("the SMP answer is not SignedServiceMetadata")
    if smp_certificate is not None:
        root = _verify(root, smp_certificate)
    redirect = root.find("smp:ServiceMetadata/smp:Redirect", _NS)
    if redirect is not None:
        return redirect.get("href"), []
    endpoints = []
    for proc in root.iterfind(
        "smp:ServiceMetadata/smp:ServiceInformation/smp:ProcessList/smp:Process", _NS
    ):
        process_id = (proc.findtext("id:ProcessIdentifier", namespaces=_NS) or "").strip()
        for ep in proc.iterfind("smp:ServiceEndpointList/smp:Endpoint", _NS):
            cert_text = "".join((ep.findtext("smp:Certificate", namespaces=_NS) or "").split())
            try:
                cert = x509.load_der_x509_certificate(base64.b64decode(cert_text))
            except ValueError as exc:
                raise SmpError("an SMP endpoint certificate is unreadable") from exc
            endpoints.append(
                SmpEndpoint(
                    process_id=process_id,
                    transport_profile=ep.get("transportProfile", ""),
                    url=(
                        ep.findtext("wsa:EndpointReference/wsa:Address", namespaces=_NS) or ""
                    ).strip(),
                    certificate=cert,
                    activation=_date(ep.findtext("smp:ServiceActivationDate", namespaces=_NS)),
                    expiration=_date(ep.findtext("smp:ServiceExpirationDate", namespaces=_NS)),
                )
            )
    return None, endpoints


def _pid(participant: ParticipantId | str) -> ParticipantId:
    return (
        participant if isinstance(participant, ParticipantId) else ParticipantId.parse(participant)
    )


@dataclass
class SmpDirectory:
    """Registrations an SMP serves; the sandbox SMP answers from one."""

    signer: tuple[rsa.RSAPrivateKey, x509.Certificate]
    _entries: dict[tuple[str, str], SmpRegistration] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def register(
        self,
        participant: ParticipantId | str,
        doc_type_id: str,
        *,
        process_id: str,
        url: str,
        certificate: x509.Certificate,
        transport_profile: str = AS4_TRANSPORT_PROFILE,
    ) -> None:
        """Register (or replace) the endpoint of a participant for one document type and process."""
        pid = (
            participant
            if isinstance(participant, ParticipantId)
            else ParticipantId.parse(participant)
        )
        endpoint = SmpEndpoint(process_id, transport_profile, url, certificate)
        key = (str(pid).lower(), _strip_scheme(doc_type_id))
        with self._lock:
            self._entries[key] = SmpRegistration(pid, _strip_scheme(doc_type_id), (endpoint,))

    def service_group(self, participant: ParticipantId | str, *, base_url: str) -> bytes | None:
        """The ServiceGroup XML, or None for an unknown participant."""
        participant = _pid(participant)
        with self._lock:
            docs = [doc for (p, doc) in self._entries if p == str(participant).lower()]
        return service_group_xml(participant, docs, base_url=base_url) if docs else None

    def service_metadata(self, participant: ParticipantId | str, doc_type_id: str) -> bytes | None:
        """The SignedServiceMetadata XML, or None when nothing is registered."""
        participant = _pid(participant)
        with self._lock:
            reg = self._entries.get((str(participant).lower(), _strip_scheme(doc_type_id)))
        return None if reg is None else signed_service_metadata_xml(reg, signer=self.signer)
