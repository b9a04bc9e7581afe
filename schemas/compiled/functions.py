"""The Python functions translated rule tests call where XPath 1.0 lacks one or differs.

Each behaves as its XPath 2.0 namesake on the values the rules pass, and raises
:class:`NeedsReference` where XPath 2.0 raises a dynamic error (a cast of
``"abc"``, two nodes where one was due), so that Saxon decides those documents.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from lxml import etree

__all__ = ["SINGLE", "XS", "NeedsReference", "extensions"]

XS = "http://www.w3.org/2001/XMLSchema"


class NeedsReference(Exception):
    """Evaluation met a case where XPath 2.0 raises a dynamic error; Saxon must decide."""


def _text_of(value: Any) -> str | None:
    """A single item's string value; None for the empty sequence; NeedsReference for more."""
    if isinstance(value, list):
        if not value:
            return None
        if len(value) > 1:
            raise NeedsReference("a sequence of more than one item")
        value = value[0]
    if isinstance(value, etree._Element):
        return "".join(value.itertext())
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _double_text(value)
    return str(value)


def _double_text(value: float) -> str:
    # XPath 2.0's xs:double to string: NaN, INF, plain notation from 1e-6 up to 1e6.
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "INF" if value > 0 else "-INF"
    if value.is_integer() and abs(value) < 1e6:
        return str(int(value))
    if 1e-6 <= abs(value) < 1e6:
        return repr(value)
    raise NeedsReference(f"{value!r} would be written in exponent notation")


_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_INTEGER = re.compile(r"^[+-]?\d+$")


def _xs_decimal(_ctx: Any, value: Any) -> Any:
    text = _text_of(value)
    if text is None:
        return []
    text = text.strip()
    if not _DECIMAL.match(text):
        raise NeedsReference(f"cannot cast {text!r} to xs:decimal")
    try:
        return float(Decimal(text))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already refused it
        raise NeedsReference(str(exc)) from exc


def _xs_integer(_ctx: Any, value: Any) -> Any:
    text = _text_of(value)
    if text is None:
        return []
    text = text.strip()
    if not _INTEGER.match(text):
        raise NeedsReference(f"cannot cast {text!r} to xs:integer")
    return float(int(text))


_DATE = re.compile(r"^(-?\d{4,})-(\d\d)-(\d\d)$")


def _xs_date(_ctx: Any, value: Any) -> Any:
    """A timezone-less xs:date as its day number, which compares as the dates do."""
    text = _text_of(value)
    if text is None:
        return []
    m = _DATE.match(text.strip())
    if not m:
        raise NeedsReference(f"cannot cast {text!r} to xs:date (or it carries a timezone)")
    try:
        return float(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).toordinal())
    except ValueError as exc:
        raise NeedsReference(f"cannot cast {text!r} to xs:date") from exc


def _xs_string(_ctx: Any, value: Any) -> Any:
    text = _text_of(value)
    return [] if text is None else text


def _exists(_ctx: Any, value: Any) -> bool:
    return bool(value) if isinstance(value, list) else True


def _empty(_ctx: Any, value: Any) -> bool:
    return not value if isinstance(value, list) else False


@lru_cache(maxsize=512)
def _regex(pattern: str, flags: str) -> re.Pattern[str]:
    if re.search(r"\\[pPic]|-\[", pattern):
        raise NeedsReference(f"XML Schema regex feature in {pattern!r}")
    # XPath's $ is the very end; Python's also matches before a final newline.
    translated = re.sub(r"(?<!\\)\$$", r"\\Z", pattern)
    f = 0
    for ch in flags:
        f |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X}.get(ch, 0)
    return re.compile(translated, f)


def _matches(_ctx: Any, value: Any, pattern: Any, flags: Any = "") -> bool:
    text = _text_of(value) or ""
    return _regex(_text_of(pattern) or "", _text_of(flags) or "").search(text) is not None


def _upper(_ctx: Any, value: Any) -> str:
    return (_text_of(value) or "").upper()


def _lower(_ctx: Any, value: Any) -> str:
    return (_text_of(value) or "").lower()


def _ends_with(_ctx: Any, value: Any, suffix: Any) -> bool:
    return (_text_of(value) or "").endswith(_text_of(suffix) or "")


_XML_SPACE = re.compile(r"[ \t\n\r]+")
_XS_DOUBLE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _arg(ctx: Any, args: tuple[Any, ...], i: int = 0) -> str:
    if len(args) <= i:
        return "".join(ctx.context_node.itertext()) if i == 0 else ""
    return _text_of(args[i]) or ""


def _one(name: str) -> Callable[..., Any]:
    """A core string function that, like XPath 2.0, refuses a sequence of two nodes."""

    def call(ctx: Any, *args: Any) -> Any:
        first = _arg(ctx, args)
        rest = [_text_of(a) for a in args[1:]]
        if name == "normalize-space":
            return _XML_SPACE.sub(" ", first).strip(" \t\n\r")
        if name == "string-length":
            return float(len(first))
        if name == "string":
            return first
        if name == "number":
            text = first.strip(" \t\n\r")
            if _XS_DOUBLE.match(text):
                return float(text)
            return {"INF": float("inf"), "-INF": float("-inf")}.get(text, float("nan"))
        other = [r or "" for r in rest]
        if name == "contains":
            return other[0] in first
        if name == "starts-with":
            return first.startswith(other[0])
        if name == "substring-before":
            return first.split(other[0], 1)[0] if other[0] in first else ""
        if name == "substring-after":
            return first.split(other[0], 1)[1] if other[0] in first else ""
        if name == "translate":
            table: dict[int, str | None] = {}
            for j, ch in enumerate(other[0]):
                table.setdefault(ord(ch), other[1][j] if j < len(other[1]) else None)
            return first.translate(table)
        raise NeedsReference(f"{name}() has no single-item form")  # pragma: no cover

    return call


SINGLE = (
    "normalize-space",
    "string-length",
    "string",
    "number",
    "contains",
    "starts-with",
    "substring-before",
    "substring-after",
    "translate",
)

_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _boolean_compare(_ctx: Any, value: Any, op: Any, wanted: Any) -> bool:
    # XPath 2.0 ``nodes = true()``: each node's text cast to xs:boolean (an error if it cannot be).
    items = value if isinstance(value, list) else [value]
    equal = str(op) == "="
    for item in items:
        text = (_text_of(item) or "").strip()
        if text not in _BOOLEANS:
            raise NeedsReference(f"cannot cast {text!r} to xs:boolean")
        if (_BOOLEANS[text] == bool(wanted)) == equal:
            return True
    return False


_EXTENSIONS: dict[tuple[str | None, str], Callable[..., Any]] = {
    **{(None, f"one-{name}"): _one(name) for name in SINGLE},
    (None, "boolean-compare"): _boolean_compare,
    (XS, "decimal"): _xs_decimal,
    (XS, "integer"): _xs_integer,
    (XS, "string"): _xs_string,
    (XS, "date"): _xs_date,
    (None, "exists"): _exists,
    (None, "empty"): _empty,
    (None, "matches"): _matches,
    (None, "upper-case"): _upper,
    (None, "lower-case"): _lower,
    (None, "ends-with"): _ends_with,
}


def extensions() -> dict[tuple[str | None, str], Callable[..., Any]]:
    """The Python functions the translated expressions may call."""
    return dict(_EXTENSIONS)
