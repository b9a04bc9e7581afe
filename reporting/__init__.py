"""reporting: report builders from the canonical ledger (VAT return, XBRL annual report, SAF-T).

The SKAT VAT client lives in ``reporting.skat``; import it from there.
"""

from reporting.errors import (
    InvalidPeriod,
    MappingError,
    ReportBuildError,
    ReportingError,
    ReportValidationUnavailable,
    UnmappedTaxCode,
)
from reporting.periods import Period, parse_period
from reporting.saft_check import validate_saft_file
from reporting.saft_export import SaftExportReport, SaftOptions, export_saft
from reporting.vat import BreakdownEntry, LedgerRef, VatReturn, compute_vat_return
from reporting.vat_table import VatCodeTable, load_vat_table
from reporting.vat_xml import (
    angivelse_element,
    modtag_request_document,
    validate_modtag_request,
    vat_return_to_xml_fields,
)
from reporting.xbrl import (
    CompanyInfo,
    XbrlMapping,
    XbrlReport,
    build_annual_report,
    load_xbrl_mapping,
    precheck,
    validate_annual_report,
)

__all__ = [
    "BreakdownEntry",
    "CompanyInfo",
    "InvalidPeriod",
    "LedgerRef",
    "MappingError",
    "Period",
    "ReportBuildError",
    "ReportValidationUnavailable",
    "ReportingError",
    "SaftExportReport",
    "SaftOptions",
    "UnmappedTaxCode",
    "VatCodeTable",
    "VatReturn",
    "XbrlMapping",
    "XbrlReport",
    "angivelse_element",
    "build_annual_report",
    "compute_vat_return",
    "export_saft",
    "load_vat_table",
    "load_xbrl_mapping",
    "modtag_request_document",
    "parse_period",
    "precheck",
    "validate_annual_report",
    "validate_modtag_request",
    "validate_saft_file",
    "vat_return_to_xml_fields",
]
