"""The sandbox server: every simulated authority under one ASGI app.

The composition root hands in the mounts (``mount(app, settings)`` each) and the
backends some simulators borrow from the gateway's side of a contract (the XBRL
engine, the gateway's Peppol registrations); this package never imports a domain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from fastapi import FastAPI

from gateway.settings import Settings
from gateway.signing import load_trust_store
from gateway.signing.devca import KeyPaths
from sandbox.authority import authority_router
from sandbox.skat import SkatSandbox
from sandbox.skat_loopback import sandbox_from_keys
from sandbox.store import SandboxStore

__all__ = ["Mount", "create_sandbox_app"]

Mount = Callable[[FastAPI, Settings], None]


def create_sandbox_app(
    settings: Settings,
    *,
    mounts: Iterable[Mount] = (),
    backends: Mapping[str, Any] | None = None,
) -> FastAPI:
    s = settings
    store = SandboxStore(s.data_path / "sandbox.sqlite")
    app = FastAPI(
        title="Gateway sandbox authorities",
        description="Simulators of the authorities, built from their published contracts.",
    )
    app.state.store = store
    app.state.backends = dict(backends or {})
    trust = load_trust_store(s.trust_file) if s.trust_file.is_file() else None
    app.include_router(
        authority_router(store, trust), prefix="/authority", tags=["sandbox authority"]
    )

    skat = _skat_sandbox(s)
    if skat is not None:
        app.state.skat = skat
        app.mount("/skat", skat.app)

    for mount in mounts:
        mount(app, s)

    @app.get("/", tags=["sandbox"])
    def index() -> dict[str, object]:
        found = {"authority": "generic REST intake (accepts, dedups, receipts)"}
        if skat is not None:
            found["skat"] = "tax agency VAT services (SOAP, WS-Security) and its portal"
        return {"authorities": found}

    @app.get("/healthz", tags=["sandbox"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _skat_sandbox(s: Settings) -> SkatSandbox | None:
    """The tax agency simulator, when the development keys and its contract are installed."""
    keys = KeyPaths.under(s.effective_keys_dir)
    if not (keys.ca_key.is_file() and keys.ca_cert.is_file() and keys.trust_store.is_file()):
        return None
    if not (s.effective_artefacts_dir / "skat-vat-rsu").is_dir():
        return None
    return sandbox_from_keys(
        artefacts_dir=s.effective_artefacts_dir,
        keys=keys,
        state_path=s.data_path / "skat-sandbox.sqlite",
    )
