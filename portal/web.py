"""The portal's request plumbing: security headers, the page context, rendering, errors."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session

from gateway.bootstrap import Container
from gateway.errors import Forbidden, GatewayError, Unauthenticated
from gateway.settings import Settings
from gateway.tenancy.models import Role
from gateway.tenancy.people import person_principal
from gateway.tenancy.service import Actor, resolve_actor
from gateway.web import SessionDep, container_of
from portal import i18n, sessions
from portal.models import PortalSession

__all__ = ["CSP", "Page", "PageDep", "PortalRoute", "cookie_name", "policy", "redirect"]

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
LANG_COOKIE = "gw_lang"


class CsrfRefused(Forbidden):
    title = "Form expired"


def _is_loopback_http(settings: Settings) -> bool:
    parts = urlsplit(settings.effective_public_url)
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


def cookie_name(settings: Settings) -> str:
    # The __Host- prefix makes the browser refuse the cookie unless Secure, path=/, no domain.
    return "gw_session" if _is_loopback_http(settings) else "__Host-gw_session"


def policy(settings: Settings) -> sessions.SessionPolicy:
    return sessions.SessionPolicy(
        idle=timedelta(minutes=settings.portal.session_idle_minutes),
        maximum=timedelta(minutes=settings.portal.session_max_minutes),
    )


@cache
def _environment(locale: str) -> Environment:
    env = Environment(
        loader=PackageLoader("portal", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.catalogue(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters["datetime"] = lambda v: i18n.local_datetime(v, locale)
    env.filters["date"] = lambda v: i18n.local_date(v, locale)
    env.filters["amount"] = lambda v: i18n.amount(v, locale)
    return env


@dataclass
class Page:
    """What a page handler needs: the request, the database session, who is logged in."""

    request: Request
    db: Session
    container: Container
    locale: str
    now: datetime
    portal_session: PortalSession | None = None
    actor: Actor | None = None
    new_cookie: str | None = field(default=None, repr=False)
    clear_cookie: bool = False
    _csrf: str | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        return self.container.settings

    @property
    def csrf(self) -> str:
        """The session's CSRF token; an anonymous visitor gets a session for the form."""
        if self._csrf is None:
            token, ps = sessions.start(self.db, now=self.now, policy=policy(self.settings))
            self.portal_session, self.new_cookie, self._csrf = ps, token, ps.csrf
        return self._csrf

    def signed_in(self, token: str, ps: PortalSession) -> None:
        """The session was rotated at login: send the new cookie, use the new CSRF token."""
        self.portal_session, self.new_cookie, self._csrf = ps, token, ps.csrf

    def require_login(self) -> Actor:
        if self.actor is None:
            raise Unauthenticated("log in to see this page")
        return self.actor

    def require(self, *roles: Role) -> Actor:
        actor = self.require_login()
        actor.require(*roles)
        return actor

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        env = _environment(self.locale)
        html = env.get_template(template).render(
            page=self, actor=self.actor, locale=self.locale, path=self.request.url.path, **context
        )
        return self.finish(HTMLResponse(html, status_code=status))

    def finish(self, response: Response) -> Response:
        name = cookie_name(self.settings)
        if self.new_cookie:
            response.set_cookie(
                name,
                self.new_cookie,
                httponly=True,
                secure=not _is_loopback_http(self.settings),
                samesite="lax",
                path="/",
                max_age=self.settings.portal.session_max_minutes * 60,
            )
        elif self.clear_cookie:
            response.delete_cookie(name, path="/")
        if self._csrf is not None or self.clear_cookie:
            response.headers["Cache-Control"] = "no-store"
        return response


def redirect(page: Page, to: str) -> Response:
    return page.finish(RedirectResponse(to, status_code=303))


def _page(
    request: Request, db: SessionDep, csrf_token: Annotated[str | None, Form()] = None
) -> Page:
    c = container_of(request)
    locale = i18n.pick_locale(
        request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")
    )
    page = Page(request=request, db=db, container=c, locale=locale, now=c.clock())
    ps = sessions.load(
        db, request.cookies.get(cookie_name(c.settings)), now=page.now, policy=policy(c.settings)
    )
    page.portal_session = ps
    page._csrf = ps.csrf if ps is not None else None
    if request.method == "POST" and not sessions.csrf_matches(ps, csrf_token):
        raise CsrfRefused("the form has expired or did not come from this site; please try again")
    if ps is not None and ps.principal_id is not None:
        principal = person_principal(db, ps.principal_id)
        if principal is not None:
            try:
                page.actor = resolve_actor(db, principal, on_behalf_of=ps.acting_cvr)
            except GatewayError:
                # A delegation ended while the session lived: back to the home organisation.
                ps.acting_cvr = None
                page.actor = resolve_actor(db, principal, on_behalf_of=None)
    request.state.portal_page = page
    return page


PageDep = Annotated[Page, Depends(_page)]


class PortalRoute(APIRoute):
    """Adds the security headers to every page and renders errors as pages, not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except GatewayError as exc:
                response = _error_page(request, exc)
            response.headers.update(_HEADERS)
            return response

        return route


def _error_page(request: Request, exc: GatewayError) -> Response:
    page: Page | None = getattr(request.state, "portal_page", None)
    # Only "log in to see this" sends to the login; a refused login shows why instead.
    if type(exc) is Unauthenticated and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response: Response = RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        return page.finish(response) if page else response
    log.info("portal.page.refused", extra={"status": exc.status, "path": request.url.path})
    if page is None:
        c = container_of(request)
        locale = i18n.pick_locale(
            request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")
        )
        env = _environment(locale)
        html = env.get_template("error.html").render(
            page=None,
            actor=None,
            locale=locale,
            path=request.url.path,
            error=exc,
            status=exc.status,
            settings=c.settings,
        )
        return HTMLResponse(html, status_code=exc.status)
    page.new_cookie = None  # the transaction that made it was rolled back
    return page.render("error.html", status=exc.status, error=exc)
