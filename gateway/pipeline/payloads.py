"""Request and response models of the submission API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SubmissionCreate", "SubmissionList", "SubmissionOut"]


class SubmissionCreate(BaseModel):
    """JSON form of a submission; a raw body with ``?kind=&recipient=`` works too."""

    kind: str = Field(examples=["invoice"])
    recipient: str = Field(examples=["sandbox-authority"])
    content_type: str = "application/xml"
    payload: str | None = Field(default=None, description="the document as text")
    payload_base64: str | None = Field(default=None, description="the document, base64")
    reference: str | None = None


class SubmissionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    direction: str
    sender: str
    recipient: str
    channel: str | None
    endpoint: str | None
    content_type: str
    payload_hash: str
    payload_size: int
    plan: str | None
    findings: list[dict[str, Any]] | None
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    message_id: str
    transmission_id: str | None
    receipt_hash: str | None
    idempotency_key: str | None
    reference: str | None
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None
    acknowledged_at: datetime | None


class SubmissionList(BaseModel):
    items: list[SubmissionOut]
    total: int
    limit: int
    offset: int
