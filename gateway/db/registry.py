"""Imports every model module so the metadata is complete (migrations, tests)."""

from __future__ import annotations

import importlib

__all__ = ["MODEL_MODULES", "import_all_models"]

MODEL_MODULES = [
    "gateway.tenancy.models",
    "gateway.pipeline.models",
    "gateway.audit.models",
    "gateway.webhooks.models",
    "gateway.operations.models",
    "adapters.models",
    "reporting.models",
    "tendering.models",
    "invoicing.models",
    "portal.models",
]


def import_all_models() -> None:
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
