"""Seeded mutants of the official example invoices: the broken documents users really send.

Each mutant changes one thing in one official example: an empty element, an
impossible date, ``abc`` in an amount, a single element duplicated, a
mandatory element removed, a number in the wrong notation. The same seed
gives the same mutants on every machine, so a failing id can be rerun alone.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

__all__ = ["OPERATORS", "Mutant", "mutants"]

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"


@dataclass(frozen=True, slots=True)
class Mutant:
    """One mutated document: a stable id, the example it came from, what changed."""

    id: str
    source: Path
    operator: str
    change: str
    document: bytes


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _leaves(root: etree._Element) -> list[etree._Element]:
    return [el for el in root.iter() if isinstance(el.tag, str) and len(el) == 0 and el is not root]


def _named(root: etree._Element, suffixes: tuple[str, ...]) -> list[etree._Element]:
    return [el for el in _leaves(root) if _local(el).endswith(suffixes)]


def _path(el: etree._Element) -> str:
    return el.getroottree().getpath(el)


Operator = Callable[[etree._Element, random.Random], str | None]


def _empty(root: etree._Element, rnd: random.Random) -> str | None:
    leaves = [el for el in _leaves(root) if (el.text or "").strip()]
    if not leaves:
        return None
    el = rnd.choice(leaves)
    el.text = rnd.choice(["", " "])
    return f"emptied {_path(el)}"


def _bad_date(root: etree._Element, rnd: random.Random) -> str | None:
    dates = _named(root, ("Date",))
    if not dates:
        return None
    el = rnd.choice(dates)
    el.text = rnd.choice(["2023-02-30", "2023-13-01", "30.01.2023", "2023-2-3", "yesterday"])
    return f"{_path(el)} = {el.text!r}"


def _bad_number(root: etree._Element, rnd: random.Random) -> str | None:
    numbers = _named(root, ("Amount", "Quantity", "Percent", "Price", "Rate"))
    if not numbers:
        return None
    el = rnd.choice(numbers)
    el.text = rnd.choice(["abc", "1,5", "12.345.67", "1e3", "--1", "NaN"])
    return f"{_path(el)} = {el.text!r}"


def _duplicate(root: etree._Element, rnd: random.Random) -> str | None:
    singles = [
        el
        for el in root.iter()
        if isinstance(el.tag, str)
        and el is not root
        and el.getparent() is not None
        and len(el.getparent().findall(el.tag)) == 1  # type: ignore[union-attr]
    ]
    if not singles:
        return None
    el = rnd.choice(singles)
    el.addnext(copy.deepcopy(el))
    return f"duplicated {_path(el)}"


def _remove(root: etree._Element, rnd: random.Random) -> str | None:
    # Prefer the top-level and party elements a document cannot do without.
    candidates = [el for el in root if isinstance(el.tag, str)]
    candidates += [el for el in root.iter(f"{{{CBC}}}ID", f"{{{CAC}}}TaxCategory")]
    if not candidates:
        return None
    el = rnd.choice(candidates)
    where = _path(el)
    parent = el.getparent()
    assert parent is not None
    parent.remove(el)
    return f"removed {where}"


def _bad_code(root: etree._Element, rnd: random.Random) -> str | None:
    codes = [el for el in _leaves(root) if _local(el).endswith("Code") or el.get("currencyID")]
    if not codes:
        return None
    el = rnd.choice(codes)
    if el.get("currencyID") and rnd.random() < 0.5:
        el.set("currencyID", rnd.choice(["", "XXX", "eur"]))
        return f"{_path(el)}/@currencyID = {el.get('currencyID')!r}"
    el.text = rnd.choice(["", "ZZ", "123456"])
    return f"{_path(el)} = {el.text!r}"


OPERATORS: dict[str, Operator] = {
    "empty": _empty,
    "date": _bad_date,
    "number": _bad_number,
    "duplicate": _duplicate,
    "remove": _remove,
    "code": _bad_code,
}


def mutants(sources: list[Path], *, per_operator: int, seed: int = 11) -> Iterator[Mutant]:
    """``per_operator`` mutants of each operator for each source, reproducible from ``seed``."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for source in sources:
        original = etree.fromstring(source.read_bytes(), parser)
        for name, operator in OPERATORS.items():
            rnd = random.Random(f"{seed}:{source.name}:{name}")
            for n in range(per_operator):
                root = copy.deepcopy(original)
                change = operator(root, rnd)
                if change is None:
                    break
                yield Mutant(
                    id=f"{source.stem}-{name}-{n}",
                    source=source,
                    operator=name,
                    change=change,
                    document=etree.tostring(root, xml_declaration=True, encoding="UTF-8"),
                )
