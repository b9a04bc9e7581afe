"""The tender's status machine and the clock rules around it (I/O-free).

    draft ─► published ─► submission_closed ─► opened ─► evaluated ─► award_proposed
                                                                          │
             contract_signed ◄─ awarded ◄─ standstill ◄───────────────────┘

The restricted procedure (Directive 2014/24/EU art. 28) puts a selection
stage in front of the bidding: its notice calls for requests to participate,
the clock closes them at the request deadline (published → selection), the
buyer selects the candidates and invites them (selection → invited), and the
clock closes the bidding at the submission deadline (invited →
submission_closed). From there both procedures run alike. A restricted tender
with no suitable candidate may end unsuccessful from selection.

``cancelled`` (Directive 2014/24/EU art. 55(1): the authority may decide not
to award or to recommence the procedure, with reasons) is reachable from
every state before the contract is signed. ``unsuccessful`` (no tenders, or
no suitable ones: art. 32(2)(a)) only once the deadline has passed and bids
have been looked at: from submission_closed (nothing came in), opened and
evaluated. A signed contract, a cancellation and an unsuccessful procedure
are final.

Deadlines are whole seconds in UTC. A bid, withdrawal or replacement is
accepted while ``now < deadline``: at the deadline's exact second it is
refused (the deadline is exclusive). Opening shares are accepted from that
same second on, so there is no instant at which both are possible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from tendering.errors import (
    CorrigendumRefused,
    DeadlinePassed,
    InvalidTransition,
    SharesBeforeDeadline,
    StandstillRunning,
)

__all__ = [
    "COPENHAGEN",
    "MIN_CANDIDATES",
    "STANDSTILL_DAYS",
    "Corrigendum",
    "CorrigendumDecision",
    "CorrigendumPolicy",
    "Procedure",
    "SelectionDecision",
    "SelectionPolicy",
    "TenderStatus",
    "bidding_status",
    "can_transition",
    "decide_corrigendum",
    "decide_selection",
    "due_status",
    "ensure_award_allowed",
    "ensure_bid_window_open",
    "ensure_opening_allowed",
    "ensure_request_window_open",
    "ensure_selection_allowed",
    "ensure_transition",
    "needs_confirmation",
    "normalise_deadline",
    "standstill_end",
]

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
STANDSTILL_DAYS = 10
# Art. 65(2): in the restricted procedure at least five candidates are invited (unless fewer qualify).
MIN_CANDIDATES = 5


class Procedure(StrEnum):
    OPEN = "open"
    RESTRICTED = "restricted"


class TenderStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SELECTION = "selection"  # restricted: requests to participate closed, buyer selecting
    INVITED = "invited"  # restricted: the selected candidates are invited to bid
    SUBMISSION_CLOSED = "submission_closed"
    OPENED = "opened"
    EVALUATED = "evaluated"
    AWARD_PROPOSED = "award_proposed"
    STANDSTILL = "standstill"
    AWARDED = "awarded"
    CONTRACT_SIGNED = "contract_signed"
    CANCELLED = "cancelled"
    UNSUCCESSFUL = "unsuccessful"


S = TenderStatus
_FORWARD: dict[TenderStatus, frozenset[TenderStatus]] = {
    S.DRAFT: frozenset({S.PUBLISHED}),
    S.PUBLISHED: frozenset({S.SUBMISSION_CLOSED}),
    S.SUBMISSION_CLOSED: frozenset({S.OPENED, S.UNSUCCESSFUL}),
    S.OPENED: frozenset({S.EVALUATED, S.UNSUCCESSFUL}),
    S.EVALUATED: frozenset({S.AWARD_PROPOSED, S.UNSUCCESSFUL}),
    # The proposal can be taken back to evaluation (e.g. after a complaint) before notices go out.
    S.AWARD_PROPOSED: frozenset({S.STANDSTILL, S.EVALUATED}),
    S.STANDSTILL: frozenset({S.AWARDED, S.EVALUATED}),
    S.AWARDED: frozenset({S.CONTRACT_SIGNED}),
}
# The restricted procedure's own steps; everything else it shares with the open one.
_RESTRICTED: dict[TenderStatus, frozenset[TenderStatus]] = {
    **_FORWARD,
    S.PUBLISHED: frozenset({S.SELECTION}),
    S.SELECTION: frozenset({S.INVITED, S.UNSUCCESSFUL}),
    S.INVITED: frozenset({S.SUBMISSION_CLOSED}),
}
FINAL = frozenset({S.CONTRACT_SIGNED, S.CANCELLED, S.UNSUCCESSFUL})


def can_transition(
    current: TenderStatus, target: TenderStatus, *, procedure: str = Procedure.OPEN
) -> bool:
    """Whether the status machine of ``procedure`` allows ``current`` → ``target``."""
    if target is S.CANCELLED:
        return current not in FINAL
    forward = _RESTRICTED if Procedure(procedure) is Procedure.RESTRICTED else _FORWARD
    return target in forward.get(current, frozenset())


def ensure_transition(
    current: TenderStatus, target: TenderStatus, *, procedure: str = Procedure.OPEN
) -> TenderStatus:
    """Return ``target`` if allowed, else raise :class:`InvalidTransition`."""
    if not can_transition(current, target, procedure=procedure):
        raise InvalidTransition(
            f"a tender that is {current.value} cannot become {target.value}",
            current=current.value,
            target=target.value,
        )
    return target


def bidding_status(procedure: str) -> TenderStatus:
    """The status in which a tender takes bids: published (open) or invited (restricted)."""
    return S.INVITED if Procedure(procedure) is Procedure.RESTRICTED else S.PUBLISHED


def normalise_deadline(deadline: datetime) -> datetime:
    """A deadline as stored: timezone-aware, UTC, whole seconds (refuses anything finer)."""
    if deadline.tzinfo is None:
        raise ValueError("deadline must be timezone-aware")
    if deadline.microsecond:
        raise ValueError("deadline must be a whole second")
    return deadline.astimezone(UTC)


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def ensure_bid_window_open(*, now: datetime, deadline: datetime, action: str = "bid") -> None:
    """Refuse a bid, withdrawal or replacement at or after the deadline (exclusive)."""
    if _aware(now) >= normalise_deadline(deadline):
        raise DeadlinePassed(
            f"{action} refused: the deadline {deadline.isoformat()} has passed",
            deadline=normalise_deadline(deadline).isoformat(),
        )


def ensure_opening_allowed(*, now: datetime, deadline: datetime) -> None:
    """Refuse opening shares handed in before the deadline."""
    if _aware(now) < normalise_deadline(deadline):
        raise SharesBeforeDeadline(
            "opening shares are accepted only from the deadline on",
            deadline=normalise_deadline(deadline).isoformat(),
        )


def ensure_request_window_open(*, now: datetime, request_deadline: datetime | None) -> None:
    """Refuse a request to participate at or after the request deadline (exclusive)."""
    if request_deadline is None:
        raise InvalidTransition("the tender takes no requests to participate: it is not restricted")
    ensure_bid_window_open(now=now, deadline=request_deadline, action="request to participate")


def ensure_selection_allowed(
    *, now: datetime, request_deadline: datetime, deadline: datetime
) -> None:
    """Refuse a selection before the request deadline or once the submission deadline is near.

    Candidates are selected from the request deadline on (so every request is in)
    and before the submission deadline (so the invited still have time to bid).
    """
    at = _aware(now)
    if at < normalise_deadline(request_deadline):
        raise InvalidTransition(
            "candidates are selected only after the deadline for requests to participate"
        )
    if at >= normalise_deadline(deadline):
        raise DeadlinePassed(
            "selection refused: the submission deadline has passed",
            deadline=normalise_deadline(deadline).isoformat(),
        )


def due_status(
    current: TenderStatus,
    *,
    now: datetime,
    deadline: datetime | None,
    procedure: str = Procedure.OPEN,
    request_deadline: datetime | None = None,
) -> TenderStatus | None:
    """The status the clock alone moves a tender to.

    Open: published → submission_closed at the deadline. Restricted: published →
    selection at the request deadline, invited → submission_closed at the deadline.
    """
    at = _aware(now)
    due = deadline is not None and at >= normalise_deadline(deadline)
    if Procedure(procedure) is Procedure.RESTRICTED:
        requests_due = request_deadline is not None and at >= normalise_deadline(request_deadline)
        if current is S.PUBLISHED and requests_due:
            return S.SELECTION
        return S.SUBMISSION_CLOSED if current is S.INVITED and due else None
    return S.SUBMISSION_CLOSED if current is S.PUBLISHED and due else None


@dataclass(frozen=True, slots=True)
class SelectionPolicy:
    """The stated rule for how many candidates a restricted procedure invites.

    ``minimum`` is the fewest a tender may promise to invite (art. 65(2): five);
    a tender states its own minimum (not below this) and optionally a maximum.
    """

    minimum: int = MIN_CANDIDATES


@dataclass(frozen=True, slots=True)
class SelectionDecision:
    """Who is invited, who qualified but was not invited, and who did not qualify."""

    selected: tuple[str, ...]
    qualified_not_selected: tuple[str, ...]
    not_qualified: tuple[str, ...]


def decide_selection(
    *,
    requesters: list[str],
    selected: list[str],
    not_qualified: list[str],
    min_candidates: int,
    max_candidates: int | None,
) -> SelectionDecision:
    """Check a selection against art. 65(2) and the tender's stated numbers.

    Every selected or not-qualified candidate must have requested; at least one
    is selected; never more than the maximum; fewer than the minimum only when
    no qualified candidate is left out (art. 65(2): "where the number of
    candidates meeting the selection criteria is below the minimum").
    """
    known = set(requesters)
    chosen, failed = set(selected), set(not_qualified)
    if len(chosen) != len(selected) or len(failed) != len(not_qualified):
        raise InvalidTransition("a candidate is named twice in the selection")
    unknown = sorted((chosen | failed) - known)
    if unknown:
        raise InvalidTransition(f"no request to participate from {', '.join(unknown)}")
    if chosen & failed:
        raise InvalidTransition("a candidate cannot be both selected and not qualified")
    if not chosen:
        raise InvalidTransition("select at least one candidate, or declare the tender unsuccessful")
    if max_candidates is not None and len(chosen) > max_candidates:
        raise InvalidTransition(
            f"the tender invites at most {max_candidates} candidates, not {len(chosen)}"
        )
    left_out = tuple(r for r in requesters if r not in chosen and r not in failed)
    if len(chosen) < min_candidates and left_out:
        raise InvalidTransition(
            f"the tender invites at least {min_candidates} candidates: fewer may be invited "
            "only when no other candidate qualifies"
        )
    return SelectionDecision(
        selected=tuple(r for r in requesters if r in chosen),
        qualified_not_selected=left_out,
        not_qualified=tuple(r for r in requesters if r in failed),
    )


def standstill_end(notified_at: datetime, *, days: int = STANDSTILL_DAYS) -> datetime:
    """End of the standstill period, in UTC.

    The period is counted in calendar days in Copenhagen from the day after the
    award notices were sent electronically (Remedies Directive 89/665/EEC art.
    2a(2); Danish klagenævnslov § 3), and ends at midnight after its last day.
    No extension for weekends or public holidays is applied.
    """
    local_day: date = _aware(notified_at).astimezone(COPENHAGEN).date()
    end_local = datetime.combine(local_day + timedelta(days=days + 1), time(0), COPENHAGEN)
    return end_local.astimezone(UTC)


def ensure_award_allowed(*, now: datetime, standstill_ends: datetime) -> None:
    """Refuse to award (conclude) before the standstill period has ended."""
    if _aware(now) < standstill_ends:
        raise StandstillRunning(
            f"the standstill period runs until {standstill_ends.isoformat()}",
            standstill_ends=standstill_ends.isoformat(),
        )


@dataclass(frozen=True, slots=True)
class CorrigendumPolicy:
    """How far a corrigendum pushes the deadline.

    ``info_min_days``: any change leaves bidders at least this long (art. 47(3)(a):
    additional information at the latest six days before the deadline).
    ``material_min_days``: a change to what bidders must offer leaves at least this
    long; 15 days is the shortest time the Directive ever gives for a whole open
    procedure (art. 27(2)–(3)), so bidders keep at least enough to redo a tender.
    """

    info_min_days: int = 6
    material_min_days: int = 15


@dataclass(frozen=True, slots=True)
class Corrigendum:
    """A change to a published tender; ``material`` when it changes what must be offered."""

    issued_at: datetime
    material: bool
    summary: str
    proposed_deadline: datetime | None = None


@dataclass(frozen=True, slots=True)
class CorrigendumDecision:
    """The outcome: the deadline to use and whether bids already in must be confirmed."""

    deadline: datetime
    minimum_deadline: datetime
    extended: bool
    bids_must_be_confirmed: bool


def decide_corrigendum(
    corrigendum: Corrigendum,
    *,
    status: TenderStatus,
    deadline: datetime,
    policy: CorrigendumPolicy = CorrigendumPolicy(),
) -> CorrigendumDecision:
    """Check a corrigendum may be issued now and compute the deadline it requires.

    The new deadline is the buyer's proposal (or the current deadline) raised to
    the minimum; whole seconds are kept by rounding the minimum up.
    """
    current = normalise_deadline(deadline)
    issued = _aware(corrigendum.issued_at)
    if status is not S.PUBLISHED:
        raise CorrigendumRefused(f"a corrigendum needs a published tender, not {status.value}")
    if issued >= current:
        raise CorrigendumRefused("the deadline has passed: the tender can no longer be changed")
    days = max(policy.info_min_days, policy.material_min_days if corrigendum.material else 0)
    minimum = issued + timedelta(days=days)
    if minimum.microsecond:
        minimum = minimum.replace(microsecond=0) + timedelta(seconds=1)
    minimum = max(minimum, current)
    proposed = current
    if corrigendum.proposed_deadline is not None:
        proposed = normalise_deadline(corrigendum.proposed_deadline)
        if proposed < current:
            raise CorrigendumRefused("a corrigendum may not bring the deadline forward")
    new_deadline = max(proposed, minimum)
    return CorrigendumDecision(
        deadline=new_deadline,
        minimum_deadline=minimum,
        extended=new_deadline > current,
        bids_must_be_confirmed=corrigendum.material,
    )


def needs_confirmation(
    *,
    submitted_at: datetime,
    confirmed_at: datetime | None,
    material_corrigenda: list[datetime],
) -> bool:
    """Whether a bid still awaits confirmation after a material corrigendum.

    A bid submitted before the latest material corrigendum counts at opening only
    if its supplier confirmed it afterwards; a replacement is a new submission and
    so needs nothing. A bid still awaiting confirmation at the deadline is not opened.
    """
    if not material_corrigenda:
        return False
    latest = max(_aware(t) for t in material_corrigenda)
    if _aware(submitted_at) >= latest:
        return False
    return confirmed_at is None or _aware(confirmed_at) < latest
