"""Helpers shared by the command modules: settings, the API key, error exits.

Every command exits the same way:

- ``0`` done;
- ``1`` (``EXIT_REFUSED``) the input was refused (by a local check or by the
  gateway, the message names the field, line or rule) or the work failed;
- ``2`` (``EXIT_USAGE``) the command line itself is wrong (a missing option, an
  option written the wrong way, a file that does not exist). Typer's own usage
  errors exit 2 too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, NoReturn, TypeVar

import typer

from gateway.errors import GatewayError
from gateway.settings import Settings, get_settings

__all__ = [
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "api_key",
    "fail",
    "friendly_errors",
    "http_failure",
    "settings",
    "usage_error",
]

EXIT_REFUSED = 1
EXIT_USAGE = 2

F = TypeVar("F", bound=Callable[..., Any])


def settings() -> Settings:
    return get_settings()


def fail(message: str, code: int = EXIT_REFUSED) -> NoReturn:
    """Print ``error: message`` on stderr and exit (1 unless told otherwise)."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def usage_error(message: str) -> NoReturn:
    """The command line is wrong: exit 2."""
    fail(message, EXIT_USAGE)


def api_key(given: str | None) -> str:
    """The key an API-client command sends: ``--key``, else ``GW_API_KEY``; exit 2 if none."""
    if given:
        return given
    # A fresh read: tests and shells change the environment between commands of one process.
    configured = Settings().api_key
    if configured is None or not configured.get_secret_value():
        usage_error("give an API key with --key or GW_API_KEY")
    return configured.get_secret_value()


def http_failure(status: int, body: Any, text: str) -> NoReturn:
    """A gateway's error answer (problem+json): its detail, and the first findings' rules."""
    detail = text
    lines: list[str] = []
    if isinstance(body, dict):
        detail = str(body.get("detail") or body.get("title") or text)
        for f in list(body.get("findings") or body.get("problems") or [])[:20]:
            if isinstance(f, dict):
                rule = f.get("rule") or f.get("rule_id") or f.get("field") or f.get("line") or ""
                lines.append(f"  {rule}: {f.get('message', '')}".rstrip())
    fail("\n".join([f"{status}: {detail}", *lines]), EXIT_REFUSED)


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except GatewayError as exc:
        fail(exc.detail, EXIT_REFUSED)


def friendly_errors(fn: F) -> F:
    """Turn our errors into a message on stderr and exit 1."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _translated():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
