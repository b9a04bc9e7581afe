"""The public tender pages: search with its filters and errors, one tender in full."""

from __future__ import annotations

import uuid


def test_search_finds_a_published_tender_by_text_cpv_buyer_and_procedure(
    portal, publish_tender
) -> None:
    word = f"Vinduespudsning{uuid.uuid4().hex[:6]}"
    published = publish_tender(title=f"{word} af rådhuse", cpv_code="90911300")
    with portal.client() as c:

        def hits(**params: str) -> str:
            r = c.get("/tenders", params=params, headers={"accept-language": "en"})
            assert r.status_code == 200, r.text
            return r.text

        assert f"/tenders/{published.id}" in hits(q=word.lower())
        assert f"/tenders/{published.id}" in hits(q=word, cpv="909113")
        assert f"/tenders/{published.id}" in hits(q=word, buyer=published.buyer.cvr)
        assert f"/tenders/{published.id}" in hits(q=word, procedure="open")
        assert f"/tenders/{published.id}" not in hits(q=word, procedure="restricted")
        assert f"/tenders/{published.id}" not in hits(q=word, cpv="45")
        assert "0 tenders found" in hits(q=word, cpv="45")


def test_bad_filters_are_named_in_an_error_summary(portal) -> None:
    with portal.client() as c:
        r = c.get(
            "/tenders",
            params={"cpv": "x1", "deadline_from": "31-12-2026"},
            headers={"accept-language": "en"},
        )
    assert r.status_code == 400
    assert 'href="#cpv"' in r.text and "A CPV code is 2 to 8 digits" in r.text
    assert 'href="#deadline_from"' in r.text and 'aria-invalid="true"' in r.text


def test_the_tender_page_shows_lots_criteria_and_time_left(portal, publish_tender) -> None:
    published = publish_tender()
    with portal.client() as c:
        en = c.get(f"/tenders/{published.id}", headers={"accept-language": "en"}).text
        da = c.get(f"/tenders/{published.id}").text
    assert "Lot LOT-1: Delaftale LOT-1" in en and "Lot LOT-2" in en
    assert "Kvalitet" in en and "40,00 %" in en  # weights in Danish notation
    assert "1.300.000,00 DKK" in en
    assert "29 days" in en or "30 days" in en
    assert "Delkontrakt LOT-1" in da and "Tid tilbage" in da


def test_a_draft_or_unknown_tender_is_not_found(portal) -> None:
    with portal.client() as c:
        r = c.get(f"/tenders/{uuid.uuid4()}")
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]
