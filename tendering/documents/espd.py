"""ESPD request (UBL 2.3 QualificationApplicationRequest, ESPD-EDM 4.1.0).

The criteria are not written by hand: each is copied whole (questions,
requirements, legislation) from the ESPD-EDM criterion taxonomy in the
installed artefacts (``espd-4.1/ESPD-criterion.xml``), so the request asks
exactly what the official model asks. The buyer picks the selection criteria;
every exclusion ground is included unless a narrower list is given, and the
"other" criteria about the economic operator (groups, reliance, SME, ...)
always are.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from lxml import etree

from schemas.xmlsafe import parse_file
from tendering.documents._ubl import CAC, CBC, PartyRef, cac, cbc, party, root, to_bytes, utc

__all__ = ["CRITERION_TAXONOMY", "EspdCriterion", "build_espd_request", "criterion_taxonomy"]

CRITERION_TAXONOMY = Path("espd-4.1") / "ESPD-criterion.xml"
ESPD_VERSION = "4.1.0"
_KIND = re.compile(r"^C\d+_(EG|SC|OT)_")
_KINDS = {"EG": "exclusion", "SC": "selection", "OT": "other"}
_OP = {"schemeAgencyID": "OP", "schemeVersionID": ESPD_VERSION}


class EspdCriterion:
    """One criterion of the taxonomy: its type code, kind and the element to copy."""

    __slots__ = ("code", "element", "kind", "name")

    def __init__(self, element: etree._Element) -> None:
        self.element = element
        self.code = element.findtext(f"{{{CBC}}}CriterionTypeCode", "").strip()
        self.name = element.findtext(f"{{{CBC}}}Name", "").strip()
        self.kind = "other"
        for ident in element.iter(f"{{{CBC}}}ID"):
            match = _KIND.match(ident.text or "")
            if match:
                self.kind = _KINDS[match.group(1)]
                break


@lru_cache(maxsize=4)
def _taxonomy(path: str) -> tuple[EspdCriterion, ...]:
    tree = parse_file(path)
    return tuple(EspdCriterion(e) for e in tree.getroot().iterfind(f"{{{CAC}}}TenderingCriterion"))


def criterion_taxonomy(artefacts_dir: Path) -> tuple[EspdCriterion, ...]:
    """Every criterion of the installed ESPD-EDM taxonomy, in its order."""
    return _taxonomy(str(artefacts_dir / CRITERION_TAXONOMY))


def build_espd_request(
    *,
    artefacts_dir: Path,
    request_id: str,
    tender_reference: str,
    issued_at: datetime,
    buyer: PartyRef,
    project_description: str,
    lot_ids: Sequence[str],
    selection: Sequence[str],
    exclusion: Sequence[str] | None = None,
    procedure_code: str = "open",
) -> bytes:
    """An ESPD request with the chosen criteria (type codes) bound to the tender's lots."""
    taxonomy = criterion_taxonomy(artefacts_dir)
    known = {c.code: c for c in taxonomy}
    for code in [*selection, *(exclusion or ())]:
        if code not in known:
            raise ValueError(f"criterion {code!r} is not in the ESPD taxonomy")
    for code in selection:
        if known[code].kind != "selection":
            raise ValueError(f"criterion {code!r} is not a selection criterion")
    wanted_exclusion = set(exclusion) if exclusion is not None else None
    if not lot_ids:
        raise ValueError("an ESPD request names at least one lot")

    el = root("QualificationApplicationRequest")
    cbc(el, "UBLVersionID", "2.3", schemeAgencyID="OASIS-UBL-TC")
    cbc(el, "ProfileExecutionID", f"ESPD-EDMv{ESPD_VERSION}", **_OP)
    cbc(el, "ID", request_id)
    cbc(el, "CopyIndicator", False)
    cbc(el, "UUID", str(uuid.uuid5(uuid.NAMESPACE_URL, f"espd:{tender_reference}:{request_id}")))
    cbc(el, "ContractFolderID", tender_reference)
    moment = utc(issued_at)
    cbc(el, "IssueDate", moment.date().isoformat())
    cbc(el, "IssueTime", moment.strftime("%H:%M:%SZ"))
    cbc(el, "VersionID", ESPD_VERSION, **_OP)
    cbc(
        el,
        "ProcedureCode",
        procedure_code,
        listID="http://publications.europa.eu/resource/authority/procurement-procedure-type",
        listAgencyID="OP",
    )
    party(cac(el, "ContractingParty"), "Party", buyer)
    cbc(cac(el, "ProcurementProject"), "Description", project_description)
    for lot_id in lot_ids:
        cbc(cac(el, "ProcurementProjectLot"), "ID", lot_id, schemeID="Criterion", **_OP)
    chosen = set(selection)
    for criterion in taxonomy:
        take = (
            criterion.kind == "other"
            or (criterion.kind == "selection" and criterion.code in chosen)
            or (
                criterion.kind == "exclusion"
                and (wanted_exclusion is None or criterion.code in wanted_exclusion)
            )
        )
        if take:
            el.append(_bound_to_lots(criterion.element, lot_ids))
    return to_bytes(el)


def _bound_to_lots(template: etree._Element, lot_ids: Sequence[str]) -> etree._Element:
    """A copy of a taxonomy criterion whose lot references name the tender's lots."""
    element = copy.deepcopy(template)
    refs = element.findall(f"{{{CAC}}}ProcurementProjectLotReference")
    if refs:
        anchor = element.index(refs[0])
        for ref in refs:
            element.remove(ref)
        for offset, lot_id in enumerate(lot_ids):
            ref = etree.Element(f"{{{CAC}}}ProcurementProjectLotReference")
            cbc(ref, "ID", lot_id, schemeID="Criterion", **_OP)
            element.insert(anchor + offset, ref)
    # Requirement groups asked per lot carry a LOT_IDENTIFIER requirement: one copy per lot.
    for group in element.findall(f"{{{CAC}}}TenderingCriterionPropertyGroup"):
        expected = _lot_requirements(group)
        if not expected:
            continue
        anchor = element.index(group)
        element.remove(group)
        for offset, lot_id in enumerate(lot_ids):
            for slot in expected:
                slot.text = lot_id
            element.insert(anchor + offset, copy.deepcopy(group))
    return element


def _lot_requirements(group: etree._Element) -> list[etree._Element]:
    """The ExpectedID elements of a group's own LOT_IDENTIFIER requirements."""
    slots = []
    for prop in group.iter(f"{{{CAC}}}TenderingCriterionProperty"):
        if prop.findtext(f"{{{CBC}}}ValueDataTypeCode") == "LOT_IDENTIFIER":
            slots.extend(prop.findall(f"{{{CBC}}}ExpectedID"))
    return slots
