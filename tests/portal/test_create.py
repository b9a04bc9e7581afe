"""An officer creates a two-lot tender through the form; refused input names the fields."""

from __future__ import annotations

import uuid

from tests.portal.conftest import login


def _csrf(c, path: str) -> str:
    return c.get(path).text.split('name="csrf_token" value="')[1].split('"')[0]


def test_a_two_lot_draft_from_the_form_and_errors_linked_to_fields(portal, person) -> None:
    officer = person("Frede Formular", roles=("buyer",))
    with portal.client() as c:
        login(c, officer)
        token = _csrf(c, "/officer/new")
        bad = c.post(
            "/officer/new",
            data={"csrf_token": token, "reference": "bad ref!", "cpv_code": "12", "lot1_title": ""},
        )
        assert bad.status_code == 400
        assert 'href="#reference"' in bad.text and 'href="#cpv_code"' in bad.text
        assert 'href="#lot1_title"' in bad.text and 'aria-invalid="true"' in bad.text
        deadline = (
            (portal.clock.now.replace(microsecond=0)).date().replace(year=portal.clock.now.year + 1)
        )
        good = c.post(
            "/officer/new",
            data={
                "csrf_token": token,
                "reference": f"P-{uuid.uuid4().hex[:6]}",
                "title": "Snerydning",
                "description": "Rammeaftale om snerydning",
                "contract_nature": "services",
                "cpv_code": "90620000",
                "estimated_value": "2.000.000,00",
                "deadline": f"{deadline.isoformat()}T12:00",
                "questions_deadline": f"{deadline.isoformat()}T09:00",
                "opening_threshold": "2",
                "opening_holders": "3",
                "lot1_lot_id": "NORD",
                "lot1_title": "Nord",
                "lot1_quality_weight": "0",
                "lot2_lot_id": "SYD",
                "lot2_title": "Syd",
                "lot2_quality_weight": "40",
            },
        )
        assert good.status_code == 303, good.text
        page = c.get(good.headers["location"], headers={"accept-language": "en"}).text
    assert "Snerydning" in page and "draft" in page
