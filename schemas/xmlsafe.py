"""The one hardened XML parser: no DTD, no entities, no XInclude, no network, bounded.

Every XML document that enters the gateway goes through :func:`parse` (whole
documents) or :func:`iterparse` (streamed files such as SAF-T). Both refuse a
document type declaration outright, so entity expansion (billion laughs) and
external entities or DTDs never get a chance to run.
"""

from __future__ import annotations

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
_XINCLUDE_NS = "http://www.w3.org/2001/XInclude"


class XmlError(ValueError):
    """Base of every XML refusal; ``detail`` is safe to show to the sender."""

    title = "Malformed XML"

    def __init__(self, detail: str, *, line: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.line = line


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

    def __post_init__(self) -> None:
        if not 1 <= self.max_depth < _LIBXML_DEPTH_CEILING:
            raise ValueError(f"max_depth must be between 1 and {_LIBXML_DEPTH_CEILING - 1}")


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


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers are not safe to share across threads.
    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=False,
        collect_ids=False,
    )
    parser.resolvers.add(_DenyExternal())
    return parser


def _refuse_dtd(tree: etree._ElementTree) -> None:
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise HostileXmlError("document type declarations (DTD) are not accepted")


def _check_shape(root: etree._Element, limits: XmlLimits) -> None:
    # Both checks run inside libxml2's XPath engine, so they cost a C-speed walk.
    count = int(root.xpath("count(//*)"))  # type: ignore[arg-type]
    if count > limits.max_elements:
        raise HostileXmlError(f"document has {count} elements; the limit is {limits.max_elements}")
    if root.xpath("boolean(//*[namespace-uri()=$ns])", ns=_XINCLUDE_NS):
        raise HostileXmlError("XInclude elements are not accepted")
    too_deep = "boolean(/" + "/".join(["*"] * (limits.max_depth + 1)) + ")"
    if root.xpath(too_deep):
        raise HostileXmlError(f"document nests deeper than {limits.max_depth} levels")


def _translate(exc: etree.XMLSyntaxError) -> XmlError:
    message = str(exc.msg or exc)
    lowered = message.lower()
    hostile = ("entity", "dtd", "doctype", "depth", "huge", "xinclude", "amplification")
    cls = HostileXmlError if any(word in lowered for word in hostile) else MalformedXmlError
    line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
    err = cls(f"{message}" + (f" (line {line})" if line else ""), line=line)
    return err


def parse(
    data: bytes | bytearray | memoryview, *, limits: XmlLimits = DEFAULT_LIMITS
) -> etree._ElementTree:
    """Parse a whole document held in memory, refusing anything hostile."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse() takes bytes; decode nothing before parsing")
    raw = bytes(data)  # a memoryview has neither strip() nor a byte length of its own
    if len(raw) > limits.max_bytes:
        raise HostileXmlError(f"document is {len(raw)} bytes; the limit is {limits.max_bytes}")
    if not raw or raw.isspace():
        raise MalformedXmlError("document is empty")
    try:
        root = etree.fromstring(raw, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise _translate(exc) from exc
    tree = root.getroottree()
    _refuse_dtd(tree)
    _check_shape(root, limits)
    return tree


def parse_file(path: str | Path, *, limits: XmlLimits = DEFAULT_LIMITS) -> etree._ElementTree:
    """Parse a file, refusing it before reading when it is over the size limit."""
    p = Path(path)
    size = p.stat().st_size
    if size > limits.max_bytes:
        raise HostileXmlError(f"{p.name} is {size} bytes; the limit is {limits.max_bytes}")
    return parse(p.read_bytes(), limits=limits)


def iterparse(
    source: str | Path | IO[bytes],
    *,
    events: Iterable[str] = ("end",),
    tag: str | Iterable[str] | None = None,
) -> Iterator[tuple[str, Any]]:
    """Stream a large document with the same refusals; the caller clears what it has read.

    There is no size limit: streamed files (SAF-T, exports) may be gigabytes.
    A DTD is refused at the first event and entities are never expanded. Depth is
    bounded by libxml2 itself (256 levels without ``huge_tree``): counting it here
    would cost a Python step per element, which is most of a streamed read.
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
        )
        context.resolvers.add(_DenyExternal())
        checked = False
        for event, elem in context:
            if not checked:
                _refuse_dtd(elem.getroottree())
                checked = True
            if isinstance(elem.tag, str) and elem.tag.startswith("{" + _XINCLUDE_NS):
                raise HostileXmlError("XInclude elements are not accepted")
            yield event, elem
    except etree.XMLSyntaxError as exc:
        raise _translate(exc) from exc
