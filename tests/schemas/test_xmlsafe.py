"""The hardened XML parser refuses what could hurt us and reads nothing from outside."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from schemas import xmlsafe

LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b"<lolz>&lol3;</lolz>"
)


def test_plain_document_parses() -> None:
    tree = xmlsafe.parse(b'<?xml version="1.0"?><a xmlns="urn:x"><b>1</b><!-- kept --></a>')
    assert tree.getroot().tag == "{urn:x}a"


@pytest.mark.parametrize(
    "data",
    [
        LAUGHS,
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd"><x/>',
        b"<!DOCTYPE x><x/>",
        b'<x xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd"/></x>',
    ],
    ids=["billion-laughs", "external-entity", "network-dtd", "bare-doctype", "xinclude"],
)
def test_hostile_documents_are_refused(data: bytes) -> None:
    with pytest.raises(xmlsafe.HostileXmlError):
        xmlsafe.parse(data)


@pytest.mark.parametrize(
    "doc",
    [
        '<!DOCTYPE x SYSTEM "{path}"><x/>',
        '<!DOCTYPE x [<!ENTITY % p SYSTEM "{path}"> %p;]><x/>',
    ],
    ids=["external-subset", "parameter-entity"],
)
def test_local_files_named_by_a_dtd_are_never_read(tmp_path: Path, doc: str) -> None:
    # If the parser read this file it would report a content error (malformed) instead
    # of refusing the DTD itself.
    target = tmp_path / "not-a-dtd.txt"
    target.write_text("this is not a DTD <<<")
    with pytest.raises(xmlsafe.HostileXmlError, match="DTD"):
        xmlsafe.parse(doc.format(path=target.as_uri()).encode())


def test_depth_element_count_and_size_limits() -> None:
    limits = xmlsafe.XmlLimits(max_bytes=10_000, max_depth=5, max_elements=50)
    with pytest.raises(xmlsafe.HostileXmlError, match="deeper than 5"):
        xmlsafe.parse(b"<a>" * 6 + b"</a>" * 6, limits=limits)
    xmlsafe.parse(b"<a>" * 5 + b"</a>" * 5, limits=limits)
    with pytest.raises(xmlsafe.HostileXmlError, match="51 elements"):
        xmlsafe.parse(b"<r>" + b"<i/>" * 50 + b"</r>", limits=limits)
    with pytest.raises(xmlsafe.HostileXmlError, match="limit is 10000"):
        xmlsafe.parse(b"<r>" + b" " * 10_000 + b"</r>", limits=limits)


def test_limits_refuse_a_depth_libxml2_would_not_reach() -> None:
    with pytest.raises(ValueError, match="max_depth"):
        xmlsafe.XmlLimits(max_depth=300)


def test_malformed_and_empty_input() -> None:
    with pytest.raises(xmlsafe.MalformedXmlError) as info:
        xmlsafe.parse(b"<a>\n<b></a>")
    assert info.value.line == 2
    with pytest.raises(xmlsafe.MalformedXmlError, match="empty"):
        xmlsafe.parse(b"  \n ")


def test_bytes_only_memoryview_included() -> None:
    assert xmlsafe.parse(memoryview(b"<a/>")).getroot().tag == "a"
    assert xmlsafe.parse(bytearray(b"<a/>")).getroot().tag == "a"
    with pytest.raises(TypeError):
        xmlsafe.parse("<a/>")  # type: ignore[arg-type]


def test_parse_file_refuses_oversized_file(tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"<a>" + b"x" * 2000 + b"</a>")
    with pytest.raises(xmlsafe.HostileXmlError, match=r"big\.xml"):
        xmlsafe.parse_file(big, limits=xmlsafe.XmlLimits(max_bytes=1000))
    assert xmlsafe.parse_file(big).getroot().tag == "a"


def test_iterparse_streams_with_tag_filter() -> None:
    data = b"<r><i>1</i><j/><i>2</i></r>"
    seen = [el.text for _, el in xmlsafe.iterparse(io.BytesIO(data), tag="i")]
    assert seen == ["1", "2"]


@pytest.mark.parametrize(
    "data",
    [
        LAUGHS,
        b"<a>" * 300 + b"</a>" * 300,  # past libxml2's ceiling of 256
        b'<x xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd"/></x>',
    ],
    ids=["dtd", "depth", "xinclude"],
)
def test_iterparse_refuses_hostile_streams(data: bytes) -> None:
    with pytest.raises(xmlsafe.HostileXmlError):
        list(xmlsafe.iterparse(io.BytesIO(data)))


def test_iterparse_reports_malformed_streams() -> None:
    with pytest.raises(xmlsafe.MalformedXmlError):
        list(xmlsafe.iterparse(io.BytesIO(b"<a><b></a>")))
