"""A supplier seals a bid in the browser; after the deadline the committee opens it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tendering import sealing
from tendering.service import close_due_tenders
from tests.portal.browser import axe_violations, chromium, needs_chromium, serious

pytestmark = [needs_chromium, pytest.mark.slow]


def _login(page: Any, portal: Any, person: Any) -> None:
    page.goto("/login")
    page.locator(f"input[value='{person.uuid}']").check()
    page.get_by_role("button", name="Log på").click()
    page.wait_for_url(f"{portal.url}/")


def _keys(tmp_path: Path) -> tuple[Path, str]:
    key = sealing.new_supplier_key()
    private = tmp_path / "supplier.pem"
    private.write_bytes(sealing.supplier_private_key_pem(key, password=None))
    return private, sealing.supplier_public_key_pem(key).decode()


def _axe_clean(page: Any, name: str) -> None:
    found = serious(axe_violations(page))
    assert not found, f"{name}: {found}"
    assert not page.csp_errors, page.csp_errors


def test_a_bid_sealed_and_replaced_in_the_browser_is_opened_after_the_deadline(
    portal, person, publish_tender, tmp_path
) -> None:
    published = publish_tender()
    supplier = person("Sara Leverandør", roles=("supplier",))
    private_pem, public_pem = _keys(tmp_path)
    with chromium(tmp_path / "profile", portal.url) as page:
        _login(page, portal, supplier)
        page.goto(f"/tenders/{published.id}")
        page.get_by_role("link", name="Afgiv et forseglet tilbud").click()
        page.get_by_role("link", name="Registrér din offentlige nøgle").click()
        _axe_clean(page, "supplier-key")
        page.get_by_label("Offentlig nøgle (PEM)").fill(public_pem)
        page.get_by_role("button", name="Registrér nøgle").click()
        page.wait_for_url(f"{portal.url}/tenders/{published.id}/bid")

        # A missing price is named in the error summary, linked to its field.
        page.get_by_label("Pris for delkontrakt LOT-1", exact=False).fill("")
        page.get_by_role("button", name="Forsegl tilbud").click()
        assert page.locator("#bid-errors a[href='#price-LOT-1']").is_visible()
        _axe_clean(page, "bid-errors")

        page.get_by_label("Pris for delkontrakt LOT-1", exact=False).fill("1.234.567,50")
        page.get_by_label("Pris for delkontrakt LOT-2", exact=False).fill("800000")
        page.get_by_label("Din signeringsnøgle", exact=False).set_input_files(str(private_pem))
        page.get_by_role("button", name="Forsegl tilbud").click()
        page.locator("#bid-summary").wait_for(state="visible")
        assert "1234567.50" in page.locator("#bid-summary tbody").inner_text()
        sealed_sha = page.locator("#summary-sha256").inner_text()
        _axe_clean(page, "bid-summary")
        page.get_by_role("button", name="Send forseglet tilbud").click()
        page.wait_for_url("**/bids/*")
        assert page.locator("#envelope-sha256").inner_text() == sealed_sha
        first_bid = page.url.rsplit("/", 1)[1]
        _axe_clean(page, "receipt")

        # Replace it before the deadline with a lower price for lot 1.
        page.get_by_role("link", name="Erstat dette tilbud").click()
        page.get_by_label("Pris for delkontrakt LOT-1", exact=False).fill("1.100.000,00")
        page.get_by_label("Pris for delkontrakt LOT-2", exact=False).fill("790.000")
        page.get_by_label("Din signeringsnøgle", exact=False).set_input_files(str(private_pem))
        page.get_by_role("button", name="Forsegl tilbud").click()
        page.locator("#bid-summary").wait_for(state="visible")
        page.get_by_role("button", name="Send forseglet tilbud").click()
        page.wait_for_url("**/bids/*")
        second_bid = page.url.rsplit("/", 1)[1]
        assert second_bid != first_bid
        with page.expect_download() as download:
            page.get_by_role("link", name="Hent den signerede kvittering", exact=False).click()
        receipt = Path(download.value.path()).read_text()
        assert "TenderReceipt" in receipt and second_bid in receipt

    # After the deadline two of the three members hand in their shares and the bids open.
    before = portal.clock.now
    try:
        published.past_deadline()
        with portal.container.db.transaction() as s:
            close_due_tenders(portal.container, s)
        assert published.hand_in("opening_member:1").status_code == 200
        opened = published.hand_in("opening_member:3")
        assert opened.status_code == 200 and opened.json()["opened"] is True
        bids = httpx.get(
            f"{portal.url}/v1/tenders/{published.id}/bids",
            headers=published.buyer.headers("buyer"),
        ).json()
    finally:
        portal.clock.set(before)
    by_id = {b["id"]: b for b in bids}
    current = by_id[second_bid]
    assert current["signature_valid"] is True
    content = (
        current["content"]
        if isinstance(current["content"], dict)
        else json.loads(current["content"])
    )
    assert content["lots"]["LOT-1"]["price"] == "1100000.00"
    assert content["lots"]["LOT-2"]["price"] == "790000"
    assert by_id.get(first_bid, {"status": "replaced"})["status"] == "replaced"


def test_a_supplier_submits_a_bid_with_the_keyboard_alone(
    portal, person, publish_tender, tmp_path
) -> None:
    from tests.portal.browser import tab_to

    published = publish_tender()
    supplier = person("Kim Tastatur", roles=("supplier",))
    private_pem, public_pem = _keys(tmp_path)
    with chromium(tmp_path / "profile", portal.url) as page:
        _login(page, portal, supplier)
        page.goto(f"/tenders/{published.id}")
        tab_to(page, "Afgiv et forseglet tilbud")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{portal.url}/tenders/{published.id}/bid")
        tab_to(page, "Registrér din offentlige nøgle")
        page.keyboard.press("Enter")
        page.wait_for_url("**/supplier/key**")
        tab_to(page, None, selector="#public_key_pem")
        page.keyboard.type(public_pem)
        tab_to(page, "Registrér nøgle")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{portal.url}/tenders/{published.id}/bid")

        tab_to(page, None, selector="#price-LOT-1")
        page.keyboard.type("2.500,00")
        tab_to(page, None, selector="#lot-LOT-2")
        page.keyboard.press("Space")  # this bid is for lot 1 only
        assert not page.is_checked("#lot-LOT-2")
        tab_to(page, None, selector="#signing-key")
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Space")
        chooser.value.set_files(str(private_pem))
        tab_to(page, "Forsegl tilbud")
        page.keyboard.press("Enter")
        page.locator("#bid-summary").wait_for(state="visible")
        assert page.evaluate("document.activeElement.id") == "summary-heading"
        tab_to(page, "Send forseglet tilbud")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/bids/" in page.url
        assert "LOT-1" in page.content() and "Kvittering for dit tilbud" in page.content()
