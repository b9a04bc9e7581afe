"""HTTP API of stored ledgers: systems push their exports; anyone with a role reads them back."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from adapters import uploads
from adapters.repository import LedgerRepository
from adapters.service import import_ledger, ledger_summary, trial_balance
from gateway.errors import BadRequest, PayloadTooLarge
from gateway.jobs import enqueue
from gateway.operations import service as operations
from gateway.tenancy.models import Organisation, Role
from gateway.tenancy.service import Actor
from gateway.web import SessionDep, container_of, require
from gateway.web.paging import Offset, page_headers

__all__ = ["MAX_UPLOAD_BYTES", "router"]

router = APIRouter(prefix="/v1", tags=["ledgers"])

# Ledger exports are big (a million lines is ~300 MB of SAF-T); they go to disk, not memory.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024
# Above this (by Content-Length) an upload is imported by a worker and answered 202.
ASYNC_ABOVE_BYTES = 32 * 1024 * 1024

Reporter = Annotated[Actor, Depends(require(Role.REPORTER, Role.ADMIN))]
Reader = Annotated[Actor, Depends(require(Role.REPORTER, Role.ADMIN, Role.AUDITOR))]


async def _spool(request: Request, target: Path) -> int:
    size = 0
    with target.open("wb") as fh:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise PayloadTooLarge(f"the file is over the limit of {MAX_UPLOAD_BYTES} bytes")
            fh.write(chunk)
    return size


def _disk_name(filename: str | None) -> str:
    """A name the file system takes for any ``filename`` (messages name the file by it)."""
    name = "".join(ch for ch in Path(filename or "").name if ch.isprintable() and ch != "\\")
    if name.strip(". ") == "":
        name = "upload"
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) > 10:
        stem, dot, suffix = name, "", ""
    # Most file systems take 255 bytes per name; keep the extension, which detection reads.
    while len((stem + dot + suffix).encode()) > 200:
        stem = stem[:-8]
    return (stem or "upload") + dot + suffix


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/xml": {
                "schema": {"type": "string", "format": "binary"},
                "example": '<AuditFile xmlns="urn:StandardAuditFile-Taxation-Financial:DK">'
                "…</AuditFile>",
            },
            "text/csv": {
                "schema": {"type": "string", "format": "binary"},
                "example": "Bilag;Dato;Konto;Tekst;Debet;Kredit;Moms\n"
                "1;2025-01-03;1000;Salg;;1000,00;S25\n",
            },
            "application/octet-stream": {
                "schema": {"type": "string", "format": "binary"},
                "example": '#FLAGGA 0\n#SIETYP 4\n#FNAMN "Bogholderi ApS"\n',
            },
        },
    },
    "responses": {
        "202": {
            "description": "Accepted: a worker imports it; poll the operation in `Location`",
        }
    },
}


async def _upload_later(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Actor,
    org: Organisation,
    options: dict[str, Any],
) -> dict[str, Any]:
    """Spool the body into an operation's folder, answer 202, let a worker import it."""
    c = container_of(request)
    op = operations.start(
        session, organisation_id=actor.organisation_id, kind=uploads.KIND, params={}
    )
    folder = operations.work_dir(c.settings.data_path, op.id)
    folder.mkdir(parents=True, exist_ok=True)
    name = _disk_name(options.get("filename"))
    if await _spool(request, folder / name) == 0:
        operations.cleanup(c.settings.data_path, op.id, keep_progress=False)
        raise BadRequest("the request body is empty: send the ledger file as the body")
    op.params = {
        **options,
        "file": name,
        "actor": actor.label,
        "organisation_cvr": actor.organisation_cvr,
        "organisation_name": org.name,
    }
    enqueue(session, "adapters.import_ledger", op.id)
    response.status_code = 202
    response.headers["Location"] = f"/v1/operations/{op.id}"
    response.headers["Retry-After"] = "1"
    return operations.view(op, c.settings.data_path)


@router.post("/ledgers", status_code=201, openapi_extra=_UPLOAD_BODY)
async def upload_ledger(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Reporter,
    format: Annotated[
        str | None, Query(description="saft, sie4 or csv; detected if absent")
    ] = None,
    profile: Annotated[str | None, Query(description="CSV mapping profile name")] = None,
    filename: Annotated[str | None, Query(max_length=300)] = None,
    background: Annotated[
        bool,
        Query(
            alias="async",
            description="import in a worker and answer 202 at once (automatic above "
            f"{ASYNC_ABOVE_BYTES // (1024 * 1024)} MiB)",
        ),
    ] = False,
) -> dict[str, Any]:
    """Import a ledger export sent as the raw request body; the same file twice is one version."""
    c = container_of(request)
    declared = request.headers.get("content-length", "")
    if background or (declared.isdigit() and int(declared) > ASYNC_ABOVE_BYTES):
        org = session.get(Organisation, actor.organisation_id)
        assert org is not None
        options = {"format": format, "profile": profile, "filename": filename}
        return await _upload_later(request, response, session, actor, org, options)
    with tempfile.TemporaryDirectory(prefix="ledger-") as tmp:
        path = Path(tmp) / _disk_name(filename)
        if await _spool(request, path) == 0:
            raise BadRequest("the request body is empty: send the ledger file as the body")
        org = session.get(Organisation, actor.organisation_id)
        assert org is not None
        outcome = await run_in_threadpool(
            lambda: import_ledger(
                session,
                organisation_id=actor.organisation_id,
                organisation_cvr=actor.organisation_cvr,
                organisation_name=org.name,
                path=path,
                actor=actor.label,
                file_name=filename,
                format=format,
                profile=profile,
                artefacts_dir=c.settings.effective_artefacts_dir,
            )
        )
    if not outcome.created:
        response.status_code = 200
    return ledger_summary(outcome.ledger, created=outcome.created)


@router.get("/ledgers")
def list_ledgers(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: Reader,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The organisation's ledger versions, newest period first."""
    page = LedgerRepository(session, actor.organisation_id).listing(limit=limit, offset=offset)
    page_headers(request, response, total=page.total, limit=limit, offset=offset)
    return {
        "items": [ledger_summary(v) for v in page.items],
        "total": page.total,
        "limit": limit,
        "offset": offset,
    }


@router.get("/ledgers/{ledger_id}")
def get_ledger(ledger_id: str, session: SessionDep, actor: Reader) -> dict[str, Any]:
    """One version with its trial balance."""
    version = LedgerRepository(session, actor.organisation_id).get(ledger_id)
    return {**ledger_summary(version), "trial_balance": trial_balance(session, version)}
