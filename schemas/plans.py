"""Validation plans (which XSD, which rule sets, in which order) and how a document picks one.

Plans are data: the table below is the whole of it. A plan *family* (say
``peppol-billing-3``) has one plan per rule release (``peppol-billing-3@2025.5``);
the family resolves to the release in force on the validation date. Paths are
relative to the installed artefact directory; ``{root}`` stands for the
document's root element name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = [
    "RELEASES",
    "Detected",
    "NoPlanError",
    "Plan",
    "RuleSet",
    "UnknownPlanError",
    "detect",
    "list_plans",
    "release_on",
    "resolve",
]


class NoPlanError(ValueError):
    """No plan fits the document, or the named plan does not exist."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UnknownPlanError(NoPlanError):
    """The caller named a plan that does not exist (a usage error, not the document's fault)."""


@dataclass(frozen=True, slots=True)
class RuleSet:
    """One compiled Schematron (XSLT) and the output format it writes."""

    name: str
    path: str
    output: str = "svrl"  # "svrl", or "oioubl" for the OIOUBL 2.1 stylesheets' own format

    def for_root(self, root: str) -> RuleSet:
        return RuleSet(self.name, self.path.format(root=root), self.output)


@dataclass(frozen=True, slots=True)
class Plan:
    """An XSD and ordered rule sets for a family of documents."""

    name: str
    title: str
    roots: tuple[str, ...]
    xsd: str | None
    rules: tuple[RuleSet, ...] = ()
    xsd_overrides: dict[str, str] = field(default_factory=dict)
    # Per-root stylesheets, where they do not follow the {root} pattern.
    rule_overrides: dict[str, tuple[RuleSet, ...]] = field(default_factory=dict)

    @property
    def family(self) -> str:
        return self.name.split("@", 1)[0]

    def applies_to(self, root: str) -> bool:
        return not self.roots or root in self.roots

    def schema_for(self, root: str) -> str | None:
        """The XSD path for a document with this root element."""
        if root in self.xsd_overrides:
            return self.xsd_overrides[root]
        return self.xsd.format(root=root) if self.xsd else None

    def rules_for(self, root: str) -> tuple[RuleSet, ...]:
        """The rule sets, in order, for a document with this root element."""
        rules = self.rule_overrides.get(root, self.rules)
        return tuple(r.for_root(root) for r in rules)


# Rule releases and the first day each is in force. OpenPeppol's May 2026 release
# (BIS Billing 3.0.21, rules 2026.5) is "mandatory to use from 2026-08-24" per its
# release notes; the same day is applied to the Ordering (post-award) rules.
RELEASES: tuple[tuple[str, dt.date], ...] = (
    ("2025.5", dt.date(2025, 8, 25)),
    ("2026.5", dt.date(2026, 8, 24)),
)

UBL21 = "ubl-2.1/xsd/maindoc/UBL-{root}-2.1.xsd"
UBL23 = "ubl-2.3/xsd/maindoc/UBL-{root}-2.3.xsd"
EN16931 = RuleSet("EN16931", "en16931-ubl-1.3.16/xslt/EN16931-UBL-validation.xslt")
BILLING_ROOTS = ("Invoice", "CreditNote")

OIOUBL21_ROOTS = (
    "ApplicationResponse",
    "Catalogue",
    "CatalogueDeletion",
    "CatalogueItemSpecificationUpdate",
    "CataloguePricingUpdate",
    "CatalogueRequest",
    "CreditNote",
    "Invoice",
    "Order",
    "OrderCancellation",
    "OrderChange",
    "OrderResponse",
    "OrderResponseSimple",
    "Reminder",
    "Statement",
    "UtilityStatement",
)

# Peppol BIS Ordering/Despatch/Catalogue/... 3: transaction, customization key, roots, UBL.
ORDERING: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("T01", "order", ("Order",), UBL21),
    ("T76", "order_response", ("OrderResponse",), UBL21),
    ("T110", "order_agreement", ("OrderResponse",), UBL21),
    ("T16", "despatch_advice", ("DespatchAdvice",), UBL21),
    ("T19", "catalogue", ("Catalogue",), UBL21),
    ("T58", "catalogue_response", ("ApplicationResponse",), UBL21),
    ("T77", "punch_out", ("Catalogue",), UBL21),
    ("T111", "invoice_response", ("ApplicationResponse",), UBL21),
    ("T71", "mlr", ("ApplicationResponse",), UBL21),
    ("T114", "order_change", ("OrderChange",), UBL23),
    ("T115", "order_cancellation", ("OrderCancellation",), UBL23),
    ("T116", "order_response_advanced", ("OrderResponse",), UBL23),
)

