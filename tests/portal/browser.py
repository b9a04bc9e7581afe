"""Debian's chromium driven by Playwright, and axe-core (npm) injected into the pages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_VERSION = "4.14.1"
AXE_DIR = ROOT / "var" / "cache" / "node"
AXE_FILE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
# The README's screenshots are refreshed with GW_PORTAL_SCREENSHOTS=1; other runs keep theirs
# in var/ so that a test run leaves the work tree as it was.
SCREENSHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("GW_PORTAL_SCREENSHOTS") == "1"
    else ROOT / "var" / "screenshots"
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The route the test serves axe-core from, on the page's own origin: the CSP stays on.
AXE_PATH = "/__test__/axe.min.js"

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.is_file(), reason="Debian's chromium is not installed (apt-get install chromium)"
)


def axe_script() -> Path:
    """axe-core from the npm registry, installed once into the cache folder."""
    if not AXE_FILE.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install axe-core for the accessibility checks")
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--silent", f"axe-core@{AXE_VERSION}"],
            cwd=AXE_DIR,
            check=True,
            timeout=600,
        )
    return AXE_FILE


@contextmanager
def chromium(profile: Path, base_url: str) -> Iterator[Any]:
    """A page in a fresh chromium profile; CSP violations are collected on ``page.csp_errors``."""
    from playwright.sync_api import sync_playwright

    axe = axe_script().read_bytes()
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            base_url=base_url,
            viewport={"width": 1280, "height": 900},
            locale="da-DK",
        )
        context.set_default_timeout(60_000)
        context.route(
            f"**{AXE_PATH}",
            lambda route: route.fulfill(body=axe, content_type="text/javascript"),
        )
        page = context.new_page()
        errors: list[str] = []
        page.on(
            "console",
            lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.csp_errors = errors
        try:
            yield page
        finally:
            context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as loaded: rule id, impact, how many nodes."""
    page.add_script_tag(url=AXE_PATH)
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,
                         targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )
    return found


def serious(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in found if v["impact"] in ("serious", "critical")]


def record(results: dict[str, list[dict[str, Any]]]) -> None:
    """Keep the per-page results beside the run (var/) for the closing note."""
    out = ROOT / "var" / "portal-axe.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


def tab_to(page: Any, text: str | None, *, selector: str | None = None, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if selector and page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
        if text and page.evaluate("document.activeElement.innerText.trim()") == text:
            return
    raise AssertionError(f"Tab never reached {text or selector}")
