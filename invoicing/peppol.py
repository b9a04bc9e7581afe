"""Participant lookup: participant id → SMP (via the SML, or a static map) → ServiceMetadata
for the document type → the receiving access point's URL and certificate."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urljoin

import httpx
from cryptography import x509

from gateway.errors import NotFound, Unavailable
from invoicing.peppol_ids import (
    AS4_TRANSPORT_PROFILE,
    ParticipantId,
    service_group_path,
    service_metadata_path,
    sml_cname_host,
    sml_naptr_host,
)
from invoicing.peppol_smp import SmpError, parse_service_group, parse_signed_service_metadata

__all__ = [
    "NaptrRecord",
    "NaptrSmlLocator",
    "ParticipantNotFound",
    "PeppolEndpoint",
    "PeppolLookup",
    "SmlLocator",
    "SmpLocator",
    "SmpUnavailable",
    "StaticSmpLocator",
    "smp_url_from_naptr",
]


class ParticipantNotFound(NotFound):
    """The participant, or its endpoint for this document type and process, is not registered."""

    title = "Peppol participant not found"
    slug = "peppol-participant-not-found"


class SmpUnavailable(Unavailable):
    """The SMP could not be reached; try again later."""

    title = "SMP unavailable"
    slug = "smp-unavailable"


@dataclass(frozen=True, slots=True)
class PeppolEndpoint:
    """Where and to whom to send: the receiving access point for one participant and document type."""

    participant: ParticipantId
    doc_type_id: str
    process_id: str
    url: str
    certificate: x509.Certificate
    transport_profile: str = AS4_TRANSPORT_PROFILE


class SmpLocator(Protocol):
    """Finds the base URL of the SMP that holds a participant's registrations."""

    def smp_url(self, participant: ParticipantId) -> str: ...


@dataclass(frozen=True, slots=True)
class SmlLocator:
    """The classic SML step (CNAME, retired by Peppol in favour of NAPTR at the end of October 2025)."""

    zone: str = "edelivery.tech.ec.europa.eu"
    scheme: str = "http"

    def smp_url(self, participant: ParticipantId) -> str:
        """``http://B-<md5>.iso6523-actorid-upis.<zone>``; DNS resolves it to the SMP."""
        return f"{self.scheme}://{sml_cname_host(participant, self.zone)}"


@dataclass(frozen=True, slots=True)
class NaptrRecord:
    """One DNS NAPTR record (RFC 3403) as the SML publishes it."""

    order: int
    preference: int
    flags: str
    service: str
    regexp: str
    replacement: str = "."


def smp_url_from_naptr(records: Sequence[NaptrRecord], host: str) -> str:
    """Apply the U-NAPTR rule of BDX Location: the first ``Meta:SMP`` record with flag U gives the URL."""
    usable = sorted(
        (r for r in records if r.flags.upper() == "U" and r.service == "Meta:SMP"),
        key=lambda r: (r.order, r.preference),
    )
    for record in usable:
        if len(record.regexp) < 3:
            continue
        delim = record.regexp[0]
        parts = record.regexp[1:].split(delim)
        if len(parts) < 2:
            continue
        pattern, replacement = parts[0], parts[1]
        try:
            url = re.sub(pattern, replacement, host, count=1)
        except re.error:
            continue
        if url.startswith(("http://", "https://")):
            return url
    raise ParticipantNotFound(f"the SML publishes no Meta:SMP record for {host}")


NaptrQuery = Callable[[str], Sequence[NaptrRecord]]


def _dns_naptr(host: str) -> Sequence[NaptrRecord]:
    try:
        import dns.resolver  # type: ignore[import-not-found]
    except ImportError as exc:
        raise SmpUnavailable("NAPTR lookups need the dnspython package") from exc
    try:
        answer = dns.resolver.resolve(host, "NAPTR")
    except dns.resolver.NXDOMAIN as exc:
        raise ParticipantNotFound(f"{host} is not registered in the SML") from exc
    except dns.exception.DNSException as exc:
        raise SmpUnavailable(f"the SML lookup of {host} failed: {exc}") from exc
    return [
        NaptrRecord(
            r.order,
            r.preference,
            r.flags.decode(),
            r.service.decode(),
            r.regexp.decode(),
            r.replacement.to_text(),
        )
        for r in answer
    ]