# Peppol pre-award transactions that are UBL documents: number, root element. Their
# Schematron is published only as .sch; `schemas.schematron` compiles it at install time.
PREAWARD: tuple[tuple[str, str], ...] = (
    ("T001", "ExpressionOfInterestRequest"),
    ("T002", "ExpressionOfInterestResponse"),
    ("T003", "TenderStatusRequest"),
    ("T004", "CallForTenders"),
    ("T005", "Tender"),
    ("T006", "TenderReceipt"),
    ("T007", "Enquiry"),
    ("T008", "EnquiryResponse"),
    ("T009", "Enquiry"),
    ("T010", "EnquiryResponse"),
    ("T013", "TenderWithdrawal"),
    ("T014", "TenderReceipt"),
    ("T016", "ApplicationResponse"),
    ("T017", "AwardedNotification"),
    ("T018", "ApplicationResponse"),
    ("T019", "TendererQualification"),
    ("T020", "TenderReceipt"),
    ("T021", "UnsubscribeFromProcedureRequest"),
    ("T022", "UnsubscribeFromProcedureResponse"),
)
PREAWARD_XSLT = "peppol-preaward/compiled/PEPPOL-{tx}.xslt"

# Pre-award transactions carried as OASIS ebRS 4.0 registry messages (search and publish
# notices): transaction, root element, its namespace. Their identifier is the value of the
# ``SpecificationIdentification`` slot; the artefacts hold no ebRS XSD, so rules only.
EBRS_QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0"
EBRS_LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:4.0"
EBRS_RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0"
PREAWARD_EBRS: tuple[tuple[str, str, str], ...] = (
    ("T011", "QueryRequest", EBRS_QUERY),
    ("T012", "QueryResponse", EBRS_QUERY),
    ("T015", "SubmitObjectsRequest", EBRS_LCM),
)
UBL23_PREAWARD_ROOTS = (
    "CallForTenders",
    "Tender",
    "TenderReceipt",
    "TenderWithdrawal",
    "TenderStatus",
    "TenderStatusRequest",
    "TendererQualification",
    "TendererQualificationResponse",
    "AwardedNotification",
    "UnawardedNotification",
    "ContractNotice",
    "ContractAwardNotice",
    "PriorInformationNotice",
    "QualificationApplicationRequest",
    "QualificationApplicationResponse",
    "ExpressionOfInterestRequest",
    "ExpressionOfInterestResponse",
    "Enquiry",
    "EnquiryResponse",
    "UnsubscribeFromProcedureRequest",
    "UnsubscribeFromProcedureResponse",
)


# eForms notices (EU standard forms, UBL 2.3 based) for TED: the SDK's own XSDs and its
# Schematron, compiled at install time (`schemas.schematron.compile_eforms`). "static" rules
# read only the notice; "dynamic" adds the SDK's stage 6 (dispatch date near today).
EFORMS_ROOTS = (
    "ContractNotice",
    "PriorInformationNotice",
    "ContractAwardNotice",
    "BusinessRegistrationInformationNotice",  # subtypes X01, X02 (EEIG, European company)
)
EFORMS_SDK = "eforms-sdk-1.15.1"
EFORMS_XSD = EFORMS_SDK + "/schemas/maindoc/UBL-{root}-2.3.xsd"
EFORMS_XSD_OVERRIDES = {
    "BusinessRegistrationInformationNotice": EFORMS_SDK
    + "/schemas/maindoc/EFORMS-BusinessRegistrationInformationNotice.xsd"
}
EFORMS_STATIC = RuleSet("eForms", EFORMS_SDK + "/compiled/eforms-static.xslt")
EFORMS_DYNAMIC = RuleSet("eForms-dynamic", EFORMS_SDK + "/compiled/eforms-dynamic.xslt")
EFORMS_CUSTOMIZATION = "eforms-sdk-1."


def _billing(release: str) -> Plan:
    # 2025.5 runs the CEN rules exactly as the EN 16931 1.3.16 release ships them (the
    # unit tests agree 100 % with it); 2026.5 runs the CEN copy bundled with that release.
    cen = (
        EN16931
        if release == "2025.5"
        else RuleSet("EN16931", f"peppol-bis-billing-3/xslt/{release}/CEN-EN16931-UBL.xslt")
    )
    peppol = RuleSet("PEPPOL", f"peppol-bis-billing-3/xslt/{release}/PEPPOL-EN16931-UBL.xslt")
    return Plan(
        name=f"peppol-billing-3@{release}",
        title=f"Peppol BIS Billing 3.0 (rules {release})",
        roots=BILLING_ROOTS,
        xsd=UBL21,
        rules=(cen, peppol),
    )


