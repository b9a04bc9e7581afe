"""The tender status machine and its clock rules."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tendering import lifecycle as lc
from tendering.errors import (
    CorrigendumRefused,
    DeadlinePassed,
    InvalidTransition,
    SharesBeforeDeadline,
    StandstillRunning,
)

S = lc.TenderStatus
DEADLINE = datetime(2026, 3, 20, 11, 0, 0, tzinfo=UTC)  # 12:00 in Copenhagen
HAPPY_PATH = [
    S.DRAFT,
    S.PUBLISHED,
    S.SUBMISSION_CLOSED,
    S.OPENED,
    S.EVALUATED,
    S.AWARD_PROPOSED,
    S.STANDSTILL,
    S.AWARDED,
    S.CONTRACT_SIGNED,
]


def test_the_happy_path_is_allowed_step_by_step() -> None:
    for current, target in itertools.pairwise(HAPPY_PATH):
        assert lc.ensure_transition(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.DRAFT, S.OPENED),
        (S.PUBLISHED, S.OPENED),
        (S.PUBLISHED, S.UNSUCCESSFUL),
        (S.EVALUATED, S.AWARDED),
        (S.AWARD_PROPOSED, S.AWARDED),
        (S.CONTRACT_SIGNED, S.CANCELLED),
        (S.CANCELLED, S.PUBLISHED),
        (S.UNSUCCESSFUL, S.CANCELLED),
        (S.OPENED, S.PUBLISHED),
    ],
)
def test_skipping_or_going_back_is_refused(
    current: lc.TenderStatus, target: lc.TenderStatus
) -> None:
    with pytest.raises(InvalidTransition) as err:
        lc.ensure_transition(current, target)
    assert err.value.status == 409


@pytest.mark.parametrize("current", HAPPY_PATH[:-1])
def test_cancellation_is_possible_until_the_contract_is_signed(current: lc.TenderStatus) -> None:
    assert lc.can_transition(current, S.CANCELLED)


def test_unsuccessful_only_after_the_deadline() -> None:
    allowed = {s for s in S if lc.can_transition(s, S.UNSUCCESSFUL)}
    assert allowed == {S.SUBMISSION_CLOSED, S.OPENED, S.EVALUATED}


def test_bid_an_instant_before_the_deadline_is_accepted() -> None:
    lc.ensure_bid_window_open(now=DEADLINE - timedelta(microseconds=1), deadline=DEADLINE)


def test_bid_at_the_exact_deadline_second_is_refused() -> None:
    with pytest.raises(DeadlinePassed) as err:
        lc.ensure_bid_window_open(now=DEADLINE, deadline=DEADLINE)
    assert err.value.status == 409


@pytest.mark.parametrize("action", ["withdrawal", "replacement"])
def test_withdrawal_and_replacement_follow_the_same_deadline(action: str) -> None:
    lc.ensure_bid_window_open(now=DEADLINE - timedelta(seconds=1), deadline=DEADLINE, action=action)
    with pytest.raises(DeadlinePassed, match=action):
        lc.ensure_bid_window_open(
            now=DEADLINE + timedelta(hours=1), deadline=DEADLINE, action=action
        )


def test_deadline_in_another_zone_means_the_same_instant() -> None:
    local = DEADLINE.astimezone(lc.COPENHAGEN)
    with pytest.raises(DeadlinePassed):
        lc.ensure_bid_window_open(now=DEADLINE, deadline=local)


def test_deadline_finer_than_a_second_is_refused() -> None:
    with pytest.raises(ValueError):
        lc.normalise_deadline(DEADLINE + timedelta(milliseconds=500))
    with pytest.raises(ValueError):
        lc.normalise_deadline(DEADLINE.replace(tzinfo=None))


def test_shares_before_the_deadline_are_refused_and_accepted_at_it() -> None:
    with pytest.raises(SharesBeforeDeadline):
        lc.ensure_opening_allowed(now=DEADLINE - timedelta(microseconds=1), deadline=DEADLINE)
    lc.ensure_opening_allowed(now=DEADLINE, deadline=DEADLINE)


def test_the_clock_closes_submission_at_the_deadline() -> None:
    before = DEADLINE - timedelta(seconds=1)
    assert lc.due_status(S.PUBLISHED, now=before, deadline=DEADLINE) is None
    assert lc.due_status(S.PUBLISHED, now=DEADLINE, deadline=DEADLINE) is S.SUBMISSION_CLOSED
    assert lc.due_status(S.OPENED, now=DEADLINE, deadline=DEADLINE) is None


def test_standstill_ends_at_copenhagen_midnight_after_ten_days() -> None:
    # Sent Monday 2 March 2026, 15:30 local (14:30 UTC): days 3..12 March, ends 13 March 00:00 CET.
    sent = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    assert lc.standstill_end(sent) == datetime(2026, 3, 12, 23, 0, tzinfo=UTC)


def test_standstill_end_follows_summer_time() -> None:
    # Summer time starts 29 March 2026: the end (8 April 00:00 CEST) is 22:00 UTC.
    sent = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
    assert lc.standstill_end(sent) == datetime(2026, 4, 7, 22, 0, tzinfo=UTC)


def test_standstill_counts_the_copenhagen_date_of_dispatch() -> None:
    # 23:30 UTC on 2 March is already 3 March in Copenhagen.
    sent = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    assert lc.standstill_end(sent) == datetime(2026, 3, 13, 23, 0, tzinfo=UTC)


def test_award_waits_for_the_standstill_end() -> None:
    end = lc.standstill_end(datetime(2026, 3, 2, 14, 30, tzinfo=UTC))
    with pytest.raises(StandstillRunning):
        lc.ensure_award_allowed(now=end - timedelta(seconds=1), standstill_ends=end)
    lc.ensure_award_allowed(now=end, standstill_ends=end)


def test_clarifying_corrigendum_late_in_the_period_leaves_six_days() -> None:
    issued = DEADLINE - timedelta(days=2)
    c = lc.Corrigendum(issued_at=issued, material=False, summary="typo in annex 2")
    decision = lc.decide_corrigendum(c, status=S.PUBLISHED, deadline=DEADLINE)
    assert decision.deadline == issued + timedelta(days=6)
    assert decision.extended
    assert not decision.bids_must_be_confirmed


def test_clarifying_corrigendum_early_keeps_the_deadline() -> None:
    c = lc.Corrigendum(issued_at=DEADLINE - timedelta(days=20), material=False, summary="x")
    decision = lc.decide_corrigendum(c, status=S.PUBLISHED, deadline=DEADLINE)
    assert decision.deadline == DEADLINE
    assert not decision.extended


def test_material_corrigendum_extends_and_asks_bids_to_be_confirmed() -> None:
    issued = DEADLINE - timedelta(days=10, microseconds=250)
    c = lc.Corrigendum(issued_at=issued, material=True, summary="new lot requirement")
    decision = lc.decide_corrigendum(c, status=S.PUBLISHED, deadline=DEADLINE)
    assert decision.deadline >= issued + timedelta(days=15)
    assert decision.deadline.microsecond == 0
    assert decision.bids_must_be_confirmed


def test_buyer_may_propose_a_later_deadline_but_not_an_earlier_one() -> None:
    later = DEADLINE + timedelta(days=30)
    c = lc.Corrigendum(DEADLINE - timedelta(days=10), True, "x", proposed_deadline=later)
    assert lc.decide_corrigendum(c, status=S.PUBLISHED, deadline=DEADLINE).deadline == later
    early = lc.Corrigendum(DEADLINE - timedelta(days=10), False, "x", DEADLINE - timedelta(days=1))
    with pytest.raises(CorrigendumRefused):
        lc.decide_corrigendum(early, status=S.PUBLISHED, deadline=DEADLINE)


@pytest.mark.parametrize(
    ("status", "issued"),
    [(S.DRAFT, DEADLINE - timedelta(days=3)), (S.PUBLISHED, DEADLINE), (S.OPENED, DEADLINE)],
)
def test_corrigendum_outside_the_open_window_is_refused(
    status: lc.TenderStatus, issued: datetime
) -> None:
    with pytest.raises(CorrigendumRefused):
        lc.decide_corrigendum(lc.Corrigendum(issued, False, "x"), status=status, deadline=DEADLINE)


def test_policy_changes_the_minimum() -> None:
    issued = DEADLINE - timedelta(days=1)
    policy = lc.CorrigendumPolicy(info_min_days=4, material_min_days=30)
    decision = lc.decide_corrigendum(
        lc.Corrigendum(issued, True, "x"), status=S.PUBLISHED, deadline=DEADLINE, policy=policy
    )
    assert decision.deadline == issued + timedelta(days=30)


def test_bids_before_a_material_corrigendum_need_confirmation() -> None:
    change = DEADLINE - timedelta(days=10)
    early = DEADLINE - timedelta(days=12)
    assert lc.needs_confirmation(
        submitted_at=early, confirmed_at=None, material_corrigenda=[change]
    )
    assert not lc.needs_confirmation(
        submitted_at=early, confirmed_at=change + timedelta(hours=1), material_corrigenda=[change]
    )
    assert not lc.needs_confirmation(
        submitted_at=change + timedelta(days=1), confirmed_at=None, material_corrigenda=[change]
    )
    assert not lc.needs_confirmation(submitted_at=early, confirmed_at=None, material_corrigenda=[])


def test_confirmation_before_a_second_material_corrigendum_does_not_count() -> None:
    first, second = DEADLINE - timedelta(days=20), DEADLINE - timedelta(days=5)
    assert lc.needs_confirmation(
        submitted_at=first - timedelta(days=1),
        confirmed_at=first + timedelta(days=1),
        material_corrigenda=[second, first],
    )


@given(offset=st.integers(min_value=-(10**9), max_value=10**9))
def test_bidding_and_opening_never_overlap_and_never_leave_a_gap(offset: int) -> None:
    now = DEADLINE + timedelta(microseconds=offset)
    outcomes = []
    for check in (lc.ensure_bid_window_open, lc.ensure_opening_allowed):
        try:
            check(now=now, deadline=DEADLINE)
            outcomes.append(True)
        except (DeadlinePassed, SharesBeforeDeadline):
            outcomes.append(False)
    assert outcomes.count(True) == 1


# -- the restricted procedure (art. 28) -------------------------------------------------

R = lc.Procedure.RESTRICTED
RESTRICTED_PATH = [
    S.DRAFT,
    S.PUBLISHED,
    S.SELECTION,
    S.INVITED,
    S.SUBMISSION_CLOSED,
    S.OPENED,
    S.EVALUATED,
    S.AWARD_PROPOSED,
    S.STANDSTILL,
    S.AWARDED,
    S.CONTRACT_SIGNED,
]
REQUESTS_CLOSE = DEADLINE - timedelta(days=30)


def test_restricted_path_runs_through_selection_and_invitation() -> None:
    for current, target in itertools.pairwise(RESTRICTED_PATH):
        assert lc.ensure_transition(current, target, procedure=R) is target


@pytest.mark.parametrize(
    ("current", "target", "procedure"),
    [
        (S.PUBLISHED, S.SUBMISSION_CLOSED, R),  # restricted bidding needs a selection first
        (S.PUBLISHED, S.INVITED, R),
        (S.SELECTION, S.SUBMISSION_CLOSED, R),
        (S.PUBLISHED, S.SELECTION, lc.Procedure.OPEN),  # an open tender has no selection
        (S.SELECTION, S.INVITED, lc.Procedure.OPEN),
        (S.INVITED, S.SELECTION, R),
    ],
)
def test_restricted_steps_belong_to_their_procedure(
    current: lc.TenderStatus, target: lc.TenderStatus, procedure: lc.Procedure
) -> None:
    with pytest.raises(InvalidTransition):
        lc.ensure_transition(current, target, procedure=procedure)


def test_restricted_tender_is_cancellable_in_its_own_stages_and_unsuccessful_at_selection() -> None:
    assert lc.can_transition(S.SELECTION, S.CANCELLED, procedure=R)
    assert lc.can_transition(S.INVITED, S.CANCELLED, procedure=R)
    allowed = {s for s in S if lc.can_transition(s, S.UNSUCCESSFUL, procedure=R)}
    assert allowed == {S.SELECTION, S.SUBMISSION_CLOSED, S.OPENED, S.EVALUATED}


def test_bids_are_taken_when_published_or_when_invited() -> None:
    assert lc.bidding_status(lc.Procedure.OPEN) is S.PUBLISHED
    assert lc.bidding_status("restricted") is S.INVITED


def test_request_to_participate_at_the_request_deadline_is_refused_like_a_late_bid() -> None:
    lc.ensure_request_window_open(
        now=REQUESTS_CLOSE - timedelta(microseconds=1), request_deadline=REQUESTS_CLOSE
    )
    with pytest.raises(DeadlinePassed) as err:
        lc.ensure_request_window_open(now=REQUESTS_CLOSE, request_deadline=REQUESTS_CLOSE)
    assert err.value.status == 409 and "request to participate" in err.value.detail


def test_an_open_tender_takes_no_requests_to_participate() -> None:
    with pytest.raises(InvalidTransition):
        lc.ensure_request_window_open(now=REQUESTS_CLOSE, request_deadline=None)


def test_selection_lies_between_the_request_deadline_and_the_submission_deadline() -> None:
    with pytest.raises(InvalidTransition):
        lc.ensure_selection_allowed(
            now=REQUESTS_CLOSE - timedelta(seconds=1),
            request_deadline=REQUESTS_CLOSE,
            deadline=DEADLINE,
        )
    lc.ensure_selection_allowed(
        now=REQUESTS_CLOSE, request_deadline=REQUESTS_CLOSE, deadline=DEADLINE
    )
    with pytest.raises(DeadlinePassed):
        lc.ensure_selection_allowed(
            now=DEADLINE, request_deadline=REQUESTS_CLOSE, deadline=DEADLINE
        )


def test_the_clock_closes_requests_then_bids_of_a_restricted_tender() -> None:
    def due(current: lc.TenderStatus, now: datetime) -> lc.TenderStatus | None:
        return lc.due_status(
            current, now=now, deadline=DEADLINE, procedure=R, request_deadline=REQUESTS_CLOSE
        )

    assert due(S.PUBLISHED, REQUESTS_CLOSE - timedelta(seconds=1)) is None
    assert due(S.PUBLISHED, REQUESTS_CLOSE) is S.SELECTION
    # The buyer selects; the clock does not: selection waits for the buyer.
    assert due(S.SELECTION, DEADLINE) is None
    assert due(S.INVITED, DEADLINE - timedelta(seconds=1)) is None
    assert due(S.INVITED, DEADLINE) is S.SUBMISSION_CLOSED


def _select(
    selected: list[str], not_qualified: tuple[str, ...] = (), *, max_candidates: int | None = None
) -> lc.SelectionDecision:
    return lc.decide_selection(
        requesters=["a", "b", "c", "d", "e", "f"],
        selected=selected,
        not_qualified=list(not_qualified),
        min_candidates=lc.MIN_CANDIDATES,
        max_candidates=max_candidates,
    )


def test_selection_invites_at_least_the_minimum_when_enough_qualify() -> None:
    decision = _select(["a", "b", "c", "d", "e"])
    assert decision.selected == ("a", "b", "c", "d", "e")
    assert decision.qualified_not_selected == ("f",)
    with pytest.raises(InvalidTransition) as err:
        _select(["a", "b"], ("c",))  # d, e, f qualify but are left out
    assert "at least 5" in err.value.detail


def test_fewer_than_the_minimum_only_when_no_other_candidate_qualifies() -> None:
    decision = _select(["a", "b"], ("c", "d", "e", "f"))
    assert decision.selected == ("a", "b")
    assert decision.not_qualified == ("c", "d", "e", "f")
    assert decision.qualified_not_selected == ()


def test_selection_respects_the_stated_maximum() -> None:
    with pytest.raises(InvalidTransition):
        _select(["a", "b", "c", "d", "e", "f"], max_candidates=5)
    assert len(_select(["a", "b", "c", "d", "e"], max_candidates=5).selected) == 5


@pytest.mark.parametrize(
    ("selected", "not_qualified"),
    [
        ([], ["a", "b", "c", "d", "e", "f"]),  # nobody selected: declare it unsuccessful instead
        (["a", "a", "b", "c", "d"], []),  # named twice
        (["x", "a", "b", "c", "d"], []),  # never requested
        (["a", "b", "c", "d", "e"], ["a"]),  # both selected and not qualified
    ],
)
def test_malformed_selections_are_refused(selected: list[str], not_qualified: list[str]) -> None:
    with pytest.raises(InvalidTransition):
        _select(selected, tuple(not_qualified))
