"""Mounting the portal on the gateway's app (called by the composition root)."""

from __future__ import annotations

from fastapi import FastAPI

from portal.pages import auth, bids, committee, create, home, officer, records, reports, tenders

__all__ = ["install"]


def install(app: FastAPI) -> None:
    """Serve the pages beside the API: ``/`` is the portal's home."""
    for module in (home, auth, tenders, bids, create, officer, committee, records, reports):
        app.include_router(module.router)
