"""The vefa unit-test reader for the conformance tests.

The official unit tests (EN 16931 ``tests/``, Peppol ``tests/unit-UBL-*`` and
``rules/unit-*``) are vefa ``testSet`` files. Cases are read at collection time
from the installed artefacts, so each official case becomes one test id.
"""

from __future__ import annotations

import copy
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from schemas import xmlsafe
from schemas.report import Finding

ROOT = Path(__file__).resolve().parents[2]
VEFA = "{http://difi.no/xsd/vefa/validator/1.0}"


def installed_artefacts() -> Path:
    """Where the suite's artefacts are installed (the same rule as the `artefacts_dir` fixture)."""
    return Path(os.environ.get("GW_ARTEFACTS_DIR", ROOT / "var" / "artefacts")).resolve()


@dataclass(frozen=True)
class UnitCase:
    """One vefa test: the document, the rules in scope, and what must fire how often."""

    id: str
    configuration: str
    document: bytes
    scope: frozenset[str]
    success: frozenset[str]
    expected: dict[tuple[str, str], int]  # (rule, "fatal"|"warning") -> times

    def mismatches(self, findings: Iterable[Finding]) -> list[str]:
        """Differences between what fired (in scope) and what the case expects."""
        fired: Counter[tuple[str, str]] = Counter(
            (f.rule, f.severity) for f in findings if f.rule in self.scope
        )
        problems = []
        for (rule, flag), times in self.expected.items():
            if fired[(rule, flag)] != times:
                problems.append(f"{rule} expected {times}x {flag}, fired {fired[(rule, flag)]}x")
        for (rule, flag), times in fired.items():
            if (rule, flag) not in self.expected:
                problems.append(f"{rule} fired {times}x {flag} unexpectedly")
        return problems


def _ids(el: etree._Element, tag: str) -> list[tuple[str, int]]:
    out = []
    for child in el.iter(f"{VEFA}{tag}"):
        out.append(((child.text or "").strip(), int(child.get("number", "1"))))
    return out


def read_unit_cases(base: Path, pattern: str) -> list[UnitCase]:
    """Every vefa test under ``base`` matching ``pattern``, in file order."""
    cases: list[UnitCase] = []
    for path in sorted(base.glob(pattern)):
        root = xmlsafe.parse_file(path).getroot()
        config = root.get("configuration", "")
        set_scope = {s for s, _ in _ids_direct(root)}
        rel = path.relative_to(base).as_posix()
        for index, test in enumerate(root.findall(f"{VEFA}test"), start=1):
            asserts = test.findall(f"{VEFA}assert")
            docs = [c for c in test if isinstance(c.tag, str) and c.tag != f"{VEFA}assert"]
            if len(docs) != 1:
                raise ValueError(f"{rel} test {index}: expected one document, found {len(docs)}")
            scope, success = set(set_scope), set()
            expected: Counter[tuple[str, str]] = Counter()
            for a in asserts:
                scope |= {s for s, _ in _ids(a, "scope")}
                for rule, _ in _ids(a, "success"):
                    success.add(rule)
                for rule, n in _ids(a, "error"):
                    expected[(rule, "fatal")] += n
                for rule, n in _ids(a, "warning"):
                    expected[(rule, "warning")] += n
            scope |= success | {rule for rule, _ in expected}
            doc = copy.deepcopy(docs[0])
            etree.cleanup_namespaces(doc)
            cases.append(
                UnitCase(
                    id=f"{rel}:{index}",
                    configuration=config,
                    document=etree.tostring(doc, encoding="UTF-8"),
                    scope=frozenset(scope),
                    success=frozenset(success),
                    expected=dict(expected),
                )
            )
    return cases


def _ids_direct(root: etree._Element) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for a in root.findall(f"{VEFA}assert"):
        out.extend(_ids(a, "scope"))
    return out


def cases_or_empty(set_name: str, pattern: str) -> list[UnitCase]:
    """Cases from an installed set; none when the set is not installed (the fixture then fails)."""
    base = installed_artefacts() / set_name
    return read_unit_cases(base, pattern) if base.is_dir() else []
