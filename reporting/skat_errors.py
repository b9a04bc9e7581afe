"""Errors of the tax agency (SKAT) VAT client, with the agency's codes turned into clear messages.

ReportingError
└── SkatError                        ``code`` is the agency's code or the SOAP fault code
    ├── SkatRefused (422)            the agency answered with an error code (FejlStruktur)
    │   ├── SkatNotDelegated (403)   4801: no delegation from the company to us
    │   ├── SkatPeriodRefused        4802, 4803, 4804: the period cannot be reported now
    │   ├── SkatDraftNotApproved (409)   4810: the company has not approved the draft yet
    │   └── SkatReceiptUnavailable (404) 4811, 4812, 4813: no receipt (rejected, replaced, unknown)
    ├── SkatFault (502)              the service refused the message itself (security, XML)
    ├── SkatBadResponse (502)        the answer was unsigned, tampered or malformed
    ├── SkatUnreachable (503)        no connection (network, TLS)
    ├── SkatContractError (500)      the installed WSDL/XSDs cannot be loaded
    ├── SkatInputError (400)         the VAT fields given are not a valid return
    └── SkatCorrectionMismatch (409) the agency treated the draft otherwise than asked
"""

from __future__ import annotations

from typing import Any

from reporting.errors import ReportingError

__all__ = [
    "AGENCY_ERRORS",
    "SkatBadResponse",
    "SkatContractError",
    "SkatCorrectionMismatch",
    "SkatDraftNotApproved",
    "SkatError",
    "SkatFault",
    "SkatInputError",
    "SkatNotDelegated",
    "SkatPeriodRefused",
    "SkatReceiptUnavailable",
    "SkatRefused",
    "SkatUnreachable",
    "refusal_for",
]

# The agency's error codes and their meaning (README of skat/rsu-b2b-sample-client-java).
AGENCY_ERRORS = {
    4801: "RSU is not delegated by the legal entity",
    4802: "The VAT period is not open",
    4803: "The VAT period has not ended",
    4804: "The VAT period is more than 3 years old",
    4810: "The VAT statement draft has not been approved",
    4811: "No receipt: the draft VAT return was rejected",
    4812: "Receipt does not exist",
    4813: "The VAT statement draft does not exist",
    4816: 'The value in AngivelseTypeNavn does not exist; it must be "Moms"',
    4817: "The search start date is later than the search end date",
}


class SkatError(ReportingError):
    """Base of the SKAT client's errors; ``code`` is what the agency said, if anything."""

    status = 502
    title = "Tax agency error"
    slug = "skat"

    def __init__(self, detail: str, *, code: int | str | None = None, **extensions: Any) -> None:
        super().__init__(detail, code=code, **extensions)
        self.code = code


class SkatRefused(SkatError):
    """The agency refused the request with one of its error codes."""

    status = 422
    title = "Refused by the tax agency"
    slug = "skat-refused"


class SkatNotDelegated(SkatRefused):
    status = 403
    title = "No delegation from the company"
    slug = "skat-not-delegated"


class SkatPeriodRefused(SkatRefused):
    title = "VAT period cannot be reported"
    slug = "skat-period-refused"


class SkatDraftNotApproved(SkatRefused):
    status = 409
    title = "VAT return not yet approved"
    slug = "skat-draft-not-approved"


class SkatReceiptUnavailable(SkatRefused):
    status = 404
    title = "No VAT receipt"
    slug = "skat-receipt-unavailable"


class SkatFault(SkatError):
    title = "Tax agency refused the message"
    slug = "skat-fault"


class SkatBadResponse(SkatError):
    title = "Invalid answer from the tax agency"
    slug = "skat-bad-response"


class SkatUnreachable(SkatError):
    status = 503
    title = "Tax agency unreachable"
    slug = "skat-unreachable"


class SkatContractError(SkatError):
    status = 500
    title = "Tax agency contract unavailable"
    slug = "skat-contract"


class SkatInputError(SkatError):
    status = 400
    title = "Invalid VAT return"
    slug = "skat-input"


class SkatCorrectionMismatch(SkatError):
    status = 409
    title = "Correction mismatch"
    slug = "skat-correction-mismatch"


def refusal_for(code: int, agency_text: str | None, **context: Any) -> SkatRefused:
    """Our error for an agency error code, with a message a person can act on.

    ``context`` may name ``se``, ``period_text``, ``draft_id``, ``start`` and ``end``.
    """
    se = context.get("se", "?")
    period = context.get("period_text", "?")
    draft = context.get("draft_id", "?")
    messages: dict[int, tuple[type[SkatRefused], str]] = {
        4801: (
            SkatNotDelegated,
            f"the software provider has no delegation from company CVR/SE {se} to report VAT; "
            "the company must grant it on skat.dk",
        ),
        4802: (
            SkatPeriodRefused,
            f"the VAT period {period} is not open for company {se}: it is not one of the "
            "company's VAT periods",
        ),
        4803: (
            SkatPeriodRefused,
            f"the VAT period {period} has not ended yet; submit the return after it ends",
        ),
        4804: (
            SkatPeriodRefused,
            f"the VAT period {period} is more than 3 years old and can no longer be reported "
            "through the system-to-system service",
        ),
        4810: (
            SkatDraftNotApproved,
            f"the VAT return draft {draft} has not been approved yet; the company must approve "
            "it on skat.dk before a receipt exists",
        ),
        4811: (
            SkatReceiptUnavailable,
            f"the company rejected the VAT return draft {draft}; no receipt will be issued",
        ),
        4812: (
            SkatReceiptUnavailable,
            f"no receipt exists for the VAT return draft {draft} (it may have been replaced by "
            "a later draft)",
        ),
        4813: (
            SkatReceiptUnavailable,
            f"the tax agency has no VAT return draft {draft} for company {se}",
        ),
        4816: (SkatRefused, 'the return type must be "Moms"'),
        4817: (
            SkatRefused,
            f"the search start date {context.get('start', '?')} is after the end date "
            f"{context.get('end', '?')}",
        ),
    }
    cls, message = messages.get(
        code,
        (SkatRefused, f"the tax agency refused the request with code {code}: {agency_text or ''}"),
    )
    return cls(message, code=code, agency_text=agency_text)
