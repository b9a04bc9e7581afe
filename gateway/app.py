"""The composition root of the HTTP API: the kernel's routers, the domains', the sandbox."""

from __future__ import annotations

import importlib

from fastapi import APIRouter, FastAPI

from gateway.audit.api import router as audit_router
from gateway.bootstrap import Container, get_container
from gateway.celery_app import configure as configure_celery
from gateway.celery_app import dispatch
from gateway.jobs import install_dispatcher
from gateway.pipeline.api import router as submissions_router
from gateway.tenancy.api import router as tenancy_router
from gateway.web import install_problem_handlers
from gateway.web.health import router as health_router

__all__ = ["DOMAIN_ROUTERS", "create_app"]

# Each domain's router, mounted when the domain provides it ("module:attribute").
DOMAIN_ROUTERS = [
    "adapters.api:router",
    "reporting.api:router",
    "tendering.api:router",
    "tendering.public_api:router",
    "invoicing.api:router",
    "schemas_api:router",
]

DESCRIPTION = """
Automatic business reporting and e-procurement: documents in, validated, signed,
delivered to the authorities or trading partners, and receipted. Errors are
RFC 9457 problem details. Authenticate with `Authorization: Bearer <API key>`.
"""


def create_app(container: Container | None = None, *, mount_sandbox: bool | None = None) -> FastAPI:
    """Build the API; the embedded setup mounts the sandbox authorities at ``/sandbox``."""
    c = container or get_container()
    configure_celery(c.settings)
    install_dispatcher(dispatch)
    app = FastAPI(title="Gateway", version="0.1.0", description=DESCRIPTION)
    app.state.container = c
    install_problem_handlers(app)
    app.include_router(health_router)
    app.include_router(tenancy_router)
    app.include_router(submissions_router)
    app.include_router(audit_router)
    for router in _domain_routers():
        app.include_router(router)
    if mount_sandbox if mount_sandbox is not None else c.settings.sandbox_url is None:
        from gateway.sandbox.app import create_sandbox_app

        app.mount("/sandbox", create_sandbox_app(c.settings))
    return app


def _domain_routers() -> list[APIRouter]:
    routers = []
    for spec in DOMAIN_ROUTERS:
        module_name, attr = spec.split(":")
        if module_name == "schemas_api":
            module_name = "gateway.validation_api"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # that domain has no API yet
            raise
        routers.append(getattr(module, attr))
    return routers
