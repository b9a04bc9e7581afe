"""Webhook subscriptions by API: subscribe, change, test, see the deliveries."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from gateway.web import SessionDep, container_of, require
from gateway.web.etag import IfMatch, check_if_match, with_etag
from gateway.web.paging import Offset, page_headers
from gateway.webhooks import service
from gateway.webhooks.events import EVENTS
from gateway.webhooks.payloads import (
    Delivery,
    DeliveryPage,
    Subscription,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPage,
    SubscriptionUpdate,
)

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["webhooks"])

Admin = Annotated[Actor, Depends(require(Role.ADMIN))]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/webhook-events")
def list_events() -> dict[str, Any]:
    """The events a subscription can ask for, with what each means."""
    items = [{"event": name, "description": text} for name, text in EVENTS.items()]
    return {"items": items, "total": len(items), "limit": len(items), "offset": 0}


@router.post("/webhooks", status_code=201, response_model=SubscriptionCreated)
def create_webhook(
    body: SubscriptionCreate, response: Response, session: SessionDep, actor: Admin
) -> Any:
    """Subscribe an endpoint to events; the answer holds its signing secret, shown once."""
    sub = service.create_subscription(
        session,
        organisation_id=actor.organisation_id,
        actor=actor.label,
        url=str(body.url),
        events=body.events,
        description=body.description,
    )
    with_etag(response, Subscription.model_validate(sub))
    return SubscriptionCreated.model_validate(sub)


@router.get("/webhooks", response_model=SubscriptionPage)
def list_webhooks(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Admin,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """The organisation's webhook subscriptions, oldest first."""
    page = service.SubscriptionRepository(session, actor.organisation_id).listing(
        limit=limit, offset=offset
    )
    page_headers(request, response, total=page.total, limit=limit, offset=offset)
    return SubscriptionPage(
        items=[Subscription.model_validate(s) for s in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
    )


@router.get("/webhooks/{subscription_id}", response_model=Subscription)
def get_webhook(subscription_id: str, response: Response, session: SessionDep, actor: Admin) -> Any:
    """One subscription (without its secret), with its ETag."""
    sub = service.get_subscription(session, actor.organisation_id, subscription_id)
    return with_etag(response, Subscription.model_validate(sub))


@router.patch("/webhooks/{subscription_id}", response_model=Subscription)
def update_webhook(
    subscription_id: str,
    body: SubscriptionUpdate,
    response: Response,
    session: SessionDep,
    actor: Admin,
    if_match: IfMatch = None,
) -> Any:
    """Change the URL, the events or pause the subscription (``active: false``)."""
    sub = service.get_subscription(session, actor.organisation_id, subscription_id)
    check_if_match(if_match, Subscription.model_validate(sub))
    changes = body.model_dump(exclude_unset=True)
    if "url" in changes and changes["url"] is not None:
        changes["url"] = str(changes["url"])
    sub = service.update_subscription(
        session, organisation_id=actor.organisation_id, actor=actor.label, sub=sub, **changes
    )
    return with_etag(response, Subscription.model_validate(sub))


@router.delete("/webhooks/{subscription_id}", status_code=204)
def delete_webhook(
    subscription_id: str, session: SessionDep, actor: Admin, if_match: IfMatch = None
) -> Response:
    """Remove a subscription and its delivery history."""
    sub = service.get_subscription(session, actor.organisation_id, subscription_id)
    check_if_match(if_match, Subscription.model_validate(sub))
    session.delete(sub)
    return Response(status_code=204)


@router.post("/webhooks/{subscription_id}/ping", status_code=202, response_model=Delivery)
def ping_webhook(subscription_id: str, request: Request, session: SessionDep, actor: Admin) -> Any:
    """Send a signed ``webhook.ping`` delivery now, to try the endpoint and the secret."""
    sub = service.get_subscription(session, actor.organisation_id, subscription_id)
    now = container_of(request).clock()
    return Delivery.model_validate(service.ping(session, sub=sub, now=now))


@router.get("/webhooks/{subscription_id}/deliveries", response_model=DeliveryPage)
def list_deliveries(
    subscription_id: str,
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Admin,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """Deliveries made to a subscription, newest first: status, attempts, last answer."""
    service.get_subscription(session, actor.organisation_id, subscription_id)
    page = service.DeliveryRepository(session, actor.organisation_id).listing(
        subscription_id, limit=limit, offset=offset
    )
    page_headers(request, response, total=page.total, limit=limit, offset=offset)
    return DeliveryPage(
        items=[Delivery.model_validate(d) for d in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
    )


@router.get("/webhook-deliveries/{delivery_id}", response_model=Delivery)
def get_delivery(delivery_id: str, session: SessionDep, actor: Admin) -> Any:
    """One delivery with its attempts and the receiver's last answer."""
    return Delivery.model_validate(
        service.DeliveryRepository(session, actor.organisation_id).get(delivery_id)
    )
