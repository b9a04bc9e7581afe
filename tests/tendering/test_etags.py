"""Two officers editing one tender: the second, working from an old read, is refused (412)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.tendering.conftest import Clock
from tests.tendering.flow import MakeOrg, tender_body


def test_a_stale_if_match_is_refused_and_changes_nothing(
    api: TestClient, clock: Clock, new_org: MakeOrg
) -> None:
    buyer = new_org("buyer")
    h = buyer.headers("buyer")
    made = api.post("/v1/tenders", json=tender_body(clock), headers=h)
    assert made.status_code == 201, made.text
    url = f"/v1/tenders/{made.json()['id']}"
    read = api.get(url, headers=h)
    first_tag = read.headers["etag"]
    assert api.get(url, headers=h).headers["etag"] == first_tag  # stable while unchanged

    # Officer A changes the title with the tag read; the tag moves on.
    a = api.patch(
        url, json={"title": "Rengøring af skoler og haller"}, headers={**h, "If-Match": first_tag}
    )
    assert a.status_code == 200, a.text
    assert a.headers["etag"] != first_tag
    assert a.headers["etag"] == api.get(url, headers=h).headers["etag"]

    # Officer B still holds the first read: refused, with the current tag to start again from.
    b = api.patch(url, json={"title": "Vinduespolering"}, headers={**h, "If-Match": first_tag})
    assert b.status_code == 412
    assert b.headers["content-type"].startswith("application/problem+json")
    assert b.json()["type"].endswith("/problems/precondition-failed")
    assert b.json()["current_etag"] == a.headers["etag"]
    assert api.get(url, headers=h).json()["title"] == "Rengøring af skoler og haller"

    # A weak tag never matches (strong comparison); "*" and no header at all go through.
    weak = api.patch(url, json={"title": "X"}, headers={**h, "If-Match": f"W/{a.headers['etag']}"})
    assert weak.status_code == 412
    star = api.patch(url, json={"title": "Skoler"}, headers={**h, "If-Match": "*"})
    assert star.status_code == 200
    assert api.patch(url, json={"title": "Skoler 2"}, headers=h).status_code == 200

    # The same check guards the actions on the tender: a stale publish is refused too.
    stale = api.post(f"{url}/publish", headers={**h, "If-Match": first_tag})
    assert stale.status_code == 412
    assert api.get(url, headers=h).json()["status"] == "draft"
