"""Which UBL syntax a document is written in, read from its CustomizationID."""

from __future__ import annotations

from schemas import xmlsafe

__all__ = ["syntax_of"]

_CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"


def syntax_of(document: bytes) -> str:
    """``oioubl`` for an OIOUBL document (CustomizationID ``OIOUBL-…``), else ``bis3``."""
    try:
        root = xmlsafe.parse(document).getroot()
    except xmlsafe.XmlError:
        return "bis3"
    customization = (root.findtext(f"{_CBC}CustomizationID") or "").strip()
    return "oioubl" if customization.startswith("OIOUBL") else "bis3"
