"""FastAPI dependencies: the request's transaction and the authenticated actor."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from gateway.errors import Unauthenticated
from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor, authenticate, resolve_actor

if TYPE_CHECKING:
    from gateway.bootstrap import Container

__all__ = ["ActorDep", "SessionDep", "container_of", "require"]


def container_of(request: Request) -> Container:
    return request.app.state.container  # type: ignore[no-any-return]


def _session(request: Request) -> Iterator[Session]:
    # The request owns the transaction: commit when the handler returned, else roll back.
    with container_of(request).db.transaction() as session:
        yield session


SessionDep = Annotated[Session, Depends(_session, scope="function")]


def _actor(
    request: Request,
    session: SessionDep,
    authorization: Annotated[str | None, Header()] = None,
    x_on_behalf_of: Annotated[str | None, Header()] = None,
) -> Actor:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthenticated("send an API key as 'Authorization: Bearer <key>'")
    # Authentication reads in its own short transaction so a refused request stores nothing.
    with container_of(request).db.transaction() as auth_session:
        principal = authenticate(auth_session, authorization[7:].strip())
        actor = resolve_actor(auth_session, principal, on_behalf_of=x_on_behalf_of)
    request.state.actor = actor
    return actor


ActorDep = Annotated[Actor, Depends(_actor)]


def require(*roles: Role) -> Callable[[Actor], Actor]:
    """A dependency that lets the request through only for one of ``roles``."""

    def check(actor: ActorDep) -> Actor:
        actor.require(*roles)
        return actor

    return check
