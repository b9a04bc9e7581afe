"""An officer follows a tender from opening to contracts in the browser; axe on every step."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tendering.service import close_due_tenders
from tests.portal.browser import SCREENSHOTS, axe_violations, chromium, needs_chromium, serious
from tests.tendering import flow

pytestmark = [needs_chromium, pytest.mark.slow]


def _clean(page: Any, name: str) -> None:
    found = serious(axe_violations(page))
    assert not found, f"{name}: {found}"
    assert not page.csp_errors, page.csp_errors


def test_officer_evaluates_ranks_with_a_chart_and_awards_after_the_standstill(
    portal, person, publish_tender, new_org, tmp_path
) -> None:
    published = publish_tender()
    api = httpx.Client(base_url=portal.url, timeout=60)
    first = flow.bidder(api, new_org, "Alfa ApS")  # type: ignore[arg-type]
    second = flow.bidder(api, new_org, "Beta ApS")  # type: ignore[arg-type]
    prices = (
        {"LOT-1": "900000.00", "LOT-2": "700000.00"},
        {"LOT-1": "950000.00", "LOT-2": "650000.00"},
    )
    for who, price in zip((first, second), prices, strict=True):
        published.api = api
        r = flow.submit(published, who, flow.content(price))
        assert r.status_code == 201, r.text
    officer = person("Olga Officer", roles=("buyer",), cvr=published.buyer.cvr)
    before = portal.clock.now
    try:
        published.past_deadline()
        with portal.container.db.transaction() as s:
            close_due_tenders(portal.container, s)
        published.hand_in("opening_member:1")
        assert published.hand_in("opening_member:2").json()["opened"] is True
        with chromium(tmp_path / "profile", portal.url) as page:
            page.goto("/login")
            page.locator(f"input[value='{officer.uuid}']").check()
            page.get_by_role("button", name="Log på").click()
            page.wait_for_url(f"{portal.url}/")
            page.get_by_role("link", name="Dine udbud").click()
            page.get_by_role("link", name=published.tender["title"]).first.click()
            page.wait_for_url(f"**/officer/tenders/{published.id}")
            assert first.org.cvr in page.locator("#opening").evaluate(
                "e => e.nextElementSibling.nextElementSibling.innerText"
            )
            _clean(page, "officer-opened")
            for field in page.locator("input[name^='points:LOT-2']").all():
                field.fill("8" if first.org.cvr in (field.get_attribute("id") or "") else "6")
            page.get_by_role("button", name="Evaluér").click()
            page.wait_for_url(f"**/officer/tenders/{published.id}#evaluation")
            assert page.locator("svg.chart").count() == 2
            assert "Kvalitet" in page.locator("svg.chart").nth(1).inner_html()
            _clean(page, "officer-evaluated")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.locator("#ev-LOT-2").locator("..").screenshot(
                path=str(SCREENSHOTS / "portal-evaluation.png")
            )
            page.get_by_role("button", name="Foreslå tildeling").click()
            page.get_by_role("button", name="Underret tilbudsgiverne og start standstill").click()
            page.wait_for_selector("#standstill")
            assert "dage" in page.locator("#standstill").inner_text()
            _clean(page, "officer-standstill")
            standstill_end = page.locator("#standstill").inner_text()
            portal.clock.advance(days=20)
            # Twenty days on, the session has long expired: the officer logs in again.
            page.goto(f"/officer/tenders/{published.id}")
            page.locator(f"input[value='{officer.uuid}']").check()
            page.get_by_role("button", name="Log på").click()
            page.wait_for_url(f"**/officer/tenders/{published.id}")
            page.get_by_role("button", name="Tildel").click()
            page.wait_for_selector("text=Kontrakter")
            assert page.locator("table").last.inner_text().count("ikke endnu") >= 2
            _clean(page, "officer-awarded")
            assert standstill_end
    finally:
        portal.clock.set(before)
