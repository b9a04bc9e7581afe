"""An accountant prepares the VAT return from imported books, reads the boxes, submits it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.adapters import saft_fixture
from tests.portal.browser import axe_violations, chromium, needs_chromium, serious
from tests.portal.conftest import login

pytestmark = [needs_chromium, pytest.mark.slow]


def _clean(page: Any, name: str) -> None:
    found = serious(axe_violations(page))
    assert not found, f"{name}: {found}"
    assert not page.csp_errors, page.csp_errors


def test_vat_return_boxes_explained_approved_and_submitted(
    portal, person, new_org, tmp_path
) -> None:
    org = new_org("reporter", name="Regnskab ApS")
    books = saft_fixture.write_saft(tmp_path / "saft.xml", lines=120, company_id=org.cvr)
    r = httpx.post(
        f"{portal.url}/v1/ledgers",
        content=books.read_bytes(),
        headers=org.headers("reporter"),
        timeout=120,
    )
    assert r.status_code in (200, 201, 202), r.text
    accountant = person("Karen Bogholder", roles=("reporter",), cvr=org.cvr)
    with chromium(tmp_path / "profile", portal.url) as page:
        page.goto("/reports")
        page.locator(f"input[value='{accountant.uuid}']").check()
        page.get_by_role("button", name="Log på").click()
        page.wait_for_url(f"{portal.url}/reports")
        _clean(page, "reports")
        page.get_by_label("Momsperiode").fill("2025-Q1")
        page.get_by_role("button", name="Forbered momsangivelsen").click()
        page.wait_for_url("**/reports/*")
        boxes = page.locator("table").first.inner_text()
        assert "SalgsMoms" in boxes and "AfgiftTilsvar" in boxes and "," in boxes
        assert "SalgsMoms" in page.locator("table").nth(1).inner_text()
        _clean(page, "vat-return")
        page.get_by_role("button", name="Godkend og indsend").click()
        page.wait_for_selector("text=Se tidslinje og kvittering")
        assert page.locator("#report-status").inner_text() == "indsendt"
        _clean(page, "vat-return-submitted")
        report_path = page.url.replace(portal.url, "")
    stranger = person("Fremmed", roles=("reporter",))
    with portal.client() as c:
        login(c, stranger)
        assert c.get(report_path).status_code == 404
