"""Use cases of the submission pipeline: accept a document, advance it one step, sweep."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from gateway import metrics, webhooks
from gateway.audit.service import record
from gateway.blobs import sha256_hex
from gateway.channels.base import OutboundMessage, ReceiptOutcome, SendOutcome, SendResult
from gateway.errors import IdempotencyConflict, NotFound, PayloadTooLarge
from gateway.jobs import enqueue
from gateway.pipeline.errors import RefusedDocument, UnknownKind
from gateway.pipeline.lifecycle import ACTIVE, Status, can_move, check_move, next_attempt
from gateway.pipeline.models import Submission
from gateway.pipeline.repository import SubmissionRepository
from gateway.pipeline.steps import is_xml, xml_limits
from gateway.tenancy.service import Actor
from schemas import xmlsafe

if TYPE_CHECKING:
    from gateway.bootstrap import Container

__all__ = ["ADVANCE_TASK", "KIND_PATTERN", "advance", "over_budget", "submit", "sweep"]

_log = logging.getLogger("gateway.pipeline")
ADVANCE_TASK = "pipeline.advance"
KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True, slots=True)
class Accepted:
    submission: Submission
    created: bool


def _audit(session: Session, sub: Submission, action: str, actor: str, **data: object) -> None:
    record(
        session,
        organisation_id=sub.organisation_id,
        actor=actor,
        action=action,
        subject_type="submission",
        subject_id=sub.id,
        data={"status": sub.status, **data},
    )


def submit(
    c: Container,
    session: Session,
    *,
    actor: Actor,
    kind: str,
    recipient: str,
    payload: bytes,
    content_type: str,
    idempotency_key: str | None = None,
    reference: str | None = None,
    direction: str = "outbound",
) -> Accepted:
    """Accept a document for delivery: refuse bad input before anything is stored."""
    if not KIND_PATTERN.match(kind):
        raise UnknownKind(f"kind {kind!r} must be lower-case letters, digits and underscores")
    if not recipient or len(recipient) > 100:
        raise UnknownKind("a recipient (1 to 100 characters) is required")
    limits = xml_limits(c.settings)
    if len(payload) > limits.max_bytes:
        raise PayloadTooLarge(f"document is {len(payload)} bytes; the limit is {limits.max_bytes}")
    if not payload:
        raise RefusedDocument("the document is empty")
    if is_xml(content_type):
        try:
            xmlsafe.parse(payload, limits=limits)
        except xmlsafe.XmlError as exc:
            raise RefusedDocument(exc.detail, findings=[_finding(exc)]) from exc
    digest = sha256_hex(payload)
    repo = SubmissionRepository(session, actor.organisation_id)
    if idempotency_key:
        existing = repo.by_idempotency_key(idempotency_key)
        if existing is not None:
            if (
                existing.payload_hash != digest
                or existing.kind != kind
                or existing.recipient != recipient
            ):
                raise IdempotencyConflict(
                    f"Idempotency-Key {idempotency_key!r} was used for another document",
                    submission_id=existing.id,
                )
            return Accepted(existing, created=False)
    route = c.routing.resolve(kind, recipient)
    c.blobs.put(payload)
    sub = repo.add(
        Submission(
            kind=kind,
            direction=direction,
            sender=actor.organisation_cvr,
            recipient=recipient,
            channel=route.channel,
            endpoint=route.endpoint,
            content_type=content_type,
            payload_hash=digest,
            payload_size=len(payload),
            status=Status.RECEIVED,
            attempts=0,
            polls=0,
            next_attempt_at=c.clock(),
            message_id=f"{uuid.uuid4()}@gateway",
            idempotency_key=idempotency_key,
            reference=reference,
        )
    )
    _audit(session, sub, "pipeline.submission.received", actor.label, kind=kind, sha256=digest)
    metrics.SUBMISSIONS_RECEIVED.labels(kind=kind).inc()
    enqueue(session, ADVANCE_TASK, sub.id)
    return Accepted(sub, created=True)


def _finding(exc: xmlsafe.XmlError) -> dict[str, object]:
    return {
        "rule": "XML",
        "severity": "fatal",
        "location": f"line {exc.line}" if exc.line else "/",
        "message": exc.detail,
    }


def _claim(c: Container, submission_id: str, lease_until: datetime) -> bool:
    now = c.clock()
    with c.db.transaction() as s:
        result = s.execute(
            update(Submission)
            .where(
                Submission.id == submission_id,
                # Inbound documents are the receiving domain's to process, not ours to send.
                Submission.direction == "outbound",
                Submission.status.in_([str(x) for x in ACTIVE]),
                or_(Submission.lease_until.is_(None), Submission.lease_until < now),
                or_(Submission.next_attempt_at.is_(None), Submission.next_attempt_at <= now),
            )
            .values(lease_until=lease_until)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]


def _move(session: Session, sub: Submission, target: Status, actor: str, **data: object) -> None:
    before = sub.status
    sub.status = check_move(sub.status, target)
    _audit(session, sub, f"pipeline.submission.{target.value}", actor, previous=before, **data)
    metrics.TRANSITIONS.labels(status=target.value).inc()
    _notify(session, sub, target, data.get("reason"))


# Subscribers are told when a document they sent reaches an end (webhooks, after commit).
_OUTCOME_EVENTS = {
    Status.ACKNOWLEDGED: "submission.receipted",
    Status.INVALID: "submission.failed",
    Status.REJECTED: "submission.failed",
    Status.DEAD: "submission.failed",
}
_RECEIPTED_BY_KIND = {"vat_return": "reporting.vat_return.receipted"}


def _notify(session: Session, sub: Submission, target: Status, reason: object) -> None:
    event = _OUTCOME_EVENTS.get(target)
    if event is None or sub.direction != "outbound":
        return
    data = {"submission_id": sub.id, "kind": sub.kind, "status": target.value}
    if reason is not None:
        data["reason"] = str(reason)
    events = [event]
    if target is Status.ACKNOWLEDGED and sub.kind in _RECEIPTED_BY_KIND:
        events.append(_RECEIPTED_BY_KIND[sub.kind])
    for name in events:
        webhooks.emit(session, name, organisation_id=sub.organisation_id, data=data)


def advance(
    c: Container, submission_id: str, *, worker: str = "worker", max_steps: int = 8
) -> str | None:
    """Run the due steps of one submission, if no one else holds it.

    Each step claims the row, does one thing, records the outcome and commits;
    while the next step is due at once the same task goes on with it (saving a
    broker round trip), up to ``max_steps``, then hands over to a new task.
    Returns the status it ended in, or None when there was nothing to do.
    """
    status: str | None = None
    for _ in range(max_steps):
        started = time.perf_counter()
        lease = c.clock() + timedelta(seconds=c.settings.pipeline.lease_seconds)
        if not _claim(c, submission_id, lease):
            return status
        try:
            status, due_now = _step(c, submission_id, worker)
        except SoftTimeLimitExceeded:
            _log.warning("pipeline.step.over_budget", extra={"submission": submission_id})
            return over_budget(c, submission_id, worker=worker)
        except Exception as exc:  # a step that crashes must not strand the submission
            _log.exception("pipeline.step.crashed", extra={"submission": submission_id})
            return _step_crashed(c, submission_id, worker, exc)
        finally:
            metrics.TASK_LATENCY.labels(task=ADVANCE_TASK).observe(time.perf_counter() - started)
        if not due_now:
            return status
    with c.db.transaction() as s:
        enqueue(s, ADVANCE_TASK, submission_id)
    return status


def _step_crashed(c: Container, submission_id: str, worker: str, exc: Exception) -> str:
    with c.db.transaction() as s:
        sub = s.get(Submission, submission_id)
        assert sub is not None
        sub.attempts += 1
        reason = f"{sub.status} step failed: {type(exc).__name__}: {exc}"
        _retry_or_die(c, s, sub, f"pipeline:{worker}", reason, sub.attempts)
        return sub.status


def over_budget(c: Container, submission_id: str, *, worker: str = "worker") -> str | None:
    """Fail a submission whose step went over its time budget: running it again would too.

    Called from the task when the soft limit interrupts the step, and from the
    worker's parent process when the hard limit had to end the child.
    """
    budget = c.settings.pipeline.step_budget_seconds
    with c.db.transaction() as s:
        sub = s.get(Submission, submission_id)
        if sub is None or Status(sub.status) not in ACTIVE:
            return sub.status if sub is not None else None
        reason = f"the {sub.status} step went over its time budget of {budget:g} seconds"
        sub.last_error = reason
        target = Status.FAILED if can_move(sub.status, Status.FAILED) else Status.DEAD
        _move(s, sub, target, f"pipeline:{worker}", reason=reason)
        _release(sub, due=None)
        return sub.status


def _release(sub: Submission, *, due: datetime | None) -> None:
    sub.lease_until = None
    sub.next_attempt_at = due


def _step(c: Container, submission_id: str, worker: str) -> tuple[str, bool]:
    """One step; returns the new status and whether the next step is due at once."""
    actor = f"pipeline:{worker}"
    with c.db.transaction() as s:
        sub = s.get(Submission, submission_id)
        if sub is None:
            raise NotFound(f"submission {submission_id} vanished")
        status = Status(sub.status)
        now = c.clock()
        if status is Status.RECEIVED:
            outcome = c.validator(
                c.blobs.get(sub.payload_hash), content_type=sub.content_type, kind=sub.kind
            )
            sub.plan = outcome.plan
            sub.findings = outcome.findings or None
            if outcome.valid:
                _move(s, sub, Status.VALIDATED, actor, plan=outcome.plan)
                _release(sub, due=now)
            else:
                sub.last_error = "validation failed: " + "; ".join(
                    f"{f.get('rule')}: {f.get('message')}" for f in outcome.findings[:5]
                )
                _move(
                    s, sub, Status.INVALID, actor, plan=outcome.plan, findings=len(outcome.findings)
                )
                _release(sub, due=None)
        elif status is Status.VALIDATED:
            artefact = c.signer(
                c.blobs.get(sub.payload_hash), content_type=sub.content_type, channel=sub.channel
            )
            if artefact is not None:
                sub.signature_hash = c.blobs.put(artefact.data)
                sub.signature_mode = artefact.mode
            _move(s, sub, Status.SIGNED, actor, signature=sub.signature_mode)
            _release(sub, due=now)
        elif status is Status.SIGNED:
            _move(s, sub, Status.QUEUED, actor, channel=sub.channel, endpoint=sub.endpoint)
            _release(sub, due=now)
        elif status in (Status.QUEUED, Status.SENDING):
            # Record the attempt before the network call: a crash leaves "sending" behind.
            sub.attempts += 1
            if status is Status.QUEUED:
                _move(s, sub, Status.SENDING, actor, attempt=sub.attempts)
            message = _message(c, sub)
            channel_name = sub.channel or "rest"
        elif status is Status.DELIVERED:
            sub.polls += 1
            message = _message(c, sub)
            channel_name = sub.channel or "rest"
        if status in (Status.RECEIVED, Status.VALIDATED, Status.SIGNED):
            return sub.status, sub.status in ACTIVE
    if status in (Status.QUEUED, Status.SENDING):
        return _send(c, submission_id, message, channel_name, actor)
    return _poll(c, submission_id, message, channel_name, actor)


def _message(c: Container, sub: Submission) -> OutboundMessage:
    payload = c.blobs.get(sub.payload_hash)
    signature = None
    if sub.signature_hash and sub.signature_mode == "enveloped":
        payload = c.blobs.get(sub.signature_hash)
    elif sub.signature_hash:
        signature = c.blobs.get(sub.signature_hash)
    return OutboundMessage(
        message_id=sub.message_id,
        kind=sub.kind,
        sender=sub.sender,
        recipient=sub.recipient,
        endpoint=sub.endpoint or "",
        content_type=sub.content_type,
        payload=payload,
        signature=signature,
    )


def _retry_or_die(
    c: Container, s: Session, sub: Submission, actor: str, reason: str, attempts: int
) -> None:
    p = c.settings.pipeline
    due = next_attempt(
        attempts=attempts,
        now=c.clock(),
        base_seconds=p.backoff_base_seconds,
        cap_seconds=p.backoff_cap_seconds,
        max_attempts=p.max_attempts,
    )
    sub.last_error = reason
    if due is None:
        _move(s, sub, Status.DEAD, actor, reason=reason, attempts=attempts)
        _release(sub, due=None)
    else:
        if sub.status == Status.SENDING:
            _move(s, sub, Status.QUEUED, actor, reason=reason, retry_at=due.isoformat())
        _release(sub, due=due)


def _wait_for_receipt(c: Container, s: Session, sub: Submission, actor: str, reason: str) -> None:
    """Poll again later; a receipt has its own, longer budget than a delivery."""
    p = c.settings.pipeline
    now = c.clock()
    sub.last_error = reason
    started = sub.delivered_at or now
    if now - started > timedelta(hours=p.receipt_poll_hours):
        sub.last_error = f"no receipt after {p.receipt_poll_hours:g} hours: {reason}"
        _move(s, sub, Status.DEAD, actor, reason=sub.last_error)
        _release(sub, due=None)
        return
    due = next_attempt(
        attempts=sub.polls,
        now=now,
        base_seconds=p.backoff_base_seconds,
        cap_seconds=p.receipt_poll_cap_seconds,
        max_attempts=sub.polls + 1,  # never gives up by count: the time budget decides
    )
    _release(sub, due=due)


def _send(
    c: Container, submission_id: str, message: OutboundMessage, channel_name: str, actor: str
) -> tuple[str, bool]:
    try:
        outcome = c.channel(channel_name).send(message)
    except Exception as exc:  # a channel bug must not lose the submission: retry, then dead
        _log.exception("pipeline.send.crashed", extra={"submission": submission_id})
        outcome = SendOutcome(SendResult.RETRY, detail=f"channel error: {exc}")
    with c.db.transaction() as s:
        sub = s.get(Submission, submission_id)
        assert sub is not None
        if outcome.result is SendResult.DELIVERED:
            sub.transmission_id = outcome.transmission_id
            sub.delivered_at = c.clock()
            sub.last_error = None
            if outcome.receipt is not None:
                sub.receipt_hash = c.blobs.put(outcome.receipt)
            _move(
                s,
                sub,
                Status.DELIVERED,
                actor,
                transmission_id=outcome.transmission_id,
                note=outcome.detail,
            )
            if outcome.receipt is not None:
                _move(s, sub, Status.ACKNOWLEDGED, actor, receipt=sub.receipt_hash)
                sub.acknowledged_at = c.clock()
                _release(sub, due=None)
            else:
                _release(sub, due=c.clock())
        elif outcome.result is SendResult.REJECTED:
            sub.last_error = outcome.detail
            sub.findings = outcome.findings or sub.findings
            _move(s, sub, Status.REJECTED, actor, reason=outcome.detail)
            _release(sub, due=None)
        else:
            metrics.CHANNEL_ERRORS.labels(channel=channel_name).inc()
            _retry_or_die(c, s, sub, actor, outcome.detail or "transient failure", sub.attempts)
        return sub.status, sub.status == Status.DELIVERED


def _poll(
    c: Container, submission_id: str, message: OutboundMessage, channel_name: str, actor: str
) -> tuple[str, bool]:
    with c.db.transaction() as s:
        sub = s.get(Submission, submission_id)
        assert sub is not None
        transmission_id = sub.transmission_id or sub.message_id
    try:
        outcome = c.channel(channel_name).poll_receipt(message, transmission_id)
    except Exception as exc:
        _log.exception("pipeline.poll.crashed", extra={"submission": submission_id})
        outcome = ReceiptOutcome(ready=False, detail=f"channel error: {exc}")
    with c.db.transaction() as s:
        sub = s.get(Submission, submission_id)
        assert sub is not None
        if outcome.ready and outcome.receipt is not None:
            sub.receipt_hash = c.blobs.put(outcome.receipt)
            sub.acknowledged_at = c.clock()
            sub.last_error = None
            _move(s, sub, Status.ACKNOWLEDGED, actor, receipt=sub.receipt_hash)
            _release(sub, due=None)
        elif outcome.rejected:
            sub.last_error = outcome.detail
            _move(s, sub, Status.REJECTED, actor, reason=outcome.detail)
            _release(sub, due=None)
        else:
            _wait_for_receipt(c, s, sub, actor, outcome.detail or "no receipt yet")
        return sub.status, False


def sweep(c: Container, *, limit: int = 500) -> int:
    """Re-enqueue every submission that is due and not leased: the broker may have lost it."""
    now = c.clock()
    with c.db.transaction() as s:
        ids = list(
            s.scalars(
                select(Submission.id)
                .where(
                    Submission.direction == "outbound",
                    Submission.status.in_([str(x) for x in ACTIVE]),
                    Submission.next_attempt_at.is_not(None),
                    Submission.next_attempt_at <= now,
                    or_(Submission.lease_until.is_(None), Submission.lease_until < now),
                )
                .order_by(Submission.next_attempt_at)
                .limit(limit)
            )
        )
        for sid in ids:
            enqueue(s, ADVANCE_TASK, sid)
    if ids:
        _log.info("pipeline.sweep.enqueued", extra={"count": len(ids)})
    return len(ids)


def receipt_json(c: Container, sub: Submission) -> dict[str, object]:
    """The stored receipt with what the gateway knows about the delivery."""
    if sub.receipt_hash is None:
        raise NotFound(f"submission {sub.id} has no receipt yet (status {sub.status})")
    raw = c.blobs.get(sub.receipt_hash)
    try:
        body: object = json.loads(raw)
    except ValueError:
        body = raw.decode("utf-8", "replace")
    return {
        "submission_id": sub.id,
        "message_id": sub.message_id,
        "transmission_id": sub.transmission_id,
        "receipt_sha256": sub.receipt_hash,
        "delivered_at": sub.delivered_at.isoformat() if sub.delivered_at else None,
        "acknowledged_at": sub.acknowledged_at.isoformat() if sub.acknowledged_at else None,
        "receipt": body,
    }
