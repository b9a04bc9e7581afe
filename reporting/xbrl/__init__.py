"""Annual report (årsrapport) in XBRL for the Danish Business Authority."""

from reporting.xbrl.figures import AnnualFigures, StatementFigures, compute_figures
from reporting.xbrl.instance import CompanyInfo, build_annual_report, instance_from_figures
from reporting.xbrl.mapping import XbrlMapping, load_xbrl_mapping, parse_xbrl_mapping
from reporting.xbrl.precheck import precheck
from reporting.xbrl.taxonomy import check_mapping
from reporting.xbrl.validate import XbrlReport, validate_annual_report

__all__ = [
    "AnnualFigures",
    "CompanyInfo",
    "StatementFigures",
    "XbrlMapping",
    "XbrlReport",
    "build_annual_report",
    "check_mapping",
    "compute_figures",
    "instance_from_figures",
    "load_xbrl_mapping",
    "parse_xbrl_mapping",
    "precheck",
    "validate_annual_report",
]
