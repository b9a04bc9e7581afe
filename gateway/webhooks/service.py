"""Subscriptions, the one ``emit`` the domains call, and delivery with back-off.

Delivery is at least once: a delivery row is written in the transaction of
the event, the send is enqueued after commit, and the sweeper resends what is
due and was lost. The HTTP call runs outside any transaction so a slow
receiver never holds the database.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gateway import metrics
from gateway.audit.service import record
from gateway.clock import now as business_now
from gateway.clock import wall
from gateway.errors import BadRequest, NotFound
from gateway.jobs import enqueue
from gateway.repository import Page, Repository
from gateway.webhooks.events import EVENTS, PING
from gateway.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from gateway.webhooks.signing import new_secret, signed_headers

__all__ = [
    "DeliveryRepository",
    "SubscriptionRepository",
    "create_subscription",
    "deliver",
    "emit",
    "ping",
    "sweep",
    "update_subscription",
]

_log = logging.getLogger("gateway.webhooks")
DELIVER_TASK = "webhooks.deliver"


class SubscriptionRepository(Repository[WebhookSubscription]):
    model = WebhookSubscription
    noun = "webhook subscription"

    def listing(self, *, limit: int, offset: int) -> Page[WebhookSubscription]:
        stmt = self.scoped().order_by(WebhookSubscription.created_at, WebhookSubscription.id)
        return self.page(stmt, limit=limit, offset=offset)


class DeliveryRepository(Repository[WebhookDelivery]):
    model = WebhookDelivery
    noun = "webhook delivery"

    def listing(self, subscription_id: str, *, limit: int, offset: int) -> Page[WebhookDelivery]:
        stmt = (
            self.scoped()
            .where(WebhookDelivery.subscription_id == subscription_id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
        )
        return self.page(stmt, limit=limit, offset=offset)


def _check_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise BadRequest(
            f"unknown event(s) {', '.join(unknown)}; known: {', '.join(EVENTS)}", field="events"
        )
    if not events:
        raise BadRequest("name at least one event", field="events")
    return sorted(set(events))


def create_subscription(
    session: Session,
    *,
    organisation_id: str,
    actor: str,
    url: str,
    events: list[str],
    description: str = "",
) -> WebhookSubscription:
    """A new subscription with a fresh secret (returned once, by the caller)."""
    sub = SubscriptionRepository(session, organisation_id).add(
        WebhookSubscription(
            url=url,
            events=_check_events(events),
            description=description,
            secret=new_secret(),
            active=True,
            version=1,
        )
    )
    record(
        session,
        organisation_id=organisation_id,
        actor=actor,
        action="webhook.subscribed",
        subject_type="webhook_subscription",
        subject_id=sub.id,
        data={"url": url, "events": sub.events},
    )
    return sub


def update_subscription(
    session: Session, *, organisation_id: str, actor: str, sub: WebhookSubscription, **changes: Any
) -> WebhookSubscription:
    """Apply the given changes (url, events, description, active) and bump the version."""
    if changes.get("events") is not None:
        changes["events"] = _check_events(changes["events"])
    for name, value in changes.items():
        if value is not None:
            setattr(sub, name, value)
    sub.version += 1
    session.flush()
    record(
        session,
        organisation_id=organisation_id,
        actor=actor,
        action="webhook.updated",
        subject_type="webhook_subscription",
        subject_id=sub.id,
        data={k: v for k, v in changes.items() if v is not None},
    )
    return sub


def emit(
    session: Session,
    event: str,
    *,
    organisation_id: str | None,
    data: dict[str, Any],
    now: datetime | None = None,
    only: WebhookSubscription | None = None,
) -> list[WebhookDelivery]:
    """Record ``event`` for every active subscription of the organisation that asked for it.

    ``organisation_id=None`` is for public events (a tender published): every
    organisation subscribed to the event hears of it. Call it inside the
    transaction that made the event happen: nothing is sent unless that
    transaction commits.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    now = now or business_now()
    subs = (
        [only]
        if only is not None
        else session.scalars(
            select(WebhookSubscription).where(
                WebhookSubscription.active.is_(True),
                *(
                    [WebhookSubscription.organisation_id == organisation_id]
                    if organisation_id is not None
                    else []
                ),
            )
        ).all()
    )
    made = []
    for sub in subs:
        if event not in sub.events and event != PING:
            continue
        message_id = f"msg_{uuid.uuid4().hex}"
        body = {"type": event, "timestamp": now.isoformat(), "data": data}
        delivery = WebhookDelivery(
            organisation_id=sub.organisation_id,
            subscription_id=sub.id,
            event=event,
            message_id=message_id,
            body=json.dumps(body, separators=(",", ":"), default=str),
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
        )
        session.add(delivery)
        session.flush()
        enqueue(session, DELIVER_TASK, delivery.id)
        made.append(delivery)
    if made:
        _log.info("webhooks.emitted", extra={"webhook_event": event, "deliveries": len(made)})
    return made


