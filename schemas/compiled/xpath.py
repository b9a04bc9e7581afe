"""XPath 2.0 rule tests as lxml (libxml2) XPath 1.0, with Python for the few 2.0 functions used.

Translation is deliberately conservative: an expression is taken only when
every function it calls is an XPath 1.0 core function or one of the
extensions below, and it uses none of the 2.0 syntax or numeric arithmetic
whose meaning differs (decimal arithmetic is exact in XPath 2.0, binary
floating point in 1.0). Anything else is refused with a reason and the rule
stays with Saxon. The extensions raise :class:`NeedsReference` where XPath 2.0
would raise a dynamic error (a cast of ``"abc"``, a sequence of two where one
was due), and the document then goes to Saxon for that rule set as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from schemas.compiled.functions import SINGLE, NeedsReference, extensions

_EXTENSIONS: dict[tuple[str | None, str], Callable[..., Any]] = extensions()

__all__ = [
    "CURRENT",
    "NeedsReference",
    "Refused",
    "blank_strings",
    "compile_test",
    "extensions",
    "select_for",
    "split_union",
]

CURRENT = "current_node_"  # the XPath variable that stands for current()


class Refused(ValueError):
    """The expression is not translated; the message says why (recorded per rule)."""


_CORE = frozenset(
    [
        "last",
        "position",
        "count",
        "id",
        "local-name",
        "namespace-uri",
        "name",
        "string",
        "concat",
        "starts-with",
        "contains",
        "substring-before",
        "substring-after",
        "substring",
        "string-length",
        "normalize-space",
        "translate",
        "boolean",
        "not",
        "true",
        "false",
        "lang",
        "number",
        "node",
        "text",
        "comment",
        "processing-instruction",
    ]
)
_REFUSED_CORE = {
    "position": "position() differs between a template and a predicate",
    "last": "last() differs between a template and a predicate",
    "sum": "decimal arithmetic (XPath 1.0 sums binary floats)",
    "round": "decimal arithmetic (XPath 1.0 rounds binary floats)",
    "floor": "decimal arithmetic",
    "ceiling": "decimal arithmetic",
    "id": "id() needs DTD ids",
    "lang": "lang() is not used by the rules",
}
_KEYWORDS = frozenset(
    [
        "eq",
        "ne",
        "lt",
        "gt",
        "le",
        "ge",
        "some",
        "every",
        "satisfies",
        "for",
        "return",
        "if",
        "then",
        "else",
        "instance",
        "castable",
        "cast",
        "treat",
        "to",
        "except",
        "intersect",
        "idiv",
        "is",
        "div",
        "mod",
    ]
)
_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
_CALL = re.compile(r"(?<![\w.:$-])([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*\(")
_WORD = re.compile(r"(?<![\w.:$@/-])([a-z]+)(?![\w.:(-])")
_VAR = re.compile(r"\$([A-Za-z_][\w.-]*)")


_DECIMAL_SOURCE = re.compile(r"xs:decimal|xs:double|xs:float|number\(|sum\(|\d\.\d|\bdiv\b")
_NODE_TESTS = frozenset({"text", "node", "comment", "processing-instruction"})
_STEP_CALL = re.compile(r"/\s*((?:xs:)?[a-z][\w-]*)\(")
_COMPARED = re.compile(r"\s*(!=|=)\s*('[^']*'|\"[^\"]*\"|-?\d+(?:\.\d+)?)")


def _close(expr: str, start: int) -> int:
    """Index just past the parenthesis that closes the one opened before ``start``."""
    depth, quote = 1, ""
    for i in range(start, len(expr)):
        ch = expr[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    raise Refused("unbalanced parentheses")


_STEP_PAREN = re.compile(r"/\(")


def rewrite_step_parens(expr: str) -> str:
    """``path/(a = b)`` as ``path[a = b]``: the same where ``path`` has at most one node.

    (With two nodes XPath 2.0 raises FORG0006 on the two booleans; the official unit
    tests and mutants decide whether a rule may rely on this.)
    """
    bare = blank_strings(expr)
    out, pos = [], 0
    for m in _STEP_PAREN.finditer(bare):
        if m.start() < pos:
            continue
        if m.start() > 0 and bare[m.start() - 1] == "/":
            raise Refused("a parenthesised step after //")
        end = _close(bare, m.end())
        out.append(expr[pos : m.start()])
        out.append(f"[{expr[m.end() : end - 1]}]")
        pos = end
    out.append(expr[pos:])
    return "".join(out)


def rewrite_step_calls(expr: str) -> str:
    """``path/f(x) = 'v'`` (a function as the last step, XPath 2.0) as ``path[f(x) = 'v']``.

    Both mean: some node of ``path`` whose ``f(x)`` equals ``'v'``. Any other use of a
    function as a step is refused.
    """
    out, pos = [], 0
    bare = _STRING.sub(lambda m: "_" * len(m.group(0)), expr)
    for m in _STEP_CALL.finditer(bare):
        if m.group(1) in _NODE_TESTS:
            continue
        if m.start() < pos:
            raise Refused("nested function steps")
        end = _close(bare, m.end())
        cmp = _COMPARED.match(expr, end)
        if not cmp:
            raise Refused(f"function {m.group(1)}() as a path step")
        out.append(expr[pos : m.start()])
        out.append(f"[{expr[m.start() + 1 : end].strip()} {cmp.group(1)} {cmp.group(2)}]")
        pos = cmp.end()
    out.append(expr[pos:])
    return "".join(out)


# XPath 1.0 takes the first node where 2.0 raises XPTY0004: these go through Python.
_SINGLE_CALL = re.compile(r"(?<![\w.:$-])(" + "|".join(map(re.escape, SINGLE)) + r")\s*\(")
_BOOLEAN_CMP = re.compile(r"([\w:./@-]+)\s*(!=|=)\s*(true|false)\(\)")


def _rewrite_boolean_compares(expr: str) -> str:
    # XPath 1.0 would compare the node-set's existence with the boolean.
    return _BOOLEAN_CMP.sub(
        lambda m: f"boolean-compare({m.group(1)}, '{m.group(2)}', {m.group(3)}())", expr
    )


def _check(expr: str, namespaces: dict[str, str], variables: frozenset[str]) -> str:
    """Refuse what XPath 1.0 would read differently; return the expression with current() bound."""
    expr = _rewrite_boolean_compares(rewrite_step_calls(rewrite_step_parens(expr)))
    bare = _STRING.sub("''", expr)
    if "||" in bare or "!" in bare.replace("!=", ""):
        raise Refused("XPath 2.0 operator")
    if ("+" in bare or re.search(r"\s[*-]\s", bare)) and _DECIMAL_SOURCE.search(bare):
        # Integers (counts, lengths) are exact in binary floating point; decimals are not.
        raise Refused("decimal arithmetic (XPath 1.0 computes in binary floating point)")
    for word in _WORD.findall(bare):
        if word in _KEYWORDS:
            raise Refused(f"XPath 2.0 keyword {word!r}")
    for name in _CALL.findall(bare):
        if name in ("and", "or"):
            continue  # operators before a parenthesis, not calls
        if name in _REFUSED_CORE:
            raise Refused(_REFUSED_CORE[name])
        if name in _CORE or name == "current":
            continue
        prefix, _, local = name.rpartition(":")
        key = (namespaces.get(prefix) if prefix else None, local)
        if key not in _EXTENSIONS:
            raise Refused(f"function {name}() has no translation")
    for var in _VAR.findall(bare):
        if var not in variables:
            raise Refused(f"variable ${var} is not available")
    expr = _SINGLE_CALL.sub(lambda m: f"one-{m.group(1)}(", expr)
    return re.sub(r"(?<![\w.:$-])current\s*\(\s*\)", f"${CURRENT}", expr)


def compile_test(
    expr: str, namespaces: dict[str, str], variables: frozenset[str] = frozenset()
) -> tuple[str, etree.XPath]:
    """The translated expression and its compiled form, or :class:`Refused`."""
    translated = _check(expr, namespaces, variables)
    try:
        compiled = etree.XPath(
            f"boolean({translated})", namespaces=namespaces, extensions=_EXTENSIONS
        )
    except etree.XPathSyntaxError as exc:
        raise Refused(f"not XPath 1.0: {exc}") from exc
    return translated, compiled


def blank_strings(expr: str) -> str:
    """The expression with the inside of its string literals blanked (same length)."""
    return _STRING.sub(lambda m: m.group(0)[0] + "_" * (len(m.group(0)) - 2) + m.group(0)[0], expr)


def split_union(pattern: str) -> list[str]:
    """The top-level branches of ``a | b[c | d] | e``."""
    return _split_union(pattern)


def _split_union(pattern: str) -> list[str]:
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(pattern):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    parts.append(pattern[start:])
    return [p.strip() for p in parts if p.strip()]


def select_for(pattern: str, namespaces: dict[str, str]) -> str:
    """An XPath 1.0 expression selecting, from the root, every node a match pattern matches."""
    branches = []
    for branch in _split_union(pattern):
        branch = _check(branch, namespaces, frozenset())
        if branch.startswith("/"):
            branches.append(branch)
        else:
            branches.append(f"//{branch}")
    if not branches:
        raise Refused("empty pattern")
    return " | ".join(branches)
