"""Login by OpenID Connect, session rotation, expiry, logout, CSRF, headers, delegation."""

from __future__ import annotations

from datetime import timedelta

import httpx

from gateway.tenancy.models import Role
from gateway.tenancy.service import Actor, delegate
from tests.portal.conftest import login


def test_home_is_the_portal_and_offers_login(portal) -> None:
    with portal.client() as c:
        r = c.get("/", headers={"accept-language": "en"})
    assert r.status_code == 200
    assert "<main" in r.text and 'href="#main"' in r.text
    assert 'href="/login' in r.text


def test_danish_by_default_and_switchable(portal) -> None:
    with portal.client() as c:
        assert "Log ind" in c.get("/").text
        switched = c.get("/language/en", params={"next": "/tenders"})
        assert switched.status_code == 303 and switched.headers["location"] == "/tenders"
        assert "Find tenders" in c.get("/tenders").text


def test_login_with_the_identity_provider_shows_the_person(portal, person) -> None:
    alice = person("Alice Indkøber", roles=("buyer",))
    with portal.client() as c:
        done = login(c, alice, next_path="/tenders")
        assert done.status_code == 303 and done.headers["location"] == "/tenders"
        home = c.get("/", headers={"accept-language": "en"})
    assert "Logged in as Alice Indkøber" in home.text
    assert alice.cvr in home.text


def test_session_cookie_is_httponly_samesite_and_rotated_at_login(portal, person) -> None:
    bob = person("Bob", roles=("supplier",))
    with portal.client() as c:
        start = c.get("/login")
        planted = start.cookies["gw_session"]
        assert "httponly" in start.headers["set-cookie"].lower()
        assert "samesite=lax" in start.headers["set-cookie"].lower()
        c.cookies.clear()
        c.cookies.set("gw_session", planted)
        # The attacker's pre-login id is finished by the victim's login ...
        authorize = httpx.get(start.headers["location"])
        from tests.portal.conftest import _hidden_fields

        form = _hidden_fields(authorize.text) | {"user": bob.uuid}
        back = httpx.post(str(authorize.url), data=form).headers["location"]
        done = c.get(back)
        assert done.status_code == 303
        fresh = done.cookies["gw_session"]
    assert fresh != planted
    # ... but the planted id is worth nothing afterwards.
    with portal.client() as attacker:
        attacker.cookies.set("gw_session", planted)
        assert "Bob" not in attacker.get("/").text


def test_a_forged_callback_is_refused(portal) -> None:
    with portal.client() as c:
        c.get("/login")
        r = c.get("/login/callback", params={"code": "stolen", "state": "wrong"})
    assert r.status_code == 401
    assert "text/html" in r.headers["content-type"]


def test_logout_needs_the_csrf_token_and_ends_the_session(portal, person) -> None:
    carol = person("Carol")
    with portal.client() as c:
        login(c, carol)
        refused = c.post("/logout", data={"csrf_token": "forged"})
        assert refused.status_code == 403
        assert "Carol" in c.get("/").text
        page = c.get("/").text
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        out = c.post("/logout", data={"csrf_token": token})
        assert out.status_code == 303
        assert "Carol" not in c.get("/").text


def test_an_idle_session_expires(portal, person) -> None:
    dave = person("Dave")
    with portal.client() as c:
        login(c, dave)
        assert "Dave" in c.get("/").text
        portal.clock.advance(minutes=portal.container.settings.portal.session_idle_minutes + 1)
        assert "Dave" not in c.get("/").text


def test_pages_send_the_security_headers(portal) -> None:
    with portal.client() as c:
        r = c.get("/tenders")
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"


def test_delegation_is_visible_and_switchable(portal, person) -> None:
    accountant = person("Erik Revisor", roles=("reporter",))
    client_org = person("Frida Ejer", roles=("admin", "reporter"))
    with portal.container.db.transaction() as s:
        grantor = Actor(
            "p",
            "Frida",
            client_org.organisation_id,
            client_org.organisation_id,
            client_org.cvr,
            frozenset({Role.ADMIN}),
        )
        delegate(
            s,
            grantor=grantor,
            grantee_cvr=accountant.cvr,
            role="reporter",
            expires_at=portal.clock.now + timedelta(days=30),
        )
    with portal.client() as c:
        login(c, accountant)
        choices = c.get("/acting", headers={"accept-language": "en"})
        assert client_org.cvr in choices.text
        token = choices.text.split('name="csrf_token" value="')[1].split('"')[0]
        switched = c.post("/acting", data={"csrf_token": token, "cvr": client_org.cvr})
        assert switched.status_code == 303
        home = c.get("/", headers={"accept-language": "en"})
        assert f"acting for CVR {client_org.cvr} by delegation" in home.text
        # An organisation that delegated nothing cannot be chosen.
        other = person("Gorm")
        refused = c.post("/acting", data={"csrf_token": token, "cvr": other.cvr})
        assert refused.status_code == 403
