"""The validate and sign stages as small interfaces, with the gateway's own implementations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from gateway.settings import Settings
from schemas import xmlsafe

__all__ = [
    "SignatureArtefact",
    "Signer",
    "ValidationOutcome",
    "Validator",
    "default_signer",
    "default_validator",
    "is_xml",
    "xml_limits",
]


@dataclass(frozen=True, slots=True)
class ValidationOutcome:
    valid: bool
    plan: str | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SignatureArtefact:
    mode: str  # "enveloped": ``data`` is the signed document; "detached": ``data`` is the signature
    data: bytes


class Validator(Protocol):
    def __call__(self, payload: bytes, *, content_type: str, kind: str) -> ValidationOutcome: ...


class Signer(Protocol):
    def __call__(self, payload: bytes, *, content_type: str) -> SignatureArtefact | None: ...


def is_xml(content_type: str) -> bool:
    ct = content_type.split(";", 1)[0].strip().lower()
    return ct.endswith("/xml") or ct.endswith("+xml")


def xml_limits(settings: Settings) -> xmlsafe.XmlLimits:
    x = settings.xml
    return xmlsafe.XmlLimits(
        max_bytes=x.max_bytes, max_depth=x.max_depth, max_elements=x.max_elements
    )


class _WellFormedValidator:
    """Re-parses XML with the hardened parser; other content types pass as they are."""

    def __init__(self, settings: Settings) -> None:
        self._limits = xml_limits(settings)

    def __call__(self, payload: bytes, *, content_type: str, kind: str) -> ValidationOutcome:
        if not is_xml(content_type):
            return ValidationOutcome(valid=True)
        try:
            xmlsafe.parse(payload, limits=self._limits)
        except xmlsafe.XmlError as exc:
            return ValidationOutcome(
                valid=False,
                findings=[
                    {"rule": "XML", "severity": "fatal", "location": "/", "message": exc.detail}
                ],
            )
        return ValidationOutcome(valid=True)


def default_validator(settings: Settings) -> Validator:
    return _WellFormedValidator(settings)


def default_signer(settings: Settings) -> Signer:
    return lambda payload, *, content_type: None
