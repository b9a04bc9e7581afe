"""Request and response bodies of the webhooks API."""

from __future__ import annotations

from datetime import datetime

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

__all__ = [
    "Delivery",
    "DeliveryPage",
    "Subscription",
    "SubscriptionCreate",
    "SubscriptionCreated",
    "SubscriptionPage",
    "SubscriptionUpdate",
]

from pydantic import JsonValue

_EXAMPLE_EVENTS: list[JsonValue] = ["reporting.vat_return.receipted", "invoicing.invoice.received"]


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": "https://erp.example.dk/hooks/gateway",
                    "events": _EXAMPLE_EVENTS,
                    "description": "ERP: book receipts and new invoices",
                }
            ]
        }
    )

    url: AnyHttpUrl
    events: list[str] = Field(min_length=1)
    description: str = Field(default="", max_length=500)


class SubscriptionUpdate(BaseModel):
    """Every field optional: only those sent change."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"events": _EXAMPLE_EVENTS, "active": False}]}
    )

    url: AnyHttpUrl | None = None
    events: list[str] | None = None
    description: str | None = Field(default=None, max_length=500)
    active: bool | None = None


class Subscription(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    url: str
    events: list[str]
    description: str
    active: bool
    version: int
    created_at: datetime


class SubscriptionCreated(Subscription):
    secret: str = Field(description="whsec_…: shown this once; verify deliveries with it")


class SubscriptionPage(BaseModel):
    items: list[Subscription]
    total: int
    limit: int
    offset: int


class Delivery(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    subscription_id: str
    event: str
    message_id: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


class DeliveryPage(BaseModel):
    items: list[Delivery]
    total: int
    limit: int
    offset: int
