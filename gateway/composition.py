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
    "DOMAIN_ROUTERS",
    "DOMAIN_SANDBOXES",
    "DOMAIN_TASKS",
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

# Sandbox authorities a domain simulates: ``mount(app: FastAPI, settings) -> None``.
DOMAIN_SANDBOXES = [
    "reporting.sandbox_erst:mount",
    "invoicing.sandbox:mount",
    "sandbox.tsa:mount",
]


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
