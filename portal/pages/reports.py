"""Accountant pages: the VAT return as the agency's boxes with their explanation, submit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import Response

from gateway.errors import BadRequest
from gateway.tenancy.models import Role
from portal.web import PageDep, PortalRoute, redirect
from reporting.service import submit_report, vat_report
from reporting.views import list_report_views, report_view

__all__ = ["router"]

router = APIRouter(route_class=PortalRoute, include_in_schema=False)

_READERS = (Role.REPORTER, Role.ADMIN, Role.AUDITOR)


@router.get("/reports")
def reports(page: PageDep) -> Response:
    actor = page.require(*_READERS)
    return page.render(
        "reports.html", reports=list_report_views(page.container, page.db, actor=actor), error=None
    )


@router.post("/reports/vat")
def compute(page: PageDep, period: Annotated[str, Form()] = "") -> Response:
    actor = page.require(Role.REPORTER, Role.ADMIN)
    if not period.strip():
        raise BadRequest("name the period, e.g. 2025-Q1")
    report = vat_report(page.container, page.db, actor=actor, period=period.strip())
    return redirect(page, f"/reports/{report.id}")


@router.get("/reports/{report_id}")
def report(page: PageDep, report_id: str) -> Response:
    actor = page.require(*_READERS)
    return page.render(
        "report.html", r=report_view(page.container, page.db, actor=actor, report_id=report_id)
    )


@router.post("/reports/{report_id}/submit")
def submit(page: PageDep, report_id: str) -> Response:
    actor = page.require(Role.REPORTER, Role.ADMIN)
    submit_report(page.container, page.db, actor=actor, report_id=report_id)
    return redirect(page, f"/reports/{report_id}")
