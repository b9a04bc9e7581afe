"""Bounded work per document: each shape of oversized XML is refused, naming its limit.

And what a reader sees is what C14N signs: comments and processing instructions
never cut a value in two.
"""

from __future__ import annotations

import io

import pytest

from schemas import xmlsafe


def _attrs(n: int) -> str:
    return " ".join(f'a{i}="x"' for i in range(n))


# (document, the limit it must break) -- every variant is well-formed and DTD-free.
VARIANTS: dict[str, tuple[bytes, str]] = {
    "200k-attributes-on-one-element": (
        f"<r {_attrs(200_000)}/>".encode(),
        "max_attributes_per_element",
    ),
    "257-attributes-deep-inside": (
        f"<r><a><b {_attrs(257)}/></a></r>".encode(),
        "max_attributes_per_element",
    ),
    "many-elements-few-attributes": (
        ("<r>" + '<e a="1" b="2" c="3" d="4"/>' * 60_000 + "</r>").encode(),
        "max_attributes",
    ),
    "many-elements": (("<r>" + "<e/>" * 120_000 + "</r>").encode(), "max_elements"),
    "huge-text-node": (("<r>" + "x" * 9_000_000 + "</r>").encode(), "max_text_chars"),
    "huge-attribute-value": (('<r a="' + "x" * 9_000_000 + '"/>').encode(), "max_text_chars"),
    "long-element-name": (("<" + "n" * 5_000 + "/>").encode(), "max_name_chars"),
    "long-attribute-name": (("<r " + "n" * 5_000 + '="1"/>').encode(), "max_name_chars"),
    "long-prefix": (
        ("<" + "p" * 5_000 + ":r xmlns:" + "p" * 5_000 + '="urn:x"/>').encode(),
        "max_name_chars",
    ),
    "deep-nesting": (b"<a>" * 150 + b"</a>" * 150, "max_depth"),
    "many-namespaces": (
        (
            "<r "
            + " ".join(f'xmlns:p{i}="urn:x:{i}"' for i in range(5_000))
            + ">"
            + "<e/>" * 1_000
            + "</r>"
        ).encode(),
        "max_namespaces",
    ),
    "many-namespaces-spread": (
        ("<r>" + "".join(f'<e xmlns="urn:x:{i}"/>' for i in range(2_000)) + "</r>").encode(),
        "max_namespaces",
    ),
}

LIMITS = xmlsafe.XmlLimits(max_elements=100_000, max_attributes=200_000)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_oversized_shapes_are_refused_naming_the_limit(name: str) -> None:
    data, limit = VARIANTS[name]
    with pytest.raises(xmlsafe.HostileXmlError) as caught:
        xmlsafe.parse(data, limits=LIMITS)
    assert caught.value.limit == limit, caught.value.detail
    assert f"limit {limit}" in caught.value.detail


def test_refusal_names_the_element_and_line() -> None:
    doc = f"<r>\n<ok a='1'/>\n<crowded {_attrs(300)}/>\n</r>".encode()
    with pytest.raises(xmlsafe.HostileXmlError) as caught:
        xmlsafe.parse(doc)
    assert caught.value.line == 3
    assert "crowded has 300 attributes" in caught.value.detail


def test_limits_are_configurable_both_ways() -> None:
    doc = f"<r {_attrs(10)}>{'x' * 50}</r>".encode()
    xmlsafe.parse(doc)  # the defaults accept an ordinary element
    for limits, name in [
        (xmlsafe.XmlLimits(max_attributes_per_element=9), "max_attributes_per_element"),
        (xmlsafe.XmlLimits(max_attributes=9), "max_attributes"),
        (xmlsafe.XmlLimits(max_text_chars=49), "max_text_chars"),
        (xmlsafe.XmlLimits(max_name_chars=1), "max_name_chars"),
    ]:
        with pytest.raises(xmlsafe.HostileXmlError) as caught:
            xmlsafe.parse(doc, limits=limits)
        assert caught.value.limit == name
    with pytest.raises(ValueError, match="max_text_chars"):
        xmlsafe.XmlLimits(max_text_chars=20_000_000)  # past what libxml2 parses without huge_tree


def test_ordinary_business_document_passes_every_limit() -> None:
    ns = " ".join(f'xmlns:n{i}="urn:n:{i}"' for i in range(12))
    lines = "".join(
        f'<n1:Line n2:id="{i}" currencyID="DKK" unitCode="EA">{i}.95</n1:Line>'
        for i in range(5_000)
    )
    tree = xmlsafe.parse(
        f"<n0:Invoice {ns}>{lines}<n3:Note>{'x' * 200_000}</n3:Note></n0:Invoice>".encode()
    )
    assert len(tree.getroot()) == 5_001


@pytest.mark.parametrize(
    "name", ["200k-attributes-on-one-element", "long-element-name", "huge-text-node"]
)
def test_streamed_elements_are_held_to_the_per_element_limits(name: str) -> None:
    data, limit = VARIANTS[name]
    with pytest.raises(xmlsafe.HostileXmlError) as caught:
        for _, el in xmlsafe.iterparse(io.BytesIO(data), limits=LIMITS):
            el.clear()
    assert caught.value.limit == limit


@pytest.mark.parametrize(
    "value",
    [
        b"9<!---->.95",
        b"9<!-- a comment -->.95",
        b"9<?pi?>.95",
        b"9<?x-note target data?>.95",
        b"9<!---->.<?pi?>9<!-- -->5",
        b"<![CDATA[9]]><!---->.95",
    ],
)
def test_comments_and_pis_never_cut_a_value(value: bytes) -> None:
    doc = b"<Invoice><Price>" + value + b"</Price></Invoice>"
    root = xmlsafe.parse(doc).getroot()
    assert root.findtext("Price") == "9.95"
    assert root[0].text == "9.95" and len(root[0]) == 0
    streamed = [el.text for _, el in xmlsafe.iterparse(io.BytesIO(doc), tag="Price")]
    assert streamed == ["9.95"]


def test_keep_comments_is_for_tools_that_echo_a_document() -> None:
    root = xmlsafe.parse(b"<r>9<!---->.95</r>", keep_comments=True).getroot()
    assert root.text == "9" and len(root) == 1
