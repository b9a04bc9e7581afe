"""The one hardened XML parser: no DTD, no entities, no XInclude, no network, bounded.

Every XML document that enters the gateway goes through :func:`parse` (whole
documents) or :func:`iterparse` (streamed files such as SAF-T). Both refuse a
document type declaration outright, so entity expansion (billion laughs) and
external entities or DTDs never get a chance to run.

Both also bound the work a document can cause: elements, depth, attributes per
element and in total, the size of one text or attribute value, the length of a
name and the number of namespace declarations. A refusal names the limit
(``max_attributes_per_element``, ...) that the document went over.

Comments and processing instructions are dropped while parsing, so every reader
sees the same characters the canonical form (C14N without comments) signs:
``9<!---->.95`` reads as ``9.95``, never as ``9``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lxml import etree

__all__ = [
    "HostileXmlError",
    "MalformedXmlError",
    "XmlError",
    "XmlLimits",
    "iterparse",
    "parse",
    "parse_file",
]

# libxml2 refuses deeper nesting itself unless huge_tree is on; ours must stay below it.
_LIBXML_DEPTH_CEILING = 256
# Without huge_tree libxml2 also refuses a text node over 10 MB and a name over 50,000 chars.
_LIBXML_TEXT_CEILING = 10_000_000
_LIBXML_NAME_CEILING = 50_000
_NS_DECLARATION = re.compile(rb"\sxmlns(?::[^\s=/>]*)?\s*=")
_XINCLUDE_NS = "http://www.w3.org/2001/XInclude"


class XmlError(ValueError):
    """Base of every XML refusal; ``detail`` is safe to show to the sender."""

    title = "Malformed XML"

    def __init__(self, detail: str, *, line: int | None = None, limit: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.line = line
        # The name of the XmlLimits field the document went over, when a limit refused it.
        self.limit = limit


class MalformedXmlError(XmlError):
    """The bytes are not well-formed XML."""


class HostileXmlError(XmlError):
    """The document uses a feature or size we refuse (DTD, entities, depth, size)."""

    title = "Refused XML"


@dataclass(frozen=True, slots=True)
class XmlLimits:
    """Limits for one parse; defaults suit business documents of tens of megabytes."""

    max_bytes: int = 50 * 1024 * 1024
    max_depth: int = 100
    max_elements: int = 2_000_000
    # UBL and XBRL elements carry a handful of attributes; 200,000 on one is an attack.
    max_attributes_per_element: int = 256
    max_attributes: int = 2_000_000
    # One text node or attribute value, in characters (embedded attachments are base64 text).
    max_text_chars: int = 8_000_000
    max_name_chars: int = 1_000
    max_namespaces: int = 1_000

    def __post_init__(self) -> None:
        if not 1 <= self.max_depth < _LIBXML_DEPTH_CEILING:
            raise ValueError(f"max_depth must be between 1 and {_LIBXML_DEPTH_CEILING - 1}")
        if not 1 <= self.max_text_chars <= _LIBXML_TEXT_CEILING:
            raise ValueError(f"max_text_chars must be between 1 and {_LIBXML_TEXT_CEILING}")
        if not 1 <= self.max_name_chars <= _LIBXML_NAME_CEILING:
            raise ValueError(f"max_name_chars must be between 1 and {_LIBXML_NAME_CEILING}")
        for name in ("max_bytes", "max_elements", "max_attributes_per_element"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.max_attributes < 0 or self.max_namespaces < 0:
            raise ValueError("max_attributes and max_namespaces cannot be negative")


DEFAULT_LIMITS = XmlLimits()


class _DenyExternal(etree.Resolver):
    """Answers every external DTD or entity load with nothing, so no file is ever read.

    Without it, lxml 6 with ``collect_ids=False`` reads a DOCTYPE's external subset
    and external parameter entities from local files despite ``load_dtd=False``
    (a parameter entity pointing at /dev/zero never returns). The document is
    refused afterwards for having a DTD at all.
    """

    def resolve(self, system_url: str, public_id: str, context: object) -> Any:
        return self.resolve_string("", context)


def _parser(*, keep_comments: bool = False) -> etree.XMLParser:
    # A fresh parser per call: lxml parsers are not safe to share across threads.
    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=not keep_comments,
        remove_pis=not keep_comments,
        collect_ids=False,
    )
    parser.resolvers.add(_DenyExternal())
    return parser


def _refuse_dtd(tree: etree._ElementTree) -> None:
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise HostileXmlError("document type declarations (DTD) are not accepted")


def _refuse(limit: str, detail: str, node: object = None) -> HostileXmlError:
    line = getattr(node, "sourceline", None)
    line = line if isinstance(line, int) and line > 0 else None
    where = f"line {line}; " if line else ""
    return HostileXmlError(f"{detail} ({where}limit {limit})", line=line, limit=limit)


def _label(node: Any) -> str:
    if isinstance(node, etree._ElementUnicodeResult):
        text = str(node.attrname)
    else:
        qname = etree.QName(node)
        text = f"{node.prefix}:{qname.localname}" if node.prefix else qname.localname
    return text if len(text) <= 60 else text[:60] + "…"


def _first(root: etree._Element, query: str, **variables: object) -> Any:
    found = root.xpath(f"({query})[1]", **variables)  # type: ignore[arg-type]
    return found[0] if isinstance(found, list) and found else None


def _check_shape(root: etree._Element, limits: XmlLimits, size: int, raw: bytes) -> None:
    # Every check runs inside libxml2's XPath engine (C speed, without the GIL); the
    # dearer per-node walks run only when the document is big enough to break the limit.
    count = int(root.xpath("count(//*)"))  # type: ignore[arg-type]
    if count > limits.max_elements:
        raise _refuse(
            "max_elements", f"document has {count} elements; the limit is {limits.max_elements}"
        )
    if root.xpath("boolean(//*[namespace-uri()=$ns])", ns=_XINCLUDE_NS):
        raise HostileXmlError("XInclude elements are not accepted")
    too_deep = "boolean(/" + "/".join(["*"] * (limits.max_depth + 1)) + ")"
    if root.xpath(too_deep):
        raise _refuse("max_depth", f"document nests deeper than {limits.max_depth} levels")
    attributes = int(root.xpath("count(//@*)"))  # type: ignore[arg-type]
    if attributes > limits.max_attributes:
        raise _refuse(
            "max_attributes",
            f"document has {attributes} attributes; the limit is {limits.max_attributes}",
        )
    if attributes > limits.max_attributes_per_element:
        n = limits.max_attributes_per_element
        crowded = _first(root, "//*[count(@*) > $n]", n=n)
        if crowded is not None:
            raise _refuse(
                "max_attributes_per_element",
                f"element {_label(crowded)} has {len(crowded.attrib)} attributes; "
                f"the limit is {n} per element",
                crowded,
            )
    if size > limits.max_text_chars:
        n = limits.max_text_chars
        long_text = _first(root, "//text()[string-length() > $n] | //@*[string-length() > $n]", n=n)
        if long_text is not None:
            owner = long_text.getparent()
            raise _refuse(
                "max_text_chars",
                f"a value in {_label(owner) if owner is not None else 'the document'} has "
                f"{len(long_text)} characters; the limit is {n}",
                owner,
            )
    if size > limits.max_name_chars:
        n = limits.max_name_chars
        long_name = _first(
            root, "//*[string-length(name()) > $n] | //@*[string-length(name()) > $n]", n=n
        )
        if long_name is not None:
            owner = (
                long_name.getparent()
                if isinstance(long_name, etree._ElementUnicodeResult)
                else long_name
            )
            raise _refuse(
                "max_name_chars",
                f"a name is longer than {n} characters: {_label(long_name)}",
                owner,
            )
    # Counted in the text: the namespace axis costs elements x namespaces in scope.
    if size > limits.max_namespaces * 8:
        declared = len(_NS_DECLARATION.findall(raw))
        if declared > limits.max_namespaces:
            raise _refuse(
                "max_namespaces",
                f"document declares {declared} namespaces; the limit is {limits.max_namespaces}",
            )


def _check_streamed(elem: etree._Element, limits: XmlLimits) -> None:
    """The per-element limits on one streamed element: a Python step, so only what is cheap."""
    if len(elem.attrib) > limits.max_attributes_per_element:
        raise _refuse(
            "max_attributes_per_element",
            f"element {_label(elem)} has {len(elem.attrib)} attributes; "
            f"the limit is {limits.max_attributes_per_element} per element",
            elem,
        )
    if len(elem.tag) > limits.max_name_chars:  # type: ignore[arg-type]
        raise _refuse(
            "max_name_chars",
            f"a name is longer than {limits.max_name_chars} characters: {_label(elem)}",
            elem,
        )
    for value in (elem.text, elem.tail):
        if value is not None and len(value) > limits.max_text_chars:
            raise _refuse(
                "max_text_chars",
                f"a value in {_label(elem)} has {len(value)} characters; "
                f"the limit is {limits.max_text_chars}",
                elem,
            )


def _translate(exc: etree.XMLSyntaxError) -> XmlError:
    message = str(exc.msg or exc)
    lowered = message.lower()
    hostile = ("entity", "dtd", "doctype", "depth", "huge", "xinclude", "amplification")
    cls = HostileXmlError if any(word in lowered for word in hostile) else MalformedXmlError
    line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
    err = cls(f"{message}" + (f" (line {line})" if line else ""), line=line)
    return err


def parse(
    data: bytes | bytearray | memoryview,
    *,
    limits: XmlLimits = DEFAULT_LIMITS,
    keep_comments: bool = False,
) -> etree._ElementTree:
    """Parse a whole document held in memory, refusing anything hostile.

    Comments and processing instructions are dropped unless ``keep_comments``
    (for tools that must echo a document as it came, never for readers).
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse() takes bytes; decode nothing before parsing")
    raw = bytes(data)  # a memoryview has neither strip() nor a byte length of its own
    if len(raw) > limits.max_bytes:
        raise HostileXmlError(
            f"document is {len(raw)} bytes; the limit is {limits.max_bytes}", limit="max_bytes"
        )
    if not raw or raw.isspace():
        raise MalformedXmlError("document is empty")
    try:
        root = etree.fromstring(raw, parser=_parser(keep_comments=keep_comments))
    except etree.XMLSyntaxError as exc:
        raise _translate(exc) from exc
    tree = root.getroottree()
    _refuse_dtd(tree)
    _check_shape(root, limits, len(raw), raw)
    return tree


