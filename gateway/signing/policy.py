"""Who may sign what: a signer policy per purpose, OCES3-style.

A certificate chaining to a trusted CA says who someone is, not what they may
sign. As with OCES3 (where certificate policy OIDs tell a person's certificate
from an organisation's seal or a system certificate), each purpose here names
the certificate policy OIDs and extended key usages that admit a signer, and
may pin the exact certificates allowed. TLS and time-stamping certificates
never sign a document or a message, whatever else they carry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier

from gateway.signing.errors import CertificateRejected, Refusal

__all__ = [
    "DOCUMENT_SIGNING_EKU",
    "POLICY_OIDS",
    "STRICT_SIGNER_POLICY",
    "Purpose",
    "PurposeRule",
    "SignerPolicy",
]


class Purpose(StrEnum):
    """What a signature or a key is for; each is admitted on its own."""

    DOCUMENT = "document"  # XAdES over UBL, contracts, receipts, checkpoints
    AS4 = "as4"  # Peppol AS4 message signing
    WS_SECURITY = "ws-security"  # SOAP WS-Security towards the tax agency
    TLS_CLIENT = "tls-client"
    TLS_SERVER = "tls-server"


# id-kp-documentSigning, RFC 9336.
DOCUMENT_SIGNING_EKU = ObjectIdentifier("1.3.6.1.5.5.7.3.36")

# Certificate policies of the development CA, one per purpose (UUID-derived OIDs,
# ITU-T X.667, so no registration is needed). A deployment names its CA's policy
# OIDs instead, e.g. those of OCES3 organisation certificates and seals.
POLICY_OIDS: Mapping[Purpose, ObjectIdentifier] = MappingProxyType(
    {
        Purpose.DOCUMENT: ObjectIdentifier("2.25.272319677945983985118333166558759703765"),
        Purpose.AS4: ObjectIdentifier("2.25.257641175929052813791608876233067559484"),
        Purpose.WS_SECURITY: ObjectIdentifier("2.25.250512233848960257798516156504148739062"),
    }
)

# Key purposes that mark a certificate as something other than a signer.
_NOT_A_SIGNER = {
    ExtendedKeyUsageOID.SERVER_AUTH: "a TLS server certificate",
    ExtendedKeyUsageOID.CLIENT_AUTH: "a TLS client certificate",
    ExtendedKeyUsageOID.TIME_STAMPING: "a time-stamping certificate",
    ExtendedKeyUsageOID.OCSP_SIGNING: "an OCSP responder certificate",
}


@dataclass(frozen=True, slots=True)
class PurposeRule:
    """What admits a certificate for one purpose; strict by default."""

    # The certificate must carry one of these certificate policies, or one of these EKUs.
    policies: frozenset[ObjectIdentifier] = frozenset()
    ekus: frozenset[ObjectIdentifier] = frozenset()
    # When not empty, only these certificates (SHA-256 fingerprints, lower-case hex) sign.
    pinned: frozenset[str] = frozenset()
    # A certificate that also carries one of these EKUs is refused (TLS never signs).
    forbidden_ekus: frozenset[ObjectIdentifier] = frozenset()
    # Key usage the certificate must allow.
    require_digital_signature: bool = True

    def __post_init__(self) -> None:
        if not (self.policies or self.ekus or self.pinned):
            raise ValueError("a purpose rule names policies, EKUs or pinned certificates")


def _ext(cert: x509.Certificate, kind: type[x509.ExtensionType]) -> x509.ExtensionType | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


@dataclass(frozen=True, slots=True)
class SignerPolicy:
    """Rules per purpose; a purpose without a rule admits nobody."""

    rules: Mapping[Purpose, PurposeRule] = field(default_factory=lambda: _STRICT_RULES)

    def check(self, cert: x509.Certificate, purpose: Purpose) -> None:
        """Raise :class:`CertificateRejected` (``signer-not-permitted``) naming why ``cert`` may not."""
        who = cert.subject.rfc4514_string()
        rule = self.rules.get(purpose)
        if rule is None:
            raise _refuse(f"no certificate may sign for {purpose}; {who} is refused")
        eku = _ext(cert, x509.ExtendedKeyUsage)
        ekus = set(eku) if isinstance(eku, x509.ExtendedKeyUsage) else set()
        for oid in sorted(ekus & rule.forbidden_ekus, key=lambda o: o.dotted_string):
            label = _NOT_A_SIGNER.get(oid, f"a certificate for {oid.dotted_string}")
            raise _refuse(f"{who} is {label} (extended key usage); it may not sign for {purpose}")
        usage = _ext(cert, x509.KeyUsage)
        if rule.require_digital_signature and not (
            isinstance(usage, x509.KeyUsage) and usage.digital_signature
        ):
            raise _refuse(f"{who}: key usage does not allow digital signatures")
        if rule.pinned:
            if cert.fingerprint(hashes.SHA256()).hex() not in rule.pinned:
                raise _refuse(f"{who} is not among the certificates configured for {purpose}")
            return
        policies_ext = _ext(cert, x509.CertificatePolicies)
        policies = (
            {p.policy_identifier for p in policies_ext}
            if isinstance(policies_ext, x509.CertificatePolicies)
            else set()
        )
        if policies & rule.policies or ekus & rule.ekus:
            return
        if not policies and not ekus:
            raise _refuse(
                f"{who} carries neither a certificate policy nor an extended key usage "
                f"that admits it for {purpose}"
            )
        found = ", ".join(sorted(o.dotted_string for o in policies | ekus))
        raise _refuse(
            f"{who} is not certified for {purpose}: its policies and key purposes ({found}) "
            "are not those of that purpose"
        )

    @classmethod
    def configured(
        cls,
        *,
        extra_policies: Mapping[str, Sequence[str]] | None = None,
        pinned: Mapping[str, Sequence[str]] | None = None,
    ) -> SignerPolicy:
        """The strict policy, widened by more policy OIDs or narrowed to pinned certificates.

        Keys are purpose names (``document``, ``as4``, ``ws-security``, ...); a bad
        purpose, OID or fingerprint raises ``ValueError`` naming it.
        """
        rules = dict(_STRICT_RULES)
        for name, oids in (extra_policies or {}).items():
            purpose = _purpose(name)
            base = rules[purpose]
            try:
                added = frozenset(ObjectIdentifier(o.strip()) for o in oids)
            except ValueError as exc:
                raise ValueError(f"signer policy for {name}: {exc}") from None
            rules[purpose] = replace(base, policies=base.policies | added)
        policy = cls(MappingProxyType(rules))
        for name, prints in (pinned or {}).items():
            cleaned = frozenset(p.lower().replace(":", "").strip() for p in prints)
            bad = [
                p for p in cleaned if len(p) != 64 or any(c not in "0123456789abcdef" for c in p)
            ]
            if bad:
                raise ValueError(
                    f"pinned signer for {name}: {bad[0]!r} is not a SHA-256 fingerprint"
                )
            policy = policy.with_pinned(_purpose(name), cleaned)
        return policy

    def with_pinned(self, purpose: Purpose, fingerprints: frozenset[str]) -> SignerPolicy:
        """This policy with ``purpose`` open only to the given certificates."""
        base = self.rules.get(purpose) or PurposeRule(pinned=fingerprints)
        rule = PurposeRule(
            policies=base.policies,
            ekus=base.ekus,
            pinned=frozenset(f.lower().replace(":", "") for f in fingerprints),
            forbidden_ekus=base.forbidden_ekus,
            require_digital_signature=base.require_digital_signature,
        )
        return SignerPolicy(MappingProxyType({**self.rules, purpose: rule}))


def _purpose(name: str) -> Purpose:
    try:
        return Purpose(name)
    except ValueError:
        known = ", ".join(p.value for p in Purpose)
        raise ValueError(f"unknown signing purpose {name!r}; purposes are: {known}") from None


def _refuse(reason: str) -> CertificateRejected:
    return CertificateRejected(reason, refusal=Refusal.SIGNER_NOT_PERMITTED)


_FORBIDDEN = frozenset(_NOT_A_SIGNER)
# The policies of the certificates in the tax agency's published, signed samples:
# an OCES3 system certificate and an OCES2 VOCES (organisation) certificate.
OCES3_SYSTEM_POLICY = ObjectIdentifier("1.2.208.169.1.1.1.3.7")
VOCES_POLICY = ObjectIdentifier("1.3.6.1.4.1.31313.2.4.6.3.5")
_STRICT_RULES: Mapping[Purpose, PurposeRule] = MappingProxyType(
    {
        Purpose.DOCUMENT: PurposeRule(
            policies=frozenset({POLICY_OIDS[Purpose.DOCUMENT]}),
            ekus=frozenset({DOCUMENT_SIGNING_EKU}),
            forbidden_ekus=_FORBIDDEN,
        ),
        Purpose.AS4: PurposeRule(
            policies=frozenset({POLICY_OIDS[Purpose.AS4]}), forbidden_ekus=_FORBIDDEN
        ),
        Purpose.WS_SECURITY: PurposeRule(
            policies=frozenset(
                {POLICY_OIDS[Purpose.WS_SECURITY], OCES3_SYSTEM_POLICY, VOCES_POLICY}
            ),
            forbidden_ekus=_FORBIDDEN,
        ),
        Purpose.TLS_CLIENT: PurposeRule(ekus=frozenset({ExtendedKeyUsageOID.CLIENT_AUTH})),
        Purpose.TLS_SERVER: PurposeRule(ekus=frozenset({ExtendedKeyUsageOID.SERVER_AUTH})),
    }
)

# The default: each signing purpose admits only certificates issued for it.
STRICT_SIGNER_POLICY = SignerPolicy()
