"""A rule set compiled for lxml: translated asserts run in libxml2, the rest in a residual XSLT.

Per document and per pattern, each rule's context is selected once from the
root and the nodes are handed to rules in priority order (a node belongs to the
first rule that matches it, as in the official stylesheet). Each translated
assert then costs one XPath call per document, not one per context node: the
failing contexts are ``(context)[not(test)]``. Asserts that use ``current()``
run once per context node with the node bound to a variable.

The asserts that were not translated, or that disagreed with Saxon on the
official tests (:data:`schemas.compiled.gate.FALLBACK`), stay in a copy of the
official stylesheet from which the translated ones were removed; Saxon runs
that copy, so the rule order and contexts for them are the official ones.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from schemas.compiled import xpath
from schemas.compiled.model import XSL, Assert, RuleSetModel, read_model
from schemas.report import Finding, Severity

__all__ = ["CACHE_DIR", "CompiledRuleSet", "RuleOutcome", "cached", "compile_ruleset"]

# Under the artefact directory: the residual stylesheets, keyed by a hash of what they hold.
CACHE_DIR = "compiled-rules"
_RESIDUAL_FORMAT = b"residual-2\0"  # bump when the residual stylesheet changes shape

_SEVERITIES: dict[str, Severity] = {
    "fatal": "fatal",
    "error": "fatal",
    "warning": "warning",
    "warn": "warning",
    "information": "information",
    "info": "information",
}


@dataclass(slots=True)
class _Compiled:
    spec: Assert
    translated: str
    batch: etree.XPath | None  # selects the contexts where the assert fails (report fires)
    single: etree.XPath  # per context node, with current() bound
    severity: Severity
    # ``not(path)`` asserts: the elements that must all be in the document for it to fail.
    needs: frozenset[str] | None = None


@dataclass(slots=True)
class _Rule:
    select: etree.XPath
    asserts: list[_Compiled]
    # One call per context node answering every unguarded assert at once: those that fire.
    combined: etree.XPath | None = None
    combined_asserts: list[_Compiled] = field(default_factory=list)
    # The context can match only if one of these elements is in the document (None: unknown).
    needs_any: frozenset[str] | None = None


_QNAME = re.compile(r"(?<![\w.@$:-])([A-Za-z_][\w.-]*):([A-Za-z_][\w.-]*)(?![\w.(-])")


def _strip_predicates(expr: str) -> str:
    out, depth = [], 0
    for ch in xpath.blank_strings(expr):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def _clark(prefix: str, local: str, ns: dict[str, str]) -> str | None:
    uri = ns.get(prefix)
    return f"{{{uri}}}{local}" if uri else None


def _needs_all(test: str, ns: dict[str, str]) -> frozenset[str] | None:
    """For ``not(path)``: the element names on the path's own steps (None when not that shape)."""
    t = test.strip()
    if not (t.startswith("not(") and t.endswith(")")):
        return None
    inner = _strip_predicates(t[4:-1])
    if any(tok in inner for tok in ("(", ")", "|", "=", "<", ">", " and ", " or ", "$")):
        return None
    names = {_clark(p, n, ns) for p, n in _QNAME.findall(inner)}
    if not names or None in names:
        return None
    return frozenset(n for n in names if n)


def _needs_any(context: str, ns: dict[str, str]) -> frozenset[str] | None:
    """The element names a context's branches end on (None when a branch is not a plain name)."""
    names: set[str] = set()
    for branch in xpath.split_union(context):
        last = _strip_predicates(branch).rstrip().rsplit("/", 1)[-1].strip()
        m = _QNAME.fullmatch(last)
        name = _clark(m.group(1), m.group(2), ns) if m else None
        if name is None:
            return None
        names.add(name)
    return frozenset(names) or None


# Up to this many context nodes a rule runs its combined expression per node; above it,
# one call per assert over the whole document costs less.
_PER_NODE_UP_TO = 8