def _ordering(tx: str, roots: tuple[str, ...], xsd: str, release: str) -> Plan:
    return Plan(
        name=f"peppol-{tx.lower()}@{release}",
        title=f"Peppol BIS 3 transaction {tx} (rules {release})",
        roots=roots,
        xsd=xsd,
        rules=(RuleSet(tx, f"peppol-bis-ordering-3/xslt/{release}/PEPPOLBIS-{tx}.xslt"),),
    )


def _build() -> dict[str, Plan]:
    plans: list[Plan] = []
    for release, _ in RELEASES:
        plans.append(_billing(release))
        plans.extend(_ordering(tx, roots, xsd, release) for tx, _, roots, xsd in ORDERING)
    dk = "peppol-dk-cius-1.15.0/Schematron/"
    oio3 = "oioubl-3.0.1/xslt/"
    plans += [
        Plan("en16931-ubl", "EN 16931 (UBL 2.1)", BILLING_ROOTS, UBL21, (EN16931,)),
        Plan(
            "peppol-dk-cius",
            "Danish Peppol CIUS 1.15.0 (Peppol BIS Billing 3 + Danish rules)",
            BILLING_ROOTS,
            UBL21,
            (
                RuleSet("EN16931", dk + "CEN-EN16931-UBL.xslt"),
                RuleSet("PEPPOL", dk + "PEPPOL-EN16931-UBL.xslt"),
                RuleSet("DK", dk + "DK-EN16931-UBL.xslt"),
            ),
        ),
        Plan(
            "en16931-cii",
            "EN 16931 + Peppol for UN/CEFACT CII (rules only: no CII XSD in the artefacts)",
            ("CrossIndustryInvoice",),
            None,
            (
                RuleSet("EN16931", dk + "CEN-EN16931-CII.xslt"),
                RuleSet("PEPPOL", dk + "PEPPOL-EN16931-CII.xslt"),
            ),
        ),
        Plan(
            "oioubl-2.1",
            "OIOUBL 2.1 (OIOUBL schemas, OIOUBL Schematron per document type)",
            OIOUBL21_ROOTS,
            "oioubl-2.1/Schemas/UBL_v2.1/maindoc/UBL-{root}-2.1.xsd",
            (RuleSet("OIOUBL", "oioubl-2.1/Stylesheets/OIOUBL_{root}_Schematron.xsl", "oioubl"),),
        ),
        Plan(
            "oioubl-3.0",
            "OIOUBL 3.0 Invoice / Credit Note (UBL 2.1)",
            BILLING_ROOTS,
            UBL21,
            (),
            rule_overrides={
                "Invoice": (RuleSet("OIOUBL", oio3 + "OIOUBL-Invoice.xslt"),),
                "CreditNote": (RuleSet("OIOUBL", oio3 + "OIOUBL-Creditnote.xslt"),),
            },
        ),
        Plan(
            "oioubl-3.0-invoice-response",
            "OIOUBL 3.0 Invoice Response (UBL 2.1)",
            ("ApplicationResponse",),
            UBL21,
            (RuleSet("OIOUBL", oio3 + "OIOUBL-Invoice-Response.xslt"),),
        ),
        Plan(
            "oioubl-3.0-mlr",
            "OIOUBL 3.0 Message Level Response (UBL 2.1)",
            ("ApplicationResponse",),
            UBL21,
            (RuleSet("OIOUBL", oio3 + "OIOUBL-Message-Level-Response.xslt"),),
        ),
        Plan(
            "eforms-sdk-1",
            "eForms SDK 1.15.1 (eForms XSD + Schematron, static and dynamic)",
            EFORMS_ROOTS,
            EFORMS_XSD,
            (EFORMS_STATIC, EFORMS_DYNAMIC),
            xsd_overrides=EFORMS_XSD_OVERRIDES,
        ),
        Plan(
            "eforms-sdk-1-static",
            "eForms SDK 1.15.1 (eForms XSD + static Schematron only)",
            EFORMS_ROOTS,
            EFORMS_XSD,
            (EFORMS_STATIC,),
            xsd_overrides=EFORMS_XSD_OVERRIDES,
        ),
        Plan("ubl-2.1", "UBL 2.1 schema only", (), UBL21),
        Plan("ubl-2.3", "UBL 2.3 schema only", (), UBL23),
    ]
    plans.extend(
        Plan(
            f"peppol-preaward-{tx.lower()}",
            f"Peppol pre-award {tx} (UBL 2.3 schema + compiled Peppol Schematron)",
            (root,),
            UBL23,
            (RuleSet(tx, PREAWARD_XSLT.format(tx=tx)),),
        )
        for tx, root in PREAWARD
    )
    plans.extend(
        Plan(
            f"peppol-preaward-{tx.lower()}",
            f"Peppol pre-award {tx} (ebRS 4.0; compiled Peppol Schematron, no ebRS XSD shipped)",
            (root,),
            None,
            (RuleSet(tx, PREAWARD_XSLT.format(tx=tx)),),
        )
        for tx, root, _ in PREAWARD_EBRS
    )
    return {p.name: p for p in plans}


