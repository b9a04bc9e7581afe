"""Refused attempts go into the audit log, in a transaction of their own.

The request's own transaction is rolled back when it fails, and its audit
entries with it; a refusal (a late bid, a share before the deadline, a
supplier probing another's bid, a role it lacks) must survive that, so it is
written after the rollback. It is entered in the caller's chain and, when
the target tender is known, in the tender's buyer's chain too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from gateway.audit.service import record
from gateway.errors import GatewayError
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor
from gateway.web import ActorDep, container_of
from tendering.models import Bid, Tender

__all__ = ["guard", "record_refusal", "role"]


def record_refusal(
    request: Request,
    actor: Actor,
    exc: GatewayError,
    *,
    tender_id: str | None = None,
    bid_id: str | None = None,
) -> None:
    """Write ``tendering.refused`` entries for a refused request."""
    with container_of(request).db.transaction() as s:
        chains = {actor.organisation_id}
        if bid_id and tender_id is None:
            bid = s.get(Bid, bid_id)
            tender_id = bid.tender_id if bid is not None else None
        if tender_id:
            tender = s.get(Tender, tender_id)
            if tender is not None:
                chains.add(tender.organisation_id)
        for chain in sorted(chains):
            record(
                s,
                organisation_id=chain,
                actor=actor.label,
                action="tendering.refused",
                subject_type="tender" if tender_id else "request",
                subject_id=tender_id or bid_id or request.url.path[:100],
                data={
                    "method": request.method,
                    "path": request.url.path,
                    "status": exc.status,
                    "problem": type(exc).__name__,
                    "reason": exc.detail,
                    "organisation": actor.organisation_id,
                    "bid": bid_id,
                },
            )


@contextmanager
def guard(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    tender_id: str | None = None,
    bid_id: str | None = None,
) -> Iterator[None]:
    """Run a use case; if it is refused, roll back and record the refusal, then re-raise."""
    try:
        yield
    except GatewayError as exc:
        if exc.status >= 500:
            raise
        session.rollback()  # release the request's locks before the refusal is written
        record_refusal(request, actor, exc, tender_id=tender_id, bid_id=bid_id)
        raise


def role(*roles: Role) -> Callable[..., Actor]:
    """Like ``gateway.web.require``, but a refusal is audited."""

    def check(request: Request, actor: ActorDep) -> Actor:
        try:
            actor.require(*roles)
        except GatewayError as exc:
            params = request.path_params
            record_refusal(
                request, actor, exc, tender_id=params.get("tender_id"), bid_id=params.get("bid_id")
            )
            raise
        return actor

    return check


BuyerDep = Annotated[Actor, Depends(role(Role.BUYER))]
__all__ += ["BuyerDep"]