def _combine(asserts: list[_Compiled], ns: dict[str, str]) -> etree.XPath | None:
    if not asserts:
        return None
    parts = []
    for i, c in enumerate(asserts):
        fires = c.translated if c.spec.report else f"not({c.translated})"
        # substring(s, 1 div true()) is s, substring(s, 1 div false()) is '': XPath 1.0's "if".
        parts.append(f"substring('{i},', 1 div boolean({fires}))")
    return etree.XPath(
        f"concat('', {', '.join(parts)})", namespaces=ns, extensions=xpath.extensions()
    )


@dataclass(slots=True)
class RuleOutcome:
    """Why each assert runs where it runs: ``compiled`` or the reason it stays in Saxon."""

    where: dict[str, str] = field(default_factory=dict)

    @property
    def compiled(self) -> int:
        return sum(1 for v in self.where.values() if v == "compiled")


@dataclass(slots=True)
class CompiledRuleSet:
    """The translated patterns of one stylesheet and the path of its residual stylesheet."""

    name: str
    patterns: list[list[_Rule]]
    residual: Path | None  # None: every assert is translated, Saxon is not needed
    outcome: RuleOutcome

    def run(self, tree: etree._ElementTree, *, ruleset: str) -> list[Finding]:
        """Findings of the translated asserts; raises ``xpath.NeedsReference`` to defer to Saxon."""
        out: list[Finding] = []
        # The document-level index: which element names occur at all.
        present = {el.tag for el in tree.iter() if isinstance(el.tag, str)}
        for rules in self.patterns:
            claimed: set[etree._Element] = set()
            for rule in rules:
                if rule.needs_any is not None and rule.needs_any.isdisjoint(present):
                    continue
                mine = [n for n in rule.select(tree) if n not in claimed]
                if not mine:
                    continue
                claimed.update(mine)
                guarded = [c for c in rule.asserts if c.needs is not None and c.needs <= present]
                if len(mine) <= _PER_NODE_UP_TO:
                    for n in mine:
                        if rule.combined is not None:
                            fired = str(rule.combined(n, **{xpath.CURRENT: n}))
                            out.extend(
                                _finding(rule.combined_asserts[int(i)], n, ruleset)
                                for i in fired.split(",")
                                if i
                            )
                        for c in guarded:
                            if bool(c.single(n, **{xpath.CURRENT: n})) == c.spec.report:
                                out.append(_finding(c, n, ruleset))
                    continue
                own = set(mine)
                for c in rule.combined_asserts + guarded:
                    if c.batch is not None:
                        failing = [n for n in c.batch(tree) if n in own]
                    else:
                        failing = [
                            n
                            for n in mine
                            if bool(c.single(n, **{xpath.CURRENT: n})) == c.spec.report
                        ]
                    out.extend(_finding(c, n, ruleset) for n in failing)
        return out


def _location(node: etree._Element) -> str:
    steps = []
    el: etree._Element | None = node
    while el is not None:
        q = etree.QName(el)
        position = 1 + sum(1 for s in el.itersiblings(preceding=True) if s.tag == el.tag)
        if q.namespace:
            steps.append(f"*:{q.localname}[namespace-uri()='{q.namespace}'][{position}]")
        else:
            steps.append(f"{q.localname}[{position}]")
        el = el.getparent()
    return "/" + "/".join(reversed(steps))


def _finding(c: _Compiled, node: etree._Element, ruleset: str) -> Finding:
    return Finding(
        rule=c.spec.id,
        severity=c.severity,
        location=_location(node),
        message=c.spec.text,
        ruleset=ruleset,
        test=c.spec.test,
    )


def _compile_assert(spec: Assert, select: str, ns: dict[str, str]) -> _Compiled:
    translated, single = xpath.compile_test(spec.test, ns, frozenset({xpath.CURRENT}))
    severity = _SEVERITIES.get(spec.flag.lower(), "fatal") if spec.flag else "fatal"
    needs = None if spec.report else _needs_all(spec.test, ns)
    if f"${xpath.CURRENT}" in translated:
        return _Compiled(spec, translated, None, single, severity, needs)
    predicate = translated if spec.report else f"not({translated})"
    try:
        batch = etree.XPath(
            f"({select})[{predicate}]", namespaces=ns, extensions=xpath.extensions()
        )
    except etree.XPathSyntaxError as exc:
        raise xpath.Refused(f"not XPath 1.0 in a predicate: {exc}") from exc
    return _Compiled(spec, translated, batch, single, severity, needs)