_PLANS = _build()


def list_plans() -> list[Plan]:
    """Every concrete plan, sorted by name."""
    return [_PLANS[k] for k in sorted(_PLANS)]


def release_on(day: dt.date) -> str:
    """The rule release in force on a day (the oldest one before any took effect)."""
    chosen = RELEASES[0][0]
    for release, start in RELEASES:
        if day >= start:
            chosen = release
    return chosen


def resolve(name: str, *, on: dt.date | None = None) -> Plan:
    """A plan by exact name, or a family name resolved to the release in force ``on``."""
    if name in _PLANS:
        return _PLANS[name]
    day = on or dt.datetime.now(dt.UTC).date()
    versioned = f"{name}@{release_on(day)}"
    if versioned in _PLANS:
        return _PLANS[versioned]
    known = sorted({p.family for p in _PLANS.values()} | set(_PLANS))
    raise UnknownPlanError(f"unknown validation plan {name!r}; known plans: {', '.join(known)}")


@dataclass(frozen=True, slots=True)
class Detected:
    """What detection read from the document, and the plan family it chose."""

    namespace: str
    root: str
    customization: str
    profile: str
    family: str


UBL_NS_PREFIX = "urn:oasis:names:specification:ubl:schema:xsd:"
CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
PEPPOL_BILLING = "urn:fdc:peppol.eu:2017:poacc:billing:3.0"
POACC_TRNS = "urn:fdc:peppol.eu:poacc:trns:"
PRAC_TRNS = "urn:fdc:peppol.eu:prac:trns:"


def _ebrs_family(ns: str, root: str, spec: str) -> str | None:
    for tx, r, n in PREAWARD_EBRS:
        if (n, r) != (ns, root):
            continue
        named = (
            spec[len(PRAC_TRNS) :].split(":", 1)[0].upper() if spec.startswith(PRAC_TRNS) else ""
        )
        # Without an identifier the root decides: the rules then say the identifier is missing.
        return f"peppol-preaward-{tx.lower()}" if named in ("", tx) else None
    return None


def _family(ns: str, root: str, cust: str, version: str) -> str | None:
    if ns == CII_NS:
        return "en16931-cii"
    if ns in (EBRS_QUERY, EBRS_LCM):
        return _ebrs_family(ns, root, cust)
    if not ns.startswith(UBL_NS_PREFIX):
        return None
    if cust.startswith("OIOUBL-2"):
        return "oioubl-2.1" if root in OIOUBL21_ROOTS else None
    if "urn:fdc:oioubl.dk:trns:" in cust:
        if ":invoice_response:" in cust:
            return "oioubl-3.0-invoice-response"
        if ":message_level_response:" in cust:
            return "oioubl-3.0-mlr"
        return "oioubl-3.0" if root in BILLING_ROOTS else None
    if root in BILLING_ROOTS and PEPPOL_BILLING in cust:
        return "peppol-billing-3"
    if root in BILLING_ROOTS and cust.startswith("urn:cen.eu:en16931:2017"):
        return "en16931-ubl"
    if cust.startswith(POACC_TRNS):
        key = cust[len(POACC_TRNS) :].split(":", 1)[0]
        for tx, k, roots, _ in ORDERING:
            if k == key and root in roots:
                return f"peppol-{tx.lower()}"
        return None
    if cust.startswith(PRAC_TRNS):
        tx = cust[len(PRAC_TRNS) :].split(":", 1)[0].upper()
        if any(t == tx and r == root for t, r in PREAWARD):
            return f"peppol-preaward-{tx.lower()}"
        return None
    if root in EFORMS_ROOTS and cust.startswith(EFORMS_CUSTOMIZATION):
        return "eforms-sdk-1"
    if root in UBL23_PREAWARD_ROOTS and (version.startswith("2.3") or not cust):
        return "ubl-2.3"
    return None


def detect(
    namespace: str, root: str, customization: str, profile: str, ubl_version: str = ""
) -> Detected:
    """Choose the plan family from root element, namespace, CustomizationID and ProfileID."""
    family = _family(namespace, root, customization.strip(), ubl_version.strip())
    if family is None:
        what = f"{{{namespace}}}{root}"
        if customization:
            what += f" with CustomizationID {customization!r}"
        raise NoPlanError(f"no validation plan for {what}; name one with --plan")
    return Detected(namespace, root, customization, profile, family)
