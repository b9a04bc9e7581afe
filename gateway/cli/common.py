"""Helpers shared by the command modules: settings, database, error exits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import typer

from gateway.errors import GatewayError
from gateway.settings import Settings, get_settings

__all__ = ["fail", "friendly_errors", "settings"]

F = TypeVar("F", bound=Callable[..., Any])


def settings() -> Settings:
    return get_settings()


def fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except GatewayError as exc:
        code = 2 if exc.status in (400, 404, 409, 422) else 1
        typer.secho(f"error: {exc.detail}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code) from None


def friendly_errors(fn: F) -> F:
    """Turn our errors into a message on stderr and a non-zero exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _translated():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
