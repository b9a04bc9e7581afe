"""Check a mapping file against the taxonomy package it names.

Reads the concept declarations (``xsd:element``) of every schema in the
package and reports each mapped concept that is missing, declared with
another balance side than the mapping says, or with the wrong period type
(income-statement and general concepts are durations, balance-sheet
concepts instants). Run it after writing a mapping for a new taxonomy.
"""

from __future__ import annotations

import difflib
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reporting.errors import ReportValidationUnavailable
from reporting.xbrl.mapping import XbrlMapping
from schemas import xmlsafe

__all__ = [
    "TaxonomyConcept",
    "check_mapping",
    "read_concepts",
    "read_labels",
    "unknown_concepts",
]

_XSD = "{http://www.w3.org/2001/XMLSchema}"
_XBRLI = "{http://www.xbrl.org/2003/instance}"
# Taxonomy schemas are big (fsa.xsd is about 400 kB); they are hash-checked artefacts.
_LIMITS = xmlsafe.XmlLimits(max_bytes=20 * 1024 * 1024, max_elements=500_000)


@dataclass(frozen=True, slots=True)
class TaxonomyConcept:
    namespace: str
    name: str
    period_type: str | None
    balance: str | None
    abstract: bool


def read_concepts(package: str | Path) -> dict[tuple[str, str], TaxonomyConcept]:
    """Every concept declared in the package's schemas, by (namespace, name)."""
    path = Path(package)
    if not path.is_file():
        raise ReportValidationUnavailable(f"taxonomy package not installed: {path}")
    out: dict[tuple[str, str], TaxonomyConcept] = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if not info.filename.endswith(".xsd") or info.file_size > _LIMITS.max_bytes:
                continue
            root = xmlsafe.parse(zf.read(info), limits=_LIMITS).getroot()
            namespace = root.get("targetNamespace", "")
            for el in root.iterfind(f"{_XSD}element"):
                name = el.get("name")
                if not name:
                    continue
                out[(namespace, name)] = TaxonomyConcept(
                    namespace=namespace,
                    name=name,
                    period_type=el.get(f"{_XBRLI}periodType"),
                    balance=el.get(f"{_XBRLI}balance"),
                    abstract=el.get("abstract") == "true",
                )
    return out


def check_mapping(mapping: XbrlMapping, *, artefacts_dir: str | Path) -> list[str]:
    """Problems of the mapping against its taxonomy package; empty when it fits."""
    concepts = read_concepts(Path(artefacts_dir) / mapping.package)
    problems: list[str] = []
    wanted: list[tuple[str, str, str | None]] = []  # qname, period type, balance
    for statement, period in ((mapping.income, "duration"), (mapping.balance, "instant")):
        wanted += [(q, period, c.balance) for q, c in statement.concepts.items()]
    wanted += [(q, "duration", None) for q in mapping.general.values()]
    for qname, period, balance in wanted:
        prefix, _, name = qname.partition(":")
        found = concepts.get((mapping.namespaces.get(prefix, ""), name))
        if found is None:
            problems.append(f"{qname} is not declared in {mapping.package}")
            continue
        if found.abstract:
            problems.append(f"{qname} is abstract: facts cannot be reported for it")
        if found.period_type != period:
            problems.append(f"{qname} has period type {found.period_type}, not {period}")
        if balance is not None and found.balance != balance:
            problems.append(f"{qname} is a {found.balance} concept, the mapping says {balance}")
    return problems


_LINK = "{http://www.xbrl.org/2003/linkbase}"
_XLINK = "{http://www.w3.org/1999/xlink}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_STANDARD_LABEL = "http://www.xbrl.org/2003/role/label"


@lru_cache(maxsize=4)
def read_labels(package: str | Path, lang: str = "da") -> dict[str, str]:
    """The standard label of every concept in ``lang``, by ``prefix:Name``.

    The Danish taxonomies give each concept the id ``prefix_Name``, which is how
    a label's locator names its concept.
    """
    path = Path(package)
    if not path.is_file():
        raise ReportValidationUnavailable(f"taxonomy package not installed: {path}")
    out: dict[str, str] = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if not info.filename.endswith(f"-lab-{lang}.xml"):
                continue
            root = xmlsafe.parse(zf.read(info), limits=_LIMITS).getroot()
            for link in root.iterfind(f"{_LINK}labelLink"):
                locs = {
                    loc.get(f"{_XLINK}label"): loc.get(f"{_XLINK}href", "").rpartition("#")[2]
                    for loc in link.iterfind(f"{_LINK}loc")
                }
                texts = {
                    lab.get(f"{_XLINK}label"): (lab.text or "").strip()
                    for lab in link.iterfind(f"{_LINK}label")
                    if lab.get(f"{_XLINK}role", _STANDARD_LABEL) == _STANDARD_LABEL
                    and lab.get(_XML_LANG, lang) == lang
                }
                for arc in link.iterfind(f"{_LINK}labelArc"):
                    concept = locs.get(arc.get(f"{_XLINK}from"))
                    text = texts.get(arc.get(f"{_XLINK}to"))
                    if concept and text:
                        prefix, _, name = concept.partition("_")
                        out.setdefault(f"{prefix}:{name}", text)
    return out


def unknown_concepts(
    qnames: list[str], mapping: XbrlMapping, *, artefacts_dir: str | Path
) -> list[str]:
    """A message for each qname the taxonomy does not declare, with its closest matches."""
    concepts = read_concepts(Path(artefacts_dir) / mapping.package)
    by_prefix: dict[str, list[str]] = {}
    for ns, local in concepts:
        by_prefix.setdefault(ns, []).append(local)
    problems = []
    for qname in qnames:
        prefix, _, name = qname.partition(":")
        namespace = mapping.namespaces.get(prefix, "")
        if not namespace:
            problems.append(
                f"{qname}: the prefix {prefix!r} is not one of the mapping's namespaces"
            )
            continue
        if (namespace, name) in concepts:
            continue
        close = difflib.get_close_matches(name, by_prefix.get(namespace, []), n=3, cutoff=0.6)
        hint = f"; close matches: {', '.join(f'{prefix}:{c}' for c in close)}" if close else ""
        problems.append(f"{qname} is not a concept of {mapping.package}{hint}")
    return problems