def parse_file(path: str | Path, *, limits: XmlLimits = DEFAULT_LIMITS) -> etree._ElementTree:
    """Parse a file, refusing it before reading when it is over the size limit."""
    p = Path(path)
    size = p.stat().st_size
    if size > limits.max_bytes:
        raise HostileXmlError(
            f"{p.name} is {size} bytes; the limit is {limits.max_bytes}", limit="max_bytes"
        )
    return parse(p.read_bytes(), limits=limits)


def iterparse(
    source: str | Path | IO[bytes],
    *,
    events: Iterable[str] = ("end",),
    tag: str | Iterable[str] | None = None,
    limits: XmlLimits = DEFAULT_LIMITS,
) -> Iterator[tuple[str, Any]]:
    """Stream a large document with the same refusals; the caller clears what it has read.

    There is no size or element limit: streamed files (SAF-T, exports) may be
    gigabytes. A DTD is refused at the first event and entities are never
    expanded. Each element handed to the caller is held to the per-element
    limits (attributes, name and text sizes); elements the ``tag`` filter skips
    are bounded by libxml2 itself (256 levels, 10 MB text, 50,000-character
    names without ``huge_tree``): checking them here would cost a Python step
    per element, which is most of a streamed read.
    """
    try:
        context = etree.iterparse(
            source if not isinstance(source, Path) else str(source),
            events=tuple(events),
            tag=tag if tag is None or isinstance(tag, str) else list(tag),
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        context.resolvers.add(_DenyExternal())
        checked = False
        for event, elem in context:
            if not checked:
                _refuse_dtd(elem.getroottree())
                checked = True
            if isinstance(elem.tag, str) and elem.tag.startswith("{" + _XINCLUDE_NS):
                raise HostileXmlError("XInclude elements are not accepted")
            if isinstance(elem.tag, str):
                _check_streamed(elem, limits)
            yield event, elem
    except etree.XMLSyntaxError as exc:
        raise _translate(exc) from exc
