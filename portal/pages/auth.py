"""Login by OpenID Connect, logout, the language switch and acting for another organisation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from gateway.errors import BadRequest
from gateway.tenancy.models import Principal
from gateway.tenancy.people import organisation_names, person_principal, sign_in_person
from gateway.tenancy.service import list_delegations, resolve_actor
from portal import oidc, sessions
from portal.i18n import LOCALES
from portal.web import LANG_COOKIE, PageDep, PortalRoute, policy, redirect

__all__ = ["router"]

router = APIRouter(route_class=PortalRoute, include_in_schema=False)


def _local(path: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


@router.get("/login")
async def login(page: PageDep, next: str = "/") -> Response:
    start = await run_in_threadpool(oidc.begin, page.settings, next_path=_local(next))
    # A new pre-login session each time: whatever id the browser brought is not reused.
    token, ps = sessions.start(
        page.db, now=page.now, policy=policy(page.settings), login=start.state
    )
    page.new_cookie = token
    if page.portal_session is not None and page.portal_session.principal_id is None:
        sessions.end(page.db, page.portal_session)
    page.portal_session = ps
    return redirect(page, start.url)


@router.get("/login/callback")
async def callback(
    page: PageDep, code: str | None = None, state: str | None = None, error: str | None = None
) -> Response:
    ps = page.portal_session
    kept = ps.login if ps is not None else None
    if error or not code or kept is None or state != kept.get("state"):
        raise oidc.LoginRefused("the login did not complete; please log in again")
    claims = await run_in_threadpool(oidc.finish, page.settings, kept=kept, code=code)
    principal = sign_in_person(
        page.db,
        issuer=claims.issuer,
        subject=claims.subject,
        name=claims.name,
        cvr=claims.cvr,
        roles=claims.roles,
        now=page.now,
    )
    token, fresh = sessions.rotate(
        page.db, ps, principal_id=principal.id, now=page.now, policy=policy(page.settings)
    )
    page.signed_in(token, fresh)
    return redirect(page, _local(kept.get("next")))


@router.post("/logout")
def logout(page: PageDep) -> Response:
    if page.portal_session is not None:
        sessions.end(page.db, page.portal_session)
    page.portal_session, page.clear_cookie = None, True
    return redirect(page, "/")


@router.get("/language/{locale}")
def language(page: PageDep, locale: str, next: str = "/") -> Response:
    if locale not in LOCALES:
        raise BadRequest(f"language {locale!r} is not offered; choose one of {', '.join(LOCALES)}")
    response = redirect(page, _local(next))
    response.set_cookie(LANG_COOKIE, locale, samesite="lax", path="/", max_age=365 * 86400)
    return response


@router.get("/acting")
def acting_form(page: PageDep) -> Response:
    page.require_login()
    home = resolve_actor(page.db, _principal(page), on_behalf_of=None)
    offered = [
        d for d in list_delegations(page.db, actor=home) if d.grantee_id == home.organisation_id
    ]
    grantors = organisation_names(page.db, [d.grantor_id for d in offered])
    return page.render("acting.html", home=home, delegations=offered, grantors=grantors)


@router.post("/acting")
def acting(page: PageDep, cvr: Annotated[str, Form()] = "") -> Response:
    page.require_login()
    principal = _principal(page)
    target = cvr.strip() or None
    resolve_actor(page.db, principal, on_behalf_of=target)  # refuses without a live delegation
    assert page.portal_session is not None
    page.portal_session.acting_cvr = target
    return redirect(page, "/")


def _principal(page: PageDep) -> Principal:
    assert page.portal_session is not None and page.portal_session.principal_id is not None
    principal = person_principal(page.db, page.portal_session.principal_id)
    assert principal is not None
    return principal
