"""The status resource of long-running operations (``Location`` of a 202 answer)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from gateway.operations import service
from gateway.operations.models import OperationStatus
from gateway.web import ActorDep, SessionDep, container_of

__all__ = ["router"]

router = APIRouter(prefix="/v1/operations", tags=["operations"])


@router.get("/{operation_id}")
def get_operation(
    operation_id: str, request: Request, response: Response, session: SessionDep, actor: ActorDep
) -> dict[str, Any]:
    """Where a long-running operation stands: status, progress, then its result or problem."""
    op = service.OperationRepository(session, actor.organisation_id).get(operation_id)
    if op.status in (OperationStatus.QUEUED, OperationStatus.RUNNING):
        response.headers["Retry-After"] = "1"
    return service.view(op, container_of(request).settings.data_path)
