"""What the tender and bid commands share: the API client, messages, input files."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Annotated, Any, NoReturn

import httpx
import typer

from gateway.cli import common

__all__ = ["Client", "Key", "Url", "echo", "fail", "read_doc"]

Url = Annotated[str | None, typer.Option("--url", help="gateway URL (default: GW_PUBLIC_URL)")]
Key = Annotated[str | None, typer.Option("--key", help="API key (default: GW_API_KEY)")]


def fail(message: str, code: int = common.EXIT_REFUSED) -> NoReturn:
    """Exit 1 (refused or failed) or 2 (``common.EXIT_USAGE``) with the message on stderr."""
    common.fail(message, code)


class Client:
    """The gateway's API with the caller's key (none for the public, open-data routes)."""

    def __init__(self, url: str | None, key: str | None, *, public: bool = False) -> None:
        from gateway.settings import get_settings

        self.base = (url or get_settings().effective_public_url).rstrip("/")
        token = None if public else common.api_key(key)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=self.base, timeout=60, headers=headers)

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            r = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            fail(f"cannot reach the gateway at {self.base}: {exc}")
        if r.status_code >= 400:
            try:
                body = r.json()
            except ValueError:
                body = None
            common.http_failure(r.status_code, body, r.text)
        return r

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.call(method, path, **kwargs).json()


def echo(doc: Any) -> None:
    typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))


def read_doc(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    try:
        return tomllib.loads(raw.decode()) if path.suffix == ".toml" else json.loads(raw)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        fail(f"{path} is not valid {'TOML' if path.suffix == '.toml' else 'JSON'}: {exc}")
