"""The portal in a real browser: axe-core on every page, keyboard-only use, screenshots."""

from __future__ import annotations

from typing import Any

import pytest

from tests.portal.browser import (
    SCREENSHOTS,
    axe_violations,
    chromium,
    needs_chromium,
    record,
    serious,
    tab_to,
)

pytestmark = [needs_chromium, pytest.mark.slow]


def _check(page: Any, results: dict[str, Any], name: str, shot: bool = False) -> None:
    found = axe_violations(page)
    results[name] = found
    assert not serious(found), f"{name}: {serious(found)}"
    assert not page.csp_errors, f"{name}: {page.csp_errors}"
    if shot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"portal-{name}.png"), full_page=True)


def test_every_page_passes_axe_without_serious_violations(
    portal, person, publish_tender, tmp_path
) -> None:
    published = publish_tender()
    buyer = person("Ida Indkøber", roles=("buyer", "reporter", "auditor"))
    results: dict[str, Any] = {}
    with chromium(tmp_path / "profile", portal.url) as page:
        page.goto("/")
        _check(page, results, "home", shot=True)
        page.goto("/tenders")
        _check(page, results, "tenders", shot=True)
        page.goto("/tenders?cpv=x&deadline_from=nope")
        _check(page, results, "tenders-errors")
        page.goto(f"/tenders/{published.id}")
        _check(page, results, "tender", shot=True)
        page.goto("/tenders/no-such-tender")
        _check(page, results, "not-found")
        page.goto("/login")
        _check(page, results, "idp-login", shot=True)
        page.get_by_label(buyer.name, exact=False).check()
        page.get_by_role("button", name="Log på").click()
        page.wait_for_url(f"{portal.url}/")
        assert "Ida Indkøber" in page.content()
        _check(page, results, "home-logged-in")
        page.goto("/acting")
        _check(page, results, "acting")
        page.goto("/submissions")
        _check(page, results, "submissions")
        page.goto("/audit")
        page.get_by_role("button", name="Verificér kæden").click()
        page.wait_for_selector("#verified")
        _check(page, results, "audit-verified")
        page.goto("/officer/tenders")
        _check(page, results, "officer-tenders")
        page.goto("/officer/new")
        page.get_by_role("button", name="Opret kladde").click()
        page.wait_for_selector(".error-summary")
        _check(page, results, "new-tender-errors")
        page.goto("/language/en?next=/tenders")
        _check(page, results, "tenders-en")
    record(results)


def test_a_person_logs_in_and_out_with_the_keyboard_alone(portal, person, tmp_path) -> None:
    jens = person("Jens Tastatur", roles=("supplier",))
    with chromium(tmp_path / "profile", portal.url) as page:
        page.goto("/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        tab_to(page, "Log ind")
        page.keyboard.press("Enter")
        page.wait_for_url("**/authorize**")
        # The radio group: Tab into it, arrows pick the person, Tab to the button.
        tab_to(page, None, selector="input[type=radio]")
        labels = page.eval_on_selector_all("input[type=radio]", "els => els.map(e => e.value)")
        target = labels.index(jens.uuid)
        current = labels.index(page.evaluate("document.activeElement.value"))
        for _ in range((target - current) % len(labels)):
            page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.value") == jens.uuid
        tab_to(page, "Log på")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{portal.url}/")
        assert "Jens Tastatur" in page.content()
        tab_to(page, "Log ud")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Jens Tastatur" not in page.content()
