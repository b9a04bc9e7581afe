"""The home page and the static assets."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from gateway.errors import NotFound
from portal.web import PageDep, PortalRoute

__all__ = ["router"]

router = APIRouter(route_class=PortalRoute, include_in_schema=False)

_STATIC = Path(__file__).resolve().parent.parent / "static"
_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}


@router.get("/")
def home(page: PageDep) -> Response:
    return page.render("home.html")


@router.get("/static/portal/{name}")
def static(name: str) -> Response:
    path = _STATIC / name
    if "/" in name or name.startswith(".") or path.suffix not in _TYPES or not path.is_file():
        raise NotFound(f"no asset {name}")
    return FileResponse(
        path, media_type=_TYPES[path.suffix], headers={"Cache-Control": "max-age=3600"}
    )
