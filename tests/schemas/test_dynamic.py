"""Reading a rule set's dynamic error out of Saxon's text, and back to the assert it hit."""

from __future__ import annotations

from pathlib import Path

from schemas import dynamic

EN16931 = "en16931-ubl-1.3.16/xslt/EN16931-UBL-validation.xslt"

# Shaped like saxonche's text: pending warnings first, then the error and its trace.
TEXT = """Warning at function u:abn on line 81 column 46 of PEPPOL-EN16931-UBL.xslt:
  SXWN9032  A function that computes atomic values should use xsl:sequence rather than xsl:value-of
Warning at char 38 in xsl:template/@match on line 1157 column 113 of PEPPOL-EN16931-UBL.xslt:
  FORG0006  An error occurred matching pattern
  {cac:AccountingSupplierParty/cac:Party[$supplierCountry = 'NO']}: Effective boolean value
Type error at char 44 in expression in xsl:when/@test on line 890 column 129 of EN16931-UBL-validation.xslt:
  XPTY0004  A sequence of more than one item { ("Supplier Ltd",
  "Supplier Ltd") } is not allowed as the first argument of fn:normalize-space()
During lazy evaluation of cac:Party/normalize-space(...) on line 890 of file:///x.xslt
  In template rule with match="/ubl:Invoice | /cn:CreditNote" on line 810 of EN16931-UBL-validation.xslt
     invoked by built-in template rule (text-only)
"""


def test_the_error_is_picked_from_among_pending_warnings() -> None:
    err = dynamic.parse_saxon_error(TEXT)
    assert err.code == "XPTY0004"
    assert err.line == 890
    assert err.value == "Supplier Ltd"
    assert err.message.startswith('A sequence of more than one item { ("Supplier Ltd", "Supplier')
    assert "In template" not in err.message


def test_text_without_a_code_still_gives_a_message() -> None:
    err = dynamic.parse_saxon_error("Error on line 3 of x.xslt:\n  something broke\n")
    assert (err.code, err.line, err.message) == ("SAXON", 3, "something broke")


def test_a_stylesheet_line_leads_to_its_assert_and_rule_context(artefacts_dir: Path) -> None:
    at = dynamic.rule_at(artefacts_dir / EN16931, 890)
    assert at.rule == "BR-06"
    assert at.context == "/ubl:Invoice | /cn:CreditNote"
    assert dynamic.rule_at(artefacts_dir / EN16931, None) == dynamic.RuleAt(None, None)
