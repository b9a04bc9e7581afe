"""The pages a problem's ``type`` URI points at: what the problem means and what to do.

RFC 9457 asks that a problem type URI, when dereferenced, give documentation
for people. The catalogue is built from the error classes themselves (title,
status, docstring), so a new error is documented the moment it exists.
"""

from __future__ import annotations

import html
import inspect
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from gateway.errors import GatewayError, NotFound

__all__ = ["Problem", "catalogue", "problem_type_uri", "router"]

router = APIRouter(tags=["problems"])


@dataclass(frozen=True)
class Problem:
    slug: str
    title: str
    status: int
    explanation: str


# Problems the HTTP layer raises itself, without an error class of ours.
_HTTP_LAYER = [
    Problem(
        "invalid-request",
        "Invalid request",
        422,
        "A parameter or a field of the JSON body is missing or has the wrong type or value. "
        "`errors` lists each one with its location (e.g. `body.deadline`).",
    ),
]


def _explanation(cls: type[GatewayError]) -> str:
    doc = inspect.getdoc(cls) if cls.__doc__ else None
    return doc or cls.title


def catalogue() -> dict[str, Problem]:
    """Every problem type the gateway can answer with, by slug (the most general class wins)."""
    found: dict[str, Problem] = {p.slug: p for p in _HTTP_LAYER}
    pending: list[type[GatewayError]] = [GatewayError]
    while pending:
        cls = pending.pop(0)
        found.setdefault(cls.slug, Problem(cls.slug, cls.title, cls.status, _explanation(cls)))
        pending.extend(cls.__subclasses__())
    return dict(sorted(found.items()))


def problem_type_uri(request: Request, slug: str) -> str:
    """The absolute URI of a problem's page on this gateway."""
    container = getattr(request.app.state, "container", None)
    public = container.settings.public_url if container is not None else None
    base = (public or str(request.base_url)).rstrip("/")
    return f"{base}/problems/{slug}"


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} · Gateway</title></head>"
        f"<body><main>{body}</main></body></html>"
    )


def _wants_json(accept: str | None) -> bool:
    return bool(accept) and "json" in accept and "html" not in accept  # type: ignore[operator]


@router.get("/problems", summary="Every problem type the API answers with", response_model=None)
def list_problems(accept: Annotated[str | None, Header()] = None) -> Response:
    """The catalogue of problem types: slug, title, status and what each means."""
    problems = catalogue().values()
    if _wants_json(accept):
        return JSONResponse(
            {"items": [vars(p) for p in problems], "total": len(problems)},
        )
    rows = "".join(
        f'<tr><td><a href="/problems/{html.escape(p.slug)}">{html.escape(p.slug)}</a></td>'
        f"<td>{p.status}</td><td>{html.escape(p.title)}</td></tr>"
        for p in problems
    )
    return HTMLResponse(
        _page(
            "Problem types",
            "<h1>Problem types</h1><p>Errors are RFC 9457 problem details; their "
            "<code>type</code> links here.</p><table><thead><tr><th scope=col>Type</th>"
            f"<th scope=col>Status</th><th scope=col>Title</th></tr></thead><tbody>{rows}"
            "</tbody></table>",
        )
    )


@router.get("/problems/{slug:path}", summary="What one problem type means", response_model=None)
def show_problem(slug: str, accept: Annotated[str | None, Header()] = None) -> Response:
    """The explanation of one problem type, the page its ``type`` URI resolves to."""
    problem = catalogue().get(slug)
    if problem is None:
        raise NotFound(f"no problem type {slug!r}; /problems lists them all")
    if _wants_json(accept):
        return JSONResponse(vars(problem))
    paragraphs = "".join(
        f"<p>{html.escape(part)}</p>" for part in problem.explanation.split("\n\n")
    )
    return HTMLResponse(
        _page(
            problem.title,
            f"<h1>{html.escape(problem.title)}</h1><p>HTTP status <strong>{problem.status}"
            f"</strong> · type <code>{html.escape(problem.slug)}</code></p>{paragraphs}"
            '<p><a href="/problems">All problem types</a></p>',
        )
    )
