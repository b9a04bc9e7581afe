"""The sandbox server: every simulated authority under one ASGI app."""

from __future__ import annotations

from fastapi import FastAPI

from gateway.composition import DOMAIN_SANDBOXES, load_all
from gateway.sandbox.authority import authority_router
from gateway.sandbox.store import SandboxStore
from gateway.settings import Settings, get_settings
from gateway.signing import load_trust_store

__all__ = ["create_sandbox_app"]


def create_sandbox_app(settings: Settings | None = None) -> FastAPI:
    s = settings or get_settings()
    store = SandboxStore(s.data_path / "sandbox.sqlite")
    app = FastAPI(
        title="Gateway sandbox authorities",
        description="Simulators of the authorities, built from their published contracts.",
    )
    app.state.store = store
    trust = load_trust_store(s.trust_file) if s.trust_file.is_file() else None
    app.include_router(
        authority_router(store, trust), prefix="/authority", tags=["sandbox authority"]
    )

    for mount in load_all(DOMAIN_SANDBOXES):
        mount(app, s)

    @app.get("/", tags=["sandbox"])
    def index() -> dict[str, object]:
        return {"authorities": {"authority": "generic REST intake (accepts, dedups, receipts)"}}

    return app
