"""Committee members unseal their shares in the browser; the second hand-in opens the bids."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from gateway.tenancy.models import PersonIdentity
from tendering import share_delivery
from tendering.service import close_due_tenders
from tests.portal.browser import axe_violations, chromium, needs_chromium, serious
from tests.portal.conftest import login
from tests.tendering import flow

pytestmark = [needs_chromium, pytest.mark.slow]


def _principal(portal: Any, person: Any) -> str:
    with portal.container.db.transaction() as s:
        return str(
            s.scalar(
                select(PersonIdentity.principal_id).where(PersonIdentity.subject == person.uuid)
            )
        )


def _clean(page: Any, name: str) -> None:
    found = serious(axe_violations(page))
    assert not found, f"{name}: {found}"
    assert not page.csp_errors, page.csp_errors


def test_two_of_three_members_open_the_bids_from_their_browsers(
    portal, person, new_org, tmp_path
) -> None:
    api = httpx.Client(base_url=portal.url, timeout=60)
    buyer = new_org("buyer", "opening_member:3", name="Region Portal")
    members = [person(f"Medlem {i}", roles=("opening_member",), cvr=buyer.cvr) for i in (1, 2)]
    for m in members:
        with portal.client() as c:
            login(c, m)
    principals = [_principal(portal, m) for m in members] + [buyer.principals["opening_member:3"]]
    keys = [share_delivery.new_member_key() for _ in principals]
    files = []
    for i, key in enumerate(keys[:2]):
        path = tmp_path / f"member{i + 1}.key"
        path.write_text(share_delivery.member_private_key_text(key))
        files.append(path)
    r = api.post("/v1/tenders", json=flow.tender_body(portal.clock), headers=buyer.headers("buyer"))
    assert r.status_code == 201, r.text
    tender_id = r.json()["id"]
    committee = {
        "members": [
            {"principal_id": p, "public_key": share_delivery.member_public_key_text(k)}
            for p, k in zip(principals, keys, strict=True)
        ]
    }
    assert (
        api.put(
            f"/v1/tenders/{tender_id}/committee", json=committee, headers=buyer.headers("buyer")
        ).status_code
        == 200
    )
    r = api.post(f"/v1/tenders/{tender_id}/publish", headers=buyer.headers("buyer"))
    assert r.status_code == 200, r.text
    published = flow.Published(api, portal.clock, buyer, r.json())  # type: ignore[arg-type]
    supplier = flow.bidder(api, new_org, "Gamma ApS")  # type: ignore[arg-type]
    bid = flow.submit(published, supplier, flow.content({"LOT-1": "123456.00"}))
    assert bid.status_code == 201, bid.text
    before = portal.clock.now
    try:
        published.past_deadline()
        with portal.container.db.transaction() as s:
            close_due_tenders(portal.container, s)
        with chromium(tmp_path / "profile", portal.url) as page:
            for i, (member, key_file) in enumerate(zip(members, files, strict=True)):
                page.goto(f"/committee/tenders/{tender_id}")
                page.locator(f"input[value='{member.uuid}']").check()
                page.get_by_role("button", name="Log på").click()
                page.wait_for_url(f"**/committee/tenders/{tender_id}")
                _clean(page, f"committee-{i}")
                page.get_by_label("Din udvalgsnøglefil").set_input_files(str(key_file))
                with page.expect_navigation():
                    page.get_by_role("button", name="Aflevér min nøgleandel").click()
                assert "Du afleverede din nøgleandel" in page.content()
                _clean(page, f"committee-{i}-handed-in")
                if i == 0:
                    assert "Åbningsprotokol" not in page.content()
                    with page.expect_navigation():
                        page.get_by_role("button", name="Log ud").click()
            assert "Åbningsprotokol" in page.content()
            assert bid.json()["envelope_sha256"] in page.content()
    finally:
        portal.clock.set(before)
