"""Errors of the tendering domain.

    GatewayError
    └── TenderingError (500)                 base; never raised on its own
        ├── BadRequest (400)
        │   ├── InvalidShare                 malformed, corrupted, or for another tender/key
        │   │   ├── NotEnoughShares          fewer shares than the threshold
        │   │   └── KeyRebuildFailed         shares combine to a key that is not the tender's
        │   ├── InvalidCriteria              award criteria or bid scores that cannot be scored
        │   └── InvalidDocument (422)
        │       ├── InvalidEnvelope          a sealed-bid envelope we cannot read as an envelope
        │       ├── BidUnreadable            decryption failed: tampered, or sealed to another key
        │       │   └── WrongTender          sealed for another tender (or its key)
        │       └── InvalidEspdResponse      an ESPD response that is not valid UBL 2.3
        ├── Forbidden (403)
        │   └── NotInvited                   a bid on a restricted tender by a supplier not selected
        └── Conflict (409)
            ├── InvalidTransition            the tender's status does not allow the step
            ├── DeadlinePassed               bid, withdrawal or replacement at/after the deadline
            ├── SharesBeforeDeadline         an opening share handed in before the deadline
            ├── StandstillRunning            award before the standstill period has ended
            └── CorrigendumRefused           a corrigendum outside the published, open window

Timing refusals are 409 Conflict, not 403 Forbidden: the caller *is*
allowed to bid on or open this tender; what refuses the request is the
tender's current state (the clock), which is what 409 means ("conflict with
the current state of the target resource", RFC 9110 §15.5.10). A 403 would
tell the caller to look at its permissions, which are fine.
"""

from __future__ import annotations

from typing import ClassVar

from gateway.errors import BadRequest, Conflict, Forbidden, GatewayError, InvalidDocument

__all__ = [
    "BidUnreadable",
    "CorrigendumRefused",
    "DeadlinePassed",
    "InvalidCriteria",
    "InvalidEnvelope",
    "InvalidEspdResponse",
    "InvalidShare",
    "InvalidTransition",
    "KeyRebuildFailed",
    "NotEnoughShares",
    "NotInvited",
    "SharesBeforeDeadline",
    "StandstillRunning",
    "TenderingError",
    "WrongTender",
]


class TenderingError(GatewayError):
    """Base of every tendering error."""

    slug: ClassVar[str] = "tendering"


class InvalidShare(TenderingError, BadRequest):
    title = "Invalid opening share"
    slug = "tendering/invalid-share"


class NotEnoughShares(InvalidShare):
    title = "Not enough opening shares"
    slug = "tendering/not-enough-shares"


class KeyRebuildFailed(InvalidShare):
    title = "Opening key could not be rebuilt"
    slug = "tendering/key-rebuild-failed"


class InvalidCriteria(TenderingError, BadRequest):
    title = "Invalid award criteria"
    slug = "tendering/invalid-criteria"


class InvalidEnvelope(TenderingError, InvalidDocument):
    title = "Invalid sealed-bid envelope"
    slug = "tendering/invalid-envelope"


class BidUnreadable(TenderingError, InvalidDocument):
    title = "Sealed bid cannot be opened"
    slug = "tendering/bid-unreadable"


class WrongTender(BidUnreadable):
    title = "Sealed bid belongs to another tender"
    slug = "tendering/wrong-tender"


class InvalidTransition(TenderingError, Conflict):
    title = "Step not allowed in the tender's status"
    slug = "tendering/invalid-transition"


class DeadlinePassed(TenderingError, Conflict):
    title = "Submission deadline has passed"
    slug = "tendering/deadline-passed"


class SharesBeforeDeadline(TenderingError, Conflict):
    title = "Opening before the deadline"
    slug = "tendering/shares-before-deadline"


class StandstillRunning(TenderingError, Conflict):
    title = "Standstill period still running"
    slug = "tendering/standstill-running"


class CorrigendumRefused(TenderingError, Conflict):
    title = "Corrigendum refused"
    slug = "tendering/corrigendum-refused"


class InvalidEspdResponse(TenderingError, InvalidDocument):
    title = "Invalid ESPD response"
    slug = "tendering/invalid-espd-response"


class NotInvited(TenderingError, Forbidden):
    """Refused as a permission: the supplier was not selected; it says nothing of who was."""

    title = "Not invited to tender"
    slug = "tendering/not-invited"
