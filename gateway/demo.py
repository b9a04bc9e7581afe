"""The demo's scaffolding: stories told step by step against a running gateway.

A story is a function ``story(ctx: DemoContext) -> None`` that performs its
steps inside ``with ctx.step("…"):`` blocks and explains with ``ctx.say``.
The kernel tells the first story; each domain adds its own (``<domain>.demo``).
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

import httpx

from gateway.bootstrap import Container

__all__ = ["DemoContext", "DemoOrg", "StepFailed", "Story"]


class StepFailed(Exception):
    """A demo step did not do what it should; the message says what happened instead."""


@dataclass
class DemoOrg:
    cvr: str
    name: str
    organisation_id: str
    keys: dict[str, str]

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


@dataclass
class _Step:
    title: str
    ok: bool = False
    detail: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class _StoryRecord:
    name: str
    steps: list[_Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(s.ok for s in self.steps)


class DemoContext:
    def __init__(
        self, *, base_url: str, container: Container, out: TextIO, quiet: bool = False
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.container = container
        self.http = httpx.Client(base_url=self.base_url, timeout=60)
        self._out = out
        self._quiet = quiet
        self.stories: list[_StoryRecord] = []
        self._current: _Step | None = None
        self.data: dict[str, Any] = {}  # what one story leaves for the next (a contract, say)

    # -- output ---------------------------------------------------------------
    def _print(self, text: str) -> None:
        if not self._quiet:
            print(text, file=self._out, flush=True)

    def say(self, text: str) -> None:
        """One line of explanation under the current step."""
        if self._current is not None:
            self._current.detail.append(text)
        self._print(f"      {text}")

    def begin_story(self, name: str, title: str) -> None:
        self.stories.append(_StoryRecord(name))
        self._print(f"\n== {title} ==")

    @contextmanager
    def step(self, title: str) -> Iterator[_Step]:
        story = self.stories[-1]
        step = _Step(title)
        story.steps.append(step)
        self._current = step
        self._print(f"  -> {title}")
        try:
            yield step
            step.ok = True
            self._print("     ok")
        except Exception as exc:
            step.error = f"{type(exc).__name__}: {exc}"
            self._print(f"     FAILED: {step.error}")
            if not isinstance(exc, StepFailed | httpx.HTTPError):
                self._print(traceback.format_exc(limit=3))
            raise
        finally:
            self._current = None

    # -- helpers for stories ---------------------------------------------------
    def new_org(self, name: str, *roles: str) -> DemoOrg:
        """Create an organisation (valid CVR) with one API key per role."""
        from gateway.tenancy.cvr import random_cvr
        from gateway.tenancy.service import create_key, create_organisation

        with self.container.db.transaction() as s:
            cvr = random_cvr()
            org = create_organisation(s, cvr=cvr, name=name, actor="gateway demo")
            keys = {
                r: create_key(
                    s, organisation=org, role=r, name=f"demo {r}", actor="gateway demo"
                ).key
                for r in roles
            }
        return DemoOrg(cvr, name, org.id, keys)

    def expect(self, resp: httpx.Response, *statuses: int) -> Any:
        """The JSON body of a response that must have one of ``statuses``."""
        if resp.status_code not in statuses:
            raise StepFailed(
                f"{resp.request.method} {resp.request.url.path} answered {resp.status_code}: {resp.text[:500]}"
            )
        ctype = resp.headers.get("content-type", "")
        return resp.json() if "json" in ctype else resp.content

    def wait_for(self, what: str, probe: Callable[[], Any], *, timeout: float = 60.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = probe()
            if result:
                return result
            time.sleep(0.25)
        raise StepFailed(f"timed out after {timeout:.0f}s waiting for {what}")

    def summary(self) -> dict[str, Any]:
        return {
            "ok": bool(self.stories) and all(s.ok for s in self.stories),
            "gateway": self.base_url,
            "stories": [
                {
                    "name": s.name,
                    "ok": s.ok,
                    "steps": [
                        {"title": st.title, "ok": st.ok, "error": st.error} for st in s.steps
                    ],
                }
                for s in self.stories
            ],
        }

    def summary_line(self) -> str:
        return json.dumps(self.summary(), separators=(",", ":"))


Story = Callable[[DemoContext], None]