def ping(session: Session, *, sub: WebhookSubscription, now: datetime) -> WebhookDelivery:
    return emit(
        session,
        PING,
        organisation_id=sub.organisation_id,
        data={"subscription_id": sub.id},
        now=now,
        only=sub,
    )[0]


def next_attempt(
    *, attempts: int, now: datetime, base_seconds: float, cap_seconds: float, max_attempts: int
) -> datetime | None:
    """When to try again after ``attempts`` failures, or None when it is time to give up.

    The pipeline's schedule (exponential, capped, "full jitter" between half and
    the whole step), kept here because the pipeline itself emits webhooks.
    """
    if attempts >= max_attempts:
        return None
    ceiling = min(cap_seconds, base_seconds * (2 ** max(attempts - 1, 0)))
    return now + timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def deliver(c: Any, delivery_id: str) -> str | None:
    """Send one delivery if it is due; record the outcome and when to try again."""
    now = c.clock()
    with c.db.transaction() as s:
        d = s.get(WebhookDelivery, delivery_id)
        if d is None or d.status in (DeliveryStatus.DELIVERED, DeliveryStatus.DEAD):
            return None
        if d.next_attempt_at is not None and d.next_attempt_at > now:
            return d.status  # a retry that came early (a duplicate hint): not yet
        sub = s.get(WebhookSubscription, d.subscription_id)
        url, secret, body, message_id = (
            sub.url if sub else "",
            sub.secret if sub else "",
            d.body,
            d.message_id,
        )
        active = bool(sub and sub.active)
    code, error = _post(c, url, secret, message_id, body) if active else (None, "inactive")
    ok = code is not None and 200 <= code < 300
    with c.db.transaction() as s:
        d = s.get(WebhookDelivery, delivery_id, with_for_update=True)
        if d is None or d.status == DeliveryStatus.DELIVERED:
            return None
        d.attempts += 1
        d.last_attempt_at = now
        d.last_status_code = code
        d.last_error = None if ok else (error or f"HTTP {code}")[:1000]
        if ok:
            d.status, d.delivered_at, d.next_attempt_at = DeliveryStatus.DELIVERED, now, None
        else:
            w = c.settings.webhooks
            later = (
                None
                if not active
                else next_attempt(
                    attempts=d.attempts,
                    now=now,
                    base_seconds=w.backoff_base_seconds,
                    cap_seconds=w.backoff_cap_seconds,
                    max_attempts=w.max_attempts,
                )
            )
            d.next_attempt_at = later
            d.status = DeliveryStatus.RETRYING if later else DeliveryStatus.DEAD
            if later is not None:
                delay = max((later - now).total_seconds(), 0.0)
                enqueue(s, DELIVER_TASK, d.id, countdown=delay)
        status = d.status
    metrics.WEBHOOK_DELIVERIES.labels(outcome=status).inc()
    _log.info(
        "webhooks.delivery." + status,
        extra={"delivery_id": delivery_id, "http_status": code, "attempt_error": error},
    )
    return status


def _post(
    c: Any, url: str, secret: str, message_id: str, body: str
) -> tuple[int | None, str | None]:
    raw = body.encode()
    # Receivers check the timestamp against their own clock: sign with the wall clock.
    headers = signed_headers(secret, message_id, wall(), raw)
    headers["user-agent"] = "gateway-webhooks/1"
    try:
        with httpx.Client(timeout=c.settings.webhooks.timeout_seconds) as client:
            r = client.post(url, content=raw, headers=headers, follow_redirects=False)
        return r.status_code, None if r.is_success else f"HTTP {r.status_code}"
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"


def sweep(c: Any) -> int:
    """Enqueue every delivery that is due (pending or retrying) and was not sent."""
    now = c.clock()
    with c.db.transaction() as s:
        due = s.scalars(
            select(WebhookDelivery.id).where(
                WebhookDelivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.RETRYING]),
                or_(
                    WebhookDelivery.next_attempt_at.is_(None),
                    WebhookDelivery.next_attempt_at <= now,
                ),
            )
        ).all()
        for delivery_id in due:
            enqueue(s, DELIVER_TASK, delivery_id)
    return len(due)


def get_subscription(session: Session, organisation_id: str, sub_id: str) -> WebhookSubscription:
    sub = SubscriptionRepository(session, organisation_id).find(sub_id)
    if sub is None:
        raise NotFound(f"webhook subscription {sub_id} not found")
    return sub
