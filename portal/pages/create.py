"""The officer's form for a new tender (a draft with up to two lots)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from gateway.tenancy.models import Role
from portal.i18n import TIMEZONE
from portal.web import PageDep, PortalRoute, redirect
from tendering import payloads
from tendering.service import create_tender

__all__ = ["router"]

router = APIRouter(route_class=PortalRoute, include_in_schema=False)

FIELDS = (
    "reference",
    "title",
    "description",
    "contract_nature",
    "cpv_code",
    "estimated_value",
    "deadline",
    "questions_deadline",
    "opening_threshold",
    "opening_holders",
)
LOT_FIELDS = ("lot_id", "title", "estimated_value", "quality_weight")


def _amount(text: str) -> str | None:
    t = text.strip().replace(" ", "")
    if not t:
        return None
    return t.replace(".", "").replace(",", ".") if "," in t else t


def _local(text: str) -> str | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=TIMEZONE).astimezone(UTC).isoformat()
    except ValueError:
        return text  # the payload's validation names the field


def _lot(form: dict[str, str], n: int) -> dict[str, Any] | None:
    title = form.get(f"lot{n}_title", "").strip()
    if not title and n > 1:
        return None
    quality = form.get(f"lot{n}_quality_weight", "").strip() or "0"
    criteria: list[dict[str, Any]] = [
        {
            "id": "price",
            "name": "Pris",
            "kind": "price",
            "method": "proportional",
            "weight": str(100 - int(quality)) if quality.isdigit() else quality,
        }
    ]
    if quality not in ("0", ""):
        criteria.append(
            {
                "id": "quality",
                "name": "Kvalitet",
                "kind": "quality",
                "method": "points",
                "weight": quality,
            }
        )
    return {
        "lot_id": form.get(f"lot{n}_lot_id", "").strip() or f"LOT-{n}",
        "title": title,
        "estimated_value": _amount(form.get(f"lot{n}_estimated_value", "")),
        "award_method": "best_price_quality" if len(criteria) > 1 else "lowest_price",
        "criteria": criteria,
    }


def _errors(exc: ValidationError) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in exc.errors():
        loc = [str(x) for x in e["loc"]]
        if loc[:1] == ["lots"] and len(loc) > 1:
            name = f"lot{int(loc[1]) + 1}_" + (
                "quality_weight" if "criteria" in loc else loc[2] if len(loc) > 2 else "title"
            )
        elif loc[:1] == ["timeline"]:
            name = loc[1] if len(loc) > 1 else "deadline"
        else:
            name = loc[0] if loc else "reference"
        out.setdefault(name, e["msg"].removeprefix("Value error, "))
    return out


@router.get("/officer/new")
def form(page: PageDep) -> Response:
    page.require(Role.BUYER)
    return page.render(
        "create.html",
        form={"contract_nature": "services", "opening_threshold": "2", "opening_holders": "3"},
        errors={},
    )


@router.post("/officer/new")
async def create(page: PageDep, request: Request) -> Response:
    actor = page.require(Role.BUYER)
    form = {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}
    lots = [lot for lot in (_lot(form, 1), _lot(form, 2)) if lot is not None]
    body = {
        "reference": form.get("reference", "").strip(),
        "title": form.get("title", "").strip(),
        "description": form.get("description", "").strip(),
        "contract_nature": form.get("contract_nature", ""),
        "cpv_code": form.get("cpv_code", "").strip(),
        "estimated_value": _amount(form.get("estimated_value", "")),
        "lots": lots,
        "timeline": {
            "deadline": _local(form.get("deadline", "")),
            "questions_deadline": _local(form.get("questions_deadline", "")),
        },
        "opening_threshold": form.get("opening_threshold", ""),
        "opening_holders": form.get("opening_holders", ""),
    }
    try:
        data = payloads.TenderCreate.model_validate(body)
    except ValidationError as exc:
        return page.render("create.html", status=400, form=form, errors=_errors(exc))
    tender = create_tender(page.db, actor=actor, data=data)
    return redirect(page, f"/officer/tenders/{tender.id}")
