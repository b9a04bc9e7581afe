"""Accountant and auditor pages: submissions with their timeline and receipt, the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from gateway.audit.organisation import entries_about, verify_organisation
from gateway.audit.service import list_entries
from gateway.pipeline.lifecycle import Status
from gateway.pipeline.repository import SubmissionRepository
from gateway.pipeline.service import receipt_json
from gateway.tenancy.models import Role
from portal.web import PageDep, PortalRoute

__all__ = ["router"]

router = APIRouter(route_class=PortalRoute, include_in_schema=False)

_READERS = (Role.REPORTER, Role.BUYER, Role.SUPPLIER, Role.ADMIN, Role.AUDITOR)
PAGE_SIZE = 20


@router.get("/submissions")
def submissions(
    page: PageDep, status: str = "", p: Annotated[int, Query(ge=1, le=10_000)] = 1
) -> Response:
    actor = page.require(*_READERS)
    found = SubmissionRepository(page.db, actor.organisation_id).search(
        status=status or None, kind=None, limit=PAGE_SIZE, offset=(p - 1) * PAGE_SIZE
    )
    pages = max(1, -(-found.total // PAGE_SIZE))
    return page.render(
        "submissions.html",
        found=found,
        chosen=status,
        statuses=[s.value for s in Status],
        current=p,
        pages=pages,
    )


@router.get("/submissions/{submission_id}")
def submission(page: PageDep, submission_id: str) -> Response:
    actor = page.require(*_READERS)
    sub = SubmissionRepository(page.db, actor.organisation_id).get(submission_id)
    events = entries_about(page.db, organisation_id=actor.organisation_id, subject_id=sub.id)
    receipt = receipt_json(page.container, sub) if sub.receipt_hash else None
    return page.render("submission.html", sub=sub, events=events, receipt=receipt)


@router.get("/audit")
def audit(page: PageDep, after: Annotated[int, Query(ge=0)] = 0) -> Response:
    actor = page.require(Role.AUDITOR, Role.ADMIN)
    rows = list_entries(page.db, organisation_id=actor.organisation_id, after_seq=after, limit=50)
    return page.render("audit.html", rows=rows, after=after, verified=None)


@router.post("/audit/verify")
def verify(page: PageDep) -> Response:
    actor = page.require(Role.AUDITOR, Role.ADMIN)
    count, problem = verify_organisation(page.db, organisation_id=actor.organisation_id)
    rows = list_entries(page.db, organisation_id=actor.organisation_id, after_seq=0, limit=50)
    return page.render(
        "audit.html", rows=rows, after=0, verified={"count": count, "problem": problem}
    )
