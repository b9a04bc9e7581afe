"""The composition root of the HTTP API: the kernel's routers, the domains', the sandbox."""

from __future__ import annotations

from fastapi import FastAPI

from gateway.audit.api import router as audit_router
from gateway.bodylimit import BodyLimit, body_cap
from gateway.bootstrap import Container, get_container
from gateway.celery_app import configure as configure_celery
from gateway.celery_app import dispatch
from gateway.composition import DOMAIN_PAGES, DOMAIN_ROUTERS, load_all
from gateway.jobs import install_dispatcher
from gateway.operations.api import router as operations_router
from gateway.pipeline.api import router as submissions_router
from gateway.tenancy.api import router as tenancy_router
from gateway.web import install_problem_handlers
from gateway.web.access import AccessLogMiddleware
from gateway.web.health import router as health_router
from gateway.web.openapi import install_openapi
from gateway.web.problem_pages import router as problem_pages_router
from gateway.webhooks.api import router as webhooks_router

__all__ = ["create_app"]

DESCRIPTION = """
Automatic business reporting and e-procurement: documents in, validated, signed,
delivered to the authorities or trading partners, and receipted. Errors are
RFC 9457 problem details whose `type` links to a page explaining the problem
(all of them at `/problems`). Authenticate with `Authorization: Bearer <API key>`
(Swagger's *Authorize* button).
"""

# Routes that stream big uploads to disk under their own, larger cap (ledger exports).
LARGE_BODIES = {"/v1/ledgers": 2 * 1024 * 1024 * 1024}


def create_app(container: Container | None = None, *, mount_sandbox: bool = False) -> FastAPI:
    """Build the API; the sandbox authorities run in their own process (``gateway sandbox``).

    ``mount_sandbox`` serves them at ``/sandbox`` in this app instead (tests only): a slow
    counterparty then shares the API's event loop and threads.
    """
    c = container or get_container()
    configure_celery(c.settings)
    install_dispatcher(dispatch)
    app = FastAPI(title="Gateway", version="0.1.0", description=DESCRIPTION)
    app.state.container = c
    install_problem_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=body_cap(c.settings), overrides=LARGE_BODIES)
    app.add_middleware(AccessLogMiddleware)  # outermost: it logs the body cap's refusals too
    app.include_router(health_router)
    app.include_router(problem_pages_router)
    app.include_router(tenancy_router)
    app.include_router(submissions_router)
    app.include_router(audit_router)
    app.include_router(webhooks_router)
    app.include_router(operations_router)
    for router in load_all(DOMAIN_ROUTERS):
        app.include_router(router)
    for install_pages in load_all(DOMAIN_PAGES):
        install_pages(app)
    if mount_sandbox:
        from gateway.composition import create_sandbox_app

        sandbox = create_sandbox_app(c.settings)
        if sandbox is not None:
            app.mount("/sandbox", sandbox)
    install_openapi(app)
    return app