@dataclass(frozen=True, slots=True)
class NaptrSmlLocator:
    """The current SML step: a U-NAPTR lookup at the SHA-256/base32 host name of the participant."""

    zone: str = "edelivery.tech.ec.europa.eu"
    query: NaptrQuery = _dns_naptr

    def smp_url(self, participant: ParticipantId) -> str:
        """Resolve the participant's NAPTR record to its SMP base URL."""
        host = sml_naptr_host(participant, self.zone)
        return smp_url_from_naptr(self.query(host), host)


@dataclass(frozen=True, slots=True)
class StaticSmpLocator:
    """One SMP for everybody (the sandbox), with optional per-participant overrides."""

    default_url: str
    overrides: Mapping[str, str] = field(default_factory=dict)

    def smp_url(self, participant: ParticipantId) -> str:
        """The configured SMP base URL."""
        return self.overrides.get(str(participant).lower(), self.default_url)


class PeppolLookup:
    """Resolves endpoints through an SMP over HTTP; ``smp_certificate`` turns on signature checks."""

    def __init__(
        self,
        *,
        locator: SmpLocator,
        client: httpx.Client,
        smp_certificate: x509.Certificate | None = None,
        transport_profile: str = AS4_TRANSPORT_PROFILE,
    ) -> None:
        self.locator = locator
        self.client = client
        self.smp_certificate = smp_certificate
        self.transport_profile = transport_profile

    def _get(self, url: str) -> bytes:
        try:
            response = self.client.get(url)
        except httpx.HTTPError as exc:
            raise SmpUnavailable(f"the SMP at {url} cannot be reached: {exc}") from exc
        if response.status_code == 404:
            raise ParticipantNotFound(f"the SMP has no entry at {url}")
        if response.status_code >= 500:
            raise SmpUnavailable(f"the SMP answered {response.status_code}")
        if response.status_code != 200:
            raise SmpError(f"the SMP answered {response.status_code} for {url}")
        return response.content

    def document_types(self, participant: ParticipantId | str) -> list[str]:
        """The ServiceMetadata references the participant's ServiceGroup lists."""
        pid = (
            participant
            if isinstance(participant, ParticipantId)
            else ParticipantId.parse(participant)
        )
        return parse_service_group(
            self._get(self.locator.smp_url(pid).rstrip("/") + service_group_path(pid))
        )

    def lookup(
        self, participant: ParticipantId | str, *, doc_type_id: str, process_id: str
    ) -> PeppolEndpoint:
        """The active endpoint for this participant, document type, process and transport profile."""
        pid = (
            participant
            if isinstance(participant, ParticipantId)
            else ParticipantId.parse(participant)
        )
        url = self.locator.smp_url(pid).rstrip("/") + service_metadata_path(pid, doc_type_id)
        redirect, endpoints = parse_signed_service_metadata(
            self._get(url), smp_certificate=self.smp_certificate
        )
        if redirect is not None:
            # The target SMP signs with a certificate we were not given; only an unverified
            # lookup (the sandbox) may follow it.
            if self.smp_certificate is not None:
                raise SmpError("the SMP redirects to another SMP whose signature we cannot check")
            redirect, endpoints = parse_signed_service_metadata(
                self._get(urljoin(url, redirect)), smp_certificate=None
            )
            if redirect is not None:
                raise SmpError("the SMP redirected twice")
        now = datetime.now(UTC)
        for ep in endpoints:
            if ep.process_id != process_id or ep.transport_profile != self.transport_profile:
                continue
            if (ep.activation and ep.activation > now) or (ep.expiration and ep.expiration < now):
                continue
            return PeppolEndpoint(
                pid, doc_type_id, process_id, ep.url, ep.certificate, ep.transport_profile
            )
        raise ParticipantNotFound(
            f"{pid} has no active {self.transport_profile} endpoint for process {process_id}"
        )
