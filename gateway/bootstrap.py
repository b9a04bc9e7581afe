"""Composition of the kernel's collaborators; tests build their own with other parts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from gateway import clock as _clock
from gateway.blobs import BlobStore, LocalBlobStore
from gateway.channels.base import Channel
from gateway.channels.rest import RestChannel
from gateway.channels.routing import DEFAULT_ROUTING_FILE, RoutingTable
from gateway.composition import DOMAIN_CHANNELS, load
from gateway.db.session import Database
from gateway.pipeline.steps import Signer, Validator, default_signer, default_validator
from gateway.settings import Settings, get_settings

__all__ = ["Container", "bootstrap", "get_container", "reset_container"]


@dataclass
class Container:
    settings: Settings
    db: Database
    blobs: BlobStore
    routing: RoutingTable
    channels: dict[str, Channel]
    validator: Validator
    signer: Signer
    clock: Callable[[], datetime] = _clock.now
    extras: dict[str, Any] = field(default_factory=dict)

    def channel(self, name: str) -> Channel:
        try:
            return self.channels[name]
        except KeyError:
            raise LookupError(f"no channel named {name!r} is configured") from None


def bootstrap(settings: Settings | None = None, **overrides: Any) -> Container:
    """Build the container from settings; keyword arguments replace single parts."""
    s = settings or get_settings()
    db = overrides.pop("db", None) or Database(s.effective_database_url)
    routing = overrides.pop("routing", None) or RoutingTable.load(
        s.routing_file or DEFAULT_ROUTING_FILE, variables={"sandbox": s.effective_sandbox_url}
    )
    channels: dict[str, Channel] = overrides.pop("channels", None) or _channels(s)
    c = Container(
        settings=s,
        db=db,
        blobs=overrides.pop("blobs", None) or LocalBlobStore(s.effective_blob_dir),
        routing=routing,
        channels=channels,
        validator=overrides.pop("validator", None) or default_validator(s),
        signer=overrides.pop("signer", None) or default_signer(s),
        **overrides,
    )
    return c


def _channels(s: Settings) -> dict[str, Channel]:
    channels: dict[str, Channel] = {"rest": RestChannel(timeout=s.pipeline.http_timeout_seconds)}
    for name, spec in DOMAIN_CHANNELS.items():
        factory = load(spec)
        if factory is not None:
            channels[name] = factory(s)
    return channels


@lru_cache(maxsize=1)
def get_container() -> Container:
    """The process's container, built on first use (after fork in worker processes)."""
    return bootstrap()


def reset_container() -> None:
    get_container.cache_clear()