def _skip_empty_patterns(model: RuleSetModel, removed: set[str]) -> None:
    """Drop the traversal of a pattern none of whose asserts is left (its output is empty)."""
    empty = {
        p.mode for p in model.patterns if all(a.id in removed for r in p.rules for a in r.asserts)
    }
    root = model.tree.getroot()
    for call in root.iter(f"{{{XSL}}}apply-templates"):
        if call.get("mode") in empty and call.get("select") == "/":
            parent = call.getparent()
            if parent is not None:
                parent.remove(call)


def _residual(model: RuleSetModel, removed: list[Assert], cache_dir: Path) -> Path:
    digest = hashlib.sha256(_RESIDUAL_FORMAT + model.path.read_bytes())
    for spec in removed:
        digest.update(f"{spec.id}\0{spec.test}\0".encode())
    out = cache_dir / f"{model.path.stem}-residual-{digest.hexdigest()[:16]}.xslt"
    if out.is_file():
        return out
    for spec in removed:
        parent = spec.element.getparent()
        if parent is not None:
            parent.remove(spec.element)
    _skip_empty_patterns(model, {spec.id for spec in removed})
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    model.tree.write(str(tmp), encoding="UTF-8", xml_declaration=True)
    tmp.replace(out)
    return out


def compile_ruleset(
    path: Path, *, name: str, fallback: dict[str, str], cache_dir: Path
) -> CompiledRuleSet:
    """Translate what can be translated; write the residual stylesheet for the rest."""
    model = read_model(path)
    ns = dict(model.namespaces)
    outcome = RuleOutcome()
    patterns: list[list[_Rule]] = []
    translated: list[Assert] = []
    for pattern in model.patterns:
        rules: list[_Rule] = []
        blocked = ""  # once a rule's context is not translated, lower rules cannot be decided
        for rule in pattern.rules:
            select: etree.XPath | None = None
            reason = blocked
            if not reason and rule.variables:
                reason = "the rule declares variables"
            if not reason:
                try:
                    text = xpath.select_for(rule.context, ns)
                    select = etree.XPath(text, namespaces=ns, extensions=xpath.extensions())
                except (xpath.Refused, etree.XPathSyntaxError) as exc:
                    reason = f"context not translated: {exc}"
            if reason or select is None:
                blocked = blocked or f"a higher rule in {pattern.mode} stays in Saxon"
                for spec in rule.asserts:
                    outcome.where[spec.id] = reason or "context not translated"
                continue
            compiled: list[_Compiled] = []
            for spec in rule.asserts:
                if spec.id in fallback:
                    outcome.where[spec.id] = f"disagreed with Saxon: {fallback[spec.id]}"
                    continue
                try:
                    compiled.append(_compile_assert(spec, text, ns))
                except xpath.Refused as exc:
                    outcome.where[spec.id] = str(exc)
                    continue
                outcome.where[spec.id] = "compiled"
                translated.append(spec)
            unguarded = [c for c in compiled if c.needs is None]
            rules.append(
                _Rule(
                    select,
                    compiled,
                    _combine(unguarded, ns),
                    unguarded,
                    _needs_any(rule.context, ns),
                )
            )
        patterns.append(rules)
    left = sum(len(r.asserts) for p in model.patterns for r in p.rules) - len(translated)
    residual = _residual(model, translated, cache_dir) if left else None
    return CompiledRuleSet(name, patterns, residual, outcome)


_cache: dict[tuple[Path, str], CompiledRuleSet] = {}
_lock = threading.Lock()


def cached(path: Path, *, name: str, fallback: dict[str, str], cache_dir: Path) -> CompiledRuleSet:
    """One compiled rule set per stylesheet per process."""
    key = (path, name)
    found = _cache.get(key)
    if found is None:
        with _lock:
            found = _cache.get(key)
            if found is None:
                found = compile_ruleset(path, name=name, fallback=fallback, cache_dir=cache_dir)
                _cache[key] = found
    return found
