"""Peppol identifiers and the SML host name of a participant (Peppol Policy for use of identifiers)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from urllib.parse import quote

from gateway.errors import BadRequest

__all__ = [
    "AS4_TRANSPORT_PROFILE",
    "DOCTYPE_SCHEME",
    "PARTICIPANT_SCHEME",
    "PROCESS_SCHEME",
    "InvalidPeppolId",
    "ParticipantId",
    "service_group_path",
    "service_metadata_path",
    "sml_cname_host",
    "sml_naptr_host",
]

PARTICIPANT_SCHEME = "iso6523-actorid-upis"
DOCTYPE_SCHEME = "busdox-docid-qns"
PROCESS_SCHEME = "cenbii-procid-ubl"
AS4_TRANSPORT_PROFILE = "peppol-transport-as4-v2_0"


class InvalidPeppolId(BadRequest):
    title = "Invalid Peppol identifier"
    slug = "invalid-peppol-id"


@dataclass(frozen=True, slots=True)
class ParticipantId:
    """A participant identifier such as ``iso6523-actorid-upis::0184:12345678``."""

    value: str
    scheme: str = PARTICIPANT_SCHEME

    @classmethod
    def parse(cls, text: str) -> ParticipantId:
        """Read ``0184:12345678`` or ``iso6523-actorid-upis::0184:12345678``."""
        scheme, sep, value = text.strip().partition("::")
        if not sep:
            scheme, value = PARTICIPANT_SCHEME, text.strip()
        icd, colon, ident = value.partition(":")
        if scheme == PARTICIPANT_SCHEME and (
            not colon or not (icd.isdigit() and len(icd) == 4) or not ident
        ):
            raise InvalidPeppolId(f"{text!r} is not <4-digit ICD>:<identifier>")
        return cls(value=value, scheme=scheme)

    def __str__(self) -> str:
        return f"{self.scheme}::{self.value}"


def sml_cname_host(participant: ParticipantId, zone: str) -> str:
    """The classic SML host: ``B-`` + hex MD5 of the lower-cased value, scheme, zone."""
    digest = hashlib.md5(
        participant.value.lower().encode("utf-8"), usedforsecurity=False
    ).hexdigest()
    return f"B-{digest}.{participant.scheme}.{zone.strip('.')}"


def sml_naptr_host(participant: ParticipantId, zone: str) -> str:
    """The BDXL host for the NAPTR lookup: unpadded base32 of SHA-256 of the lower-cased value."""
    digest = hashlib.sha256(participant.value.lower().encode("utf-8")).digest()
    label = base64.b32encode(digest).decode("ascii").rstrip("=")
    return f"{label}.{participant.scheme}.{zone.strip('.')}"


def service_group_path(participant: ParticipantId) -> str:
    """The SMP path of a participant's ServiceGroup (percent-encoded ``scheme::value``)."""
    return "/" + quote(str(participant), safe="")


def service_metadata_path(participant: ParticipantId, doc_type_id: str) -> str:
    """The SMP path of the ServiceMetadata for one document type."""
    prefix = DOCTYPE_SCHEME + "::"
    doc = doc_type_id if doc_type_id.startswith(prefix) else prefix + doc_type_id
    return f"{service_group_path(participant)}/services/{quote(doc, safe='')}"
