"""Dynamic errors inside an official rule set, read back into something a user can act on.

An official stylesheet can stop half-way on a document the schema already
refuses: ``xs:decimal('abc')`` raises FORG0001, ``xs:date('2023-02-30')`` the
same, a cast of two elements XPTY0004. Saxon then reports the error code, the
message (which quotes the offending value) and the stylesheet line of the
``xsl:when``/``xsl:if`` being evaluated. The line leads back to the assert it
belongs to and to the rule context of its template, so the finding can say
*which* rule stopped on *which* value.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

__all__ = ["DynamicError", "RuleAt", "parse_saxon_error", "rule_at"]

_XSL = "{http://www.w3.org/1999/XSL/Transform}"
_SVRL = "{http://purl.oclc.org/dsdl/svrl}"
# "  FORG0001  Cannot convert string "abc" to xs:decimal: invalid character 'a'"
_CODED = re.compile(r"^\s*(?:Q\{[^}]*\})?([A-Z]{4}\d{4}|[A-Za-z][\w.-]*:[\w.-]+)\s+(\S.*)$")
_LINE = re.compile(r"\bon line (\d+)(?: column \d+)? of ([^\s:]+)")
_QUOTED = re.compile(r"[\"“]([^\"”]*)[\"”]")
# "Error at ...", "Type error at ...", "Dynamic error in ..."; not "Warning", "During lazy ...".
_HEADER = re.compile(r"^(?:[A-Z][a-z]+ )?[Ee]rror\b")
_TESTS = (f"{_XSL}when", f"{_XSL}if")


@dataclass(frozen=True, slots=True)
class DynamicError:
    """What Saxon said when a rule set stopped: code, message, quoted value, stylesheet line."""

    code: str
    message: str
    value: str | None
    line: int | None


@dataclass(frozen=True, slots=True)
class RuleAt:
    """The assert (or report) and rule context a stylesheet line belongs to, where known."""

    rule: str | None
    context: str | None


def _blocks(text: str) -> list[list[str]]:
    # Saxon writes one block per diagnostic: an unindented header, then indented lines.
    blocks: list[list[str]] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        if raw[:1].isspace() and blocks:
            blocks[-1].append(raw.strip())
        else:
            blocks.append([raw.strip()])
    return blocks


def parse_saxon_error(text: str) -> DynamicError:
    """Code, message, offending value and stylesheet line out of a Saxon error text.

    The text may carry warnings Saxon had pending (``SXWN9032`` from compiling
    another stylesheet, a pattern it could not match and skipped, as the official
    pipeline does) and notes such as "During lazy evaluation of ..."; the error is
    the last block whose header says error.
    """
    blocks = [b for b in _blocks(text) if _HEADER.match(b[0])]
    if not blocks:
        return DynamicError("SAXON", " ".join(text.split())[:500], None, None)
    header, *rest = blocks[-1]
    code, parts = "SAXON", []
    for n, line in enumerate(rest):
        m = _CODED.match(line)
        if m and n == 0:
            code = m.group(1)
            parts.append(m.group(2))
        elif line.startswith(("In template", "In function", "invoked by", "at ")):
            break
        else:
            parts.append(line)
    message = " ".join(" ".join(parts).split()) or header
    line_match = _LINE.search(header)
    value = _QUOTED.search(message)
    return DynamicError(
        code=code,
        message=message,
        value=value.group(1) if value else None,
        line=int(line_match.group(1)) if line_match else None,
    )


class _LineIndex:
    """Sorted start lines of the stylesheet's tests, each with its assert id and context."""

    def __init__(self, path: Path) -> None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        tree = etree.parse(str(path), parser)
        self.entries: list[tuple[int, RuleAt]] = []
        for el in tree.iter(*_TESTS):
            self.entries.append((el.sourceline or 0, RuleAt(_rule_id(el), _context(el))))
        self.entries.sort(key=lambda e: e[0])

    def at(self, line: int) -> RuleAt:
        found = RuleAt(None, None)
        for start, rule in self.entries:
            if start > line:
                break
            found = rule
        return found


def _rule_id(test: etree._Element) -> str | None:
    holder = test.getparent() if test.tag == f"{_XSL}when" else test
    if holder is None:
        return None
    for out in holder.iter(f"{_SVRL}failed-assert", f"{_SVRL}successful-report"):
        if out.get("id"):
            return out.get("id")
        for attr in out.iterchildren(f"{_XSL}attribute"):
            if attr.get("name") == "id":
                return "".join(attr.itertext()).strip() or None
        return None
    return None


def _context(test: etree._Element) -> str | None:
    for anc in test.iterancestors(f"{_XSL}template"):
        fired = anc.find(f"{_SVRL}fired-rule")
        if fired is not None and fired.get("context"):
            return fired.get("context")
        return anc.get("match")
    return None


_indexes: dict[Path, _LineIndex] = {}
_lock = threading.Lock()


def rule_at(stylesheet: Path, line: int | None) -> RuleAt:
    """The assert and rule context at ``line`` of a compiled stylesheet (a trusted artefact)."""
    if line is None:
        return RuleAt(None, None)
    index = _indexes.get(stylesheet)
    if index is None:
        try:
            built = _LineIndex(stylesheet)
        except (OSError, etree.XMLSyntaxError):
            return RuleAt(None, None)
        with _lock:
            index = _indexes.setdefault(stylesheet, built)
    return index.at(line)
