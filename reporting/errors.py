"""Errors of the reporting domain.

ReportingError (GatewayError, 500)
├── InvalidPeriod (BadRequest, 400)       a period label we cannot read
├── MappingError (BadRequest, 400)        a VAT-code table or concept mapping we cannot use
│   └── UnmappedTaxCode                   ledger lines carry tax codes the table does not know
├── ReportBuildError (InvalidDocument, 422)  the ledger cannot give a consistent report
└── ReportValidationUnavailable (Unavailable, 503)  the validator could not run
"""

from __future__ import annotations

from gateway.errors import BadRequest, GatewayError, InvalidDocument, Unavailable

__all__ = [
    "InvalidPeriod",
    "MappingError",
    "ReportBuildError",
    "ReportValidationUnavailable",
    "ReportingError",
    "UnmappedTaxCode",
]


class ReportingError(GatewayError):
    """Base of the reporting domain's errors."""

    slug = "reporting"


class InvalidPeriod(ReportingError, BadRequest):
    title = "Invalid reporting period"
    slug = "invalid-period"


class MappingError(ReportingError, BadRequest):
    title = "Invalid report mapping"
    slug = "invalid-mapping"


class UnmappedTaxCode(MappingError):
    title = "Unmapped tax code"
    slug = "unmapped-tax-code"


class ReportBuildError(ReportingError, InvalidDocument):
    title = "Report cannot be built"
    slug = "report-build"


class ReportValidationUnavailable(ReportingError, Unavailable):
    title = "Report validator unavailable"
    slug = "report-validator-unavailable"
