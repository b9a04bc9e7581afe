"""Submissions with their timeline, the audit log and its verification, for people."""

from __future__ import annotations

import httpx

from tests.portal.conftest import login


def _submit(portal, org) -> str:
    r = httpx.post(
        f"{portal.url}/v1/submissions?kind=bench_doc&recipient=sandbox-authority",
        content=b"<Report xmlns='urn:bench'><Seq>1</Seq></Report>",
        headers={**org.headers("reporter"), "Content-Type": "application/xml"},
        timeout=60,
    )
    assert r.status_code in (201, 202), r.text
    return str(r.json()["id"])


def test_a_reporter_sees_the_submissions_and_the_timeline(portal, person, new_org) -> None:
    org = new_org("reporter", name="Bogholderi ApS")
    sub_id = _submit(portal, org)
    reporter = person("Rie Regnskab", roles=("reporter",), cvr=org.cvr)
    other = person("Ole Anden", roles=("reporter",))
    with portal.client() as c:
        login(c, reporter)
        listing = c.get("/submissions", headers={"accept-language": "en"})
        assert listing.status_code == 200 and f"/submissions/{sub_id}" in listing.text
        page = c.get(f"/submissions/{sub_id}", headers={"accept-language": "en"})
        assert page.status_code == 200
        assert "Timeline" in page.text and "bench_doc" in page.text
    with portal.client() as c:
        login(c, other)
        assert c.get(f"/submissions/{sub_id}").status_code == 404
        assert f"/submissions/{sub_id}" not in c.get("/submissions").text


def test_an_auditor_reads_and_verifies_the_chain(portal, person, new_org) -> None:
    org = new_org("reporter", name="Revision ApS")
    _submit(portal, org)
    auditor = person("Asta Revisor", roles=("auditor",), cvr=org.cvr)
    with portal.client() as c:
        login(c, auditor)
        page = c.get("/audit", headers={"accept-language": "en"})
        assert page.status_code == 200 and "tenancy.person.signed_in" in page.text
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        verified = c.post(
            "/audit/verify", data={"csrf_token": token}, headers={"accept-language": "en"}
        )
        assert verified.status_code == 200
        assert "The chain is intact" in verified.text
        assert c.post("/audit/verify", data={"csrf_token": "forged"}).status_code == 403
    reporter = person("Rasmus", roles=("reporter",), cvr=org.cvr)
    with portal.client() as c:
        login(c, reporter)
        assert c.get("/audit").status_code == 403
