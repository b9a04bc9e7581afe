"""The validate and sign stages as small interfaces, with the gateway's own implementations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from gateway.settings import Settings
from gateway.signing import SigningIdentity, load_signing_identity, sign_detached, sign_ubl
from schemas import xmlsafe
from schemas.plans import NoPlanError
from schemas.validation import Validator as OfficialValidator

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
    def __call__(
        self, payload: bytes, *, content_type: str, channel: str | None = None
    ) -> SignatureArtefact | None: ...


def is_xml(content_type: str) -> bool:
    ct = content_type.split(";", 1)[0].strip().lower()
    return ct.endswith("/xml") or ct.endswith("+xml")


def xml_limits(settings: Settings) -> xmlsafe.XmlLimits:
    return xmlsafe.XmlLimits(**settings.xml.model_dump())


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


class _OfficialValidator(_WellFormedValidator):
    """The official plan for documents we recognise (UBL, OIOUBL, pre-award, …).

    A document no plan covers (a generic XML report, say) is checked for
    well-formedness only, and its submission records no plan.
    """

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._validator = OfficialValidator(settings.effective_artefacts_dir, limits=self._limits)

    def __call__(self, payload: bytes, *, content_type: str, kind: str) -> ValidationOutcome:
        if not is_xml(content_type):
            return ValidationOutcome(valid=True)
        try:
            report = self._validator.validate(payload)
        except xmlsafe.XmlError:
            return super().__call__(payload, content_type=content_type, kind=kind)
        except NoPlanError:
            return ValidationOutcome(valid=True)
        return ValidationOutcome(
            valid=report.valid, plan=report.plan, findings=[f.to_dict() for f in report.findings]
        )


def default_validator(settings: Settings) -> Validator:
    return _OfficialValidator(settings)


_UBL_NS = "urn:oasis:names:specification:ubl:schema:xsd:"
_NO_ENVELOPED_SIGNATURE = frozenset({"peppol"})


class _XadesSigner:
    """XAdES with the gateway's identity: enveloped in UBL documents, detached otherwise."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def _identity(self) -> SigningIdentity:
        s = self._settings
        password = s.signing.key_password.get_secret_value() if s.signing.key_password else None
        # Loaded once per process (cached by path and modification time).
        return load_signing_identity(s.signing_key_file, password)

    def __call__(
        self, payload: bytes, *, content_type: str, channel: str | None = None
    ) -> SignatureArtefact | None:
        identity = self._identity()
        # Peppol forbids signatures inside the business document (PEPPOL-COMMON-R001,
        # UBL-CR-001): AS4 signs the message, and a detached signature is kept as evidence.
        if is_xml(content_type) and channel not in _NO_ENVELOPED_SIGNATURE:
            root = xmlsafe.parse(payload, limits=xml_limits(self._settings)).getroot()
            if isinstance(root.tag, str) and root.tag.startswith("{" + _UBL_NS):
                return SignatureArtefact("enveloped", sign_ubl(payload, identity))
        return SignatureArtefact(
            "detached", sign_detached(payload, identity, uri="payload", mime_type=content_type)
        )


def default_signer(settings: Settings) -> Signer:
    return _XadesSigner(settings)
