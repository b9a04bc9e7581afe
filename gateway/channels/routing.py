"""The routing table: (document kind, recipient) → channel and endpoint, from a TOML file."""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path

from gateway.errors import BadRequest

__all__ = ["DEFAULT_ROUTING_FILE", "NoRoute", "Route", "RoutingTable"]

DEFAULT_ROUTING_FILE = Path(__file__).with_name("routing.toml")


class NoRoute(BadRequest):
    status = 422
    title = "No route"
    slug = "no-route"


@dataclass(frozen=True, slots=True)
class Route:
    kind: str
    recipient: str
    channel: str
    endpoint: str

    def matches(self, kind: str, recipient: str) -> bool:
        return fnmatch.fnmatchcase(kind, self.kind) and fnmatch.fnmatchcase(
            recipient, self.recipient
        )


class RoutingTable:
    """First matching route wins; ``${sandbox}`` in endpoints is the sandbox's base URL."""

    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes

    @classmethod
    def load(cls, path: Path, *, variables: dict[str, str]) -> RoutingTable:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        routes = []
        for i, raw in enumerate(data.get("route", []), start=1):
            try:
                endpoint = str(raw["endpoint"])
                for name, value in variables.items():
                    endpoint = endpoint.replace("${" + name + "}", value)
                routes.append(
                    Route(str(raw["kind"]), str(raw["recipient"]), str(raw["channel"]), endpoint)
                )
            except KeyError as exc:
                raise ValueError(f"{path}: route {i} lacks {exc.args[0]!r}") from None
        return cls(routes)

    def resolve(self, kind: str, recipient: str) -> Route:
        for route in self.routes:
            if route.matches(kind, recipient):
                return route
        raise NoRoute(f"no route for a {kind!r} document to {recipient!r}")
