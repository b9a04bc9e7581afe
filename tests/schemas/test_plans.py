"""Plan detection and resolution: which XSD and rule sets a document gets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from schemas import plans

UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
PEPPOL_CUST = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"


def _family(root: str, cust: str = "", version: str = "", ns: str | None = None) -> str:
    namespace = ns if ns is not None else f"{UBL}{root}-2"
    return plans.detect(namespace, root, cust, "", version).family


@pytest.mark.parametrize(
    ("root", "cust", "version", "family"),
    [
        ("Invoice", PEPPOL_CUST, "", "peppol-billing-3"),
        ("CreditNote", PEPPOL_CUST, "", "peppol-billing-3"),
        ("Invoice", "urn:cen.eu:en16931:2017", "", "en16931-ubl"),
        ("Invoice", "urn:cen.eu:en16931:2017#conformant#urn:example:x", "", "en16931-ubl"),
        ("Order", "OIOUBL-2.1", "2.1", "oioubl-2.1"),
        ("UtilityStatement", "OIOUBL-2.1", "2.1", "oioubl-2.1"),
        ("Invoice", "urn:fdc:oioubl.dk:trns:billing:invoice:3.0", "", "oioubl-3.0"),
        (
            "ApplicationResponse",
            "urn:fdc:peppol.eu:poacc:trns:invoice_response:3@urn:fdc:oioubl.dk:trns:billing:invoice_response:3.0",
            "",
            "oioubl-3.0-invoice-response",
        ),
        (
            "ApplicationResponse",
            "urn:fdc:peppol.eu:poacc:trns:invoice_response:3",
            "",
            "peppol-t111",
        ),
        ("ApplicationResponse", "urn:fdc:peppol.eu:poacc:trns:mlr:3", "", "peppol-t71"),
        ("OrderResponse", "urn:fdc:peppol.eu:poacc:trns:order_agreement:3", "", "peppol-t110"),
        ("Catalogue", "urn:fdc:peppol.eu:poacc:trns:punch_out:3", "", "peppol-t77"),
        ("OrderChange", "urn:fdc:peppol.eu:poacc:trns:order_change:3", "", "peppol-t114"),
        ("CallForTenders", "urn:fdc:peppol.eu:prac:trns:t004:1.2", "2.2", "peppol-preaward-t004"),
        ("Tender", "urn:fdc:peppol.eu:prac:trns:t005:1.2", "2.2", "peppol-preaward-t005"),
        ("QualificationApplicationRequest", "", "2.3", "ubl-2.3"),
        ("ContractNotice", "eforms-1.2", "2.3", "ubl-2.3"),
    ],
)
def test_detection_picks_the_plan_family(root: str, cust: str, version: str, family: str) -> None:
    assert _family(root, cust, version) == family


def test_cii_invoice_gets_the_cii_rules() -> None:
    ns = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    assert _family("CrossIndustryInvoice", ns=ns) == "en16931-cii"


@pytest.mark.parametrize(
    ("root", "cust", "ns"),
    [
        ("Invoice", "urn:example:unknown", None),
        ("Invoice", "", None),
        ("Order", "urn:fdc:peppol.eu:poacc:trns:invoice_response:3", None),
        ("Tender", "urn:fdc:peppol.eu:prac:trns:t004:1.2", None),
        ("html", "", "http://www.w3.org/1999/xhtml"),
    ],
)
def test_documents_no_plan_fits_are_refused_by_name(root: str, cust: str, ns: str | None) -> None:
    with pytest.raises(plans.NoPlanError, match=root):
        _family(root, cust, ns=ns)


def test_peppol_family_follows_the_release_in_force() -> None:
    assert plans.resolve("peppol-billing-3", on=dt.date(2026, 8, 23)).name == (
        "peppol-billing-3@2025.5"
    )
    assert plans.resolve("peppol-billing-3", on=dt.date(2026, 8, 24)).name == (
        "peppol-billing-3@2026.5"
    )
    assert plans.resolve("peppol-t01", on=dt.date(2027, 1, 1)).name == "peppol-t01@2026.5"


def test_explicit_release_ignores_the_date() -> None:
    plan = plans.resolve("peppol-billing-3@2025.5", on=dt.date(2030, 1, 1))
    assert [r.path for r in plan.rules] == [
        "en16931-ubl-1.3.16/xslt/EN16931-UBL-validation.xslt",
        "peppol-bis-billing-3/xslt/2025.5/PEPPOL-EN16931-UBL.xslt",
    ]


def test_unknown_plan_name_lists_the_known_ones() -> None:
    with pytest.raises(plans.NoPlanError, match="peppol-billing-3"):
        plans.resolve("no-such-plan")


def test_plan_resolves_paths_per_root() -> None:
    oio = plans.resolve("oioubl-2.1")
    assert oio.schema_for("Order") == "oioubl-2.1/Schemas/UBL_v2.1/maindoc/UBL-Order-2.1.xsd"
    assert oio.rules_for("Order")[0].path == "oioubl-2.1/Stylesheets/OIOUBL_Order_Schematron.xsl"
    t114 = plans.resolve("peppol-t114@2025.5")
    assert t114.schema_for("OrderChange") == "ubl-2.3/xsd/maindoc/UBL-OrderChange-2.3.xsd"


def test_every_plan_points_at_installed_artefacts(artefacts_dir: Path) -> None:
    missing = []
    for plan in plans.list_plans():
        if plan.family.startswith("peppol-preaward"):
            continue  # compiled at install time; covered in test_schematron
        for root in plan.roots or ("Invoice", "Tender"):
            wanted = [plan.schema_for(root)] + [r.path for r in plan.rules_for(root)]
            missing += [
                f"{plan.name}: {p}" for p in wanted if p and not (artefacts_dir / p).is_file()
            ]
    assert missing == []


QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:4.0"


@pytest.mark.parametrize(
    ("root", "spec", "ns", "family"),
    [
        ("QueryRequest", "urn:fdc:peppol.eu:prac:trns:t011:1.1", QUERY, "peppol-preaward-t011"),
        ("QueryResponse", "urn:fdc:peppol.eu:prac:trns:t012:1.2", QUERY, "peppol-preaward-t012"),
        (
            "SubmitObjectsRequest",
            "urn:fdc:peppol.eu:prac:trns:t015:1.2",
            LCM,
            "peppol-preaward-t015",
        ),
        # No identifier: the root decides, and the rules then report the missing slot.
        ("QueryRequest", "", QUERY, "peppol-preaward-t011"),
    ],
)
def test_ebrs_search_and_publish_notices_get_their_plans(
    root: str, spec: str, ns: str, family: str
) -> None:
    assert _family(root, spec, ns=ns) == family
    plan = plans.resolve(family)
    assert plan.schema_for(root) is None  # the artefacts ship no ebRS XSD
    assert [r.name for r in plan.rules_for(root)] == [family.rsplit("-", 1)[1].upper()]


def test_ebrs_message_naming_another_transaction_has_no_plan() -> None:
    with pytest.raises(plans.NoPlanError, match="QueryRequest"):
        _family("QueryRequest", "urn:fdc:peppol.eu:prac:trns:t015:1.2", ns=QUERY)


def test_unknown_plan_is_a_usage_error_not_a_document_one() -> None:
    with pytest.raises(plans.UnknownPlanError):
        plans.resolve("no-such-plan")
    with pytest.raises(plans.NoPlanError) as caught:
        _family("Invoice", "urn:example:unknown")
    assert not isinstance(caught.value, plans.UnknownPlanError)
