"""Where the kernel meets the domains: every plug point, named once.

The kernel never imports a domain; this module names the domains' parts as
``"module:attribute"`` strings and loads whichever exist. A domain that has not
built a part yet simply has nothing mounted.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

__all__ = [
    "DOMAIN_CHANNELS",
    "DOMAIN_PAGES",
    "DOMAIN_ROUTERS",
    "DOMAIN_SANDBOXES",
    "DOMAIN_TASKS",
    "SANDBOX_BACKENDS",
    "create_sandbox_app",
    "existing_modules",
    "load",
    "load_all",
]

# FastAPI routers mounted on the API.
DOMAIN_ROUTERS = [
    "gateway.validation_api:router",
    "gateway.signing_api:router",
    "adapters.api:router",
    "reporting.api:router",
    "tendering.api:router",
    "tendering.public_api:router",
    "invoicing.api:router",
]

# Channel factories ``make_channel(settings) -> Channel`` by channel name (routing.toml).
DOMAIN_CHANNELS = {
    "skat": "reporting.skat_channel:make_channel",
    "peppol": "invoicing.channel:make_channel",
}

# Simulated authorities in the top-level ``sandbox`` package, served by the sandbox
# server (its own process): ``mount(app: FastAPI, settings) -> None`` each.
DOMAIN_SANDBOXES = [
    "sandbox.erst:mount",
    "sandbox.peppol:mount",
    "sandbox.oidc:mount",
    "sandbox.tsa:mount",
]

# Server-rendered pages for people: ``install(app: FastAPI) -> None``.
DOMAIN_PAGES = [
    "portal:install",
]

# What a simulator borrows from the gateway's side of a contract, by backend name;
# the sandbox reads them from ``app.state.backends`` and never imports a domain.
SANDBOX_BACKENDS = {
    "erst.validate_xbrl": "reporting.xbrl:validate_annual_report",
    "peppol.network": "invoicing.peppol_network:backends",
}


# Celery task modules; each may define ``BEAT_SCHEDULE`` (Celery beat entries) too.
DOMAIN_TASKS = [
    "adapters.tasks",
    "reporting.tasks",
    "tendering.tasks",
    "invoicing.tasks",
    "gateway.audit.tasks",
]


def existing_modules(names: list[str]) -> list[str]:
    """The names among ``names`` whose module can be found (without importing it)."""
    found = []
    for name in names:
        try:
            if importlib.util.find_spec(name) is not None:
                found.append(name)
        except ModuleNotFoundError:
            continue
    return found


def load(spec: str) -> Any | None:
    """The attribute named by ``module:attribute``, or None when the module does not exist."""
    module_name, attr = spec.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    return getattr(module, attr)


def load_all(specs: list[str]) -> list[Any]:
    return [obj for obj in (load(s) for s in specs) if obj is not None]


def create_sandbox_app(settings: Any, *, backends: dict[str, Any] | None = None) -> Any:
    """The sandbox server with every mount and backend found; ``backends`` override by name.

    None when the ``sandbox`` package is left out of the deployment.
    """
    factory = load("sandbox.app:create_sandbox_app")
    if factory is None:
        return None
    found = {name: load(spec) for name, spec in SANDBOX_BACKENDS.items()}
    found.update(backends or {})
    app = factory(
        settings,
        mounts=load_all(DOMAIN_SANDBOXES),
        backends={name: obj for name, obj in found.items() if obj is not None},
    )
    # A counterparty reads no body whole past this cap, and no compressed body at all.
    from gateway.bodylimit import BodyLimit, body_cap

    app.add_middleware(BodyLimit, max_bytes=body_cap(settings))
    return app
