"""An OpenID Connect identity provider modelled on MitID Erhverv / NemLog-in.

The embedded setup and the tests log people in offline through it: discovery,
JWKS, the authorization-code flow with PKCE (S256 required, as NemLog-in does),
RS256-signed ID tokens carrying the professional claims (the employee's
persistent uuid, name, the organisation's CVR and name, the roles the
organisation gave them), and a login page on which a tester picks a test user.
Test users are added with ``POST /oidc/users`` (the sandbox is loopback only).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus, urlencode

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import APIRouter, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from joserfc import jwt
from joserfc.jwk import RSAKey
from pydantic import BaseModel

__all__ = ["CLAIMS", "IdentityProvider", "TestUser", "mount"]

# The professional (employee) attributes of OIOSAML 3 / NemLog-in, as OIDC claims.
CLAIMS = {
    "uuid": "https://data.gov.dk/model/core/eid/professional/uuid/persistent",
    "cvr": "https://data.gov.dk/model/core/eid/professional/cvr",
    "org_name": "https://data.gov.dk/model/core/eid/professional/orgName",
    "roles": "https://data.gov.dk/model/core/eid/privilegesIntermediate",
}
_CODE_SECONDS = 60
_TOKEN_SECONDS = 300


class TestUser(BaseModel):
    """A person the tester can log in as."""

    name: str
    cvr: str
    org_name: str = ""
    roles: list[str] = []
    uuid: str = ""


@dataclass
class _Grant:
    user: dict[str, Any]
    client_id: str
    redirect_uri: str
    nonce: str | None
    challenge: str
    issued: float = field(default_factory=time.time)


class IdentityProvider:
    """The provider's state: signing key, test users (a JSON file), pending codes (memory)."""

    def __init__(self, *, issuer: str, folder: Path, clients: dict[str, tuple[str, str]]) -> None:
        self.issuer = issuer.rstrip("/")
        self.clients = clients  # client_id -> (secret, redirect_uri)
        folder.mkdir(parents=True, exist_ok=True)
        self._users_file = folder / "sandbox-oidc-users.json"
        self.key = RSAKey.import_key(_key_pem(folder / "sandbox-oidc-key.pem"))
        self.kid = self.key.thumbprint()
        self._codes: dict[str, _Grant] = {}
        self._lock = threading.Lock()

    def users(self) -> list[dict[str, Any]]:
        if not self._users_file.is_file():
            return []
        return list(json.loads(self._users_file.read_text()))

    def add_user(self, user: TestUser) -> dict[str, Any]:
        record = user.model_dump()
        record["uuid"] = user.uuid or str(uuid.uuid4())
        with self._lock:
            users = [u for u in self.users() if u["uuid"] != record["uuid"]] + [record]
            self._users_file.write_text(json.dumps(users, indent=2))
        return record

    def issue_code(self, grant: _Grant) -> str:
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._codes[code] = grant
        return code

    def redeem(self, code: str) -> _Grant | None:
        with self._lock:
            grant = self._codes.pop(code, None)
        if grant is None or time.time() - grant.issued > _CODE_SECONDS:
            return None
        return grant

    def id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        user = grant.user
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": user["uuid"],
            "aud": grant.client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + _TOKEN_SECONDS,
            "name": user["name"],
            CLAIMS["uuid"]: user["uuid"],
            CLAIMS["cvr"]: user["cvr"],
            CLAIMS["org_name"]: user.get("org_name", ""),
            CLAIMS["roles"]: list(user.get("roles", [])),
        }
        if grant.nonce:
            claims["nonce"] = grant.nonce
        return jwt.encode({"alg": "RS256", "kid": self.kid}, claims, self.key)

    def jwks(self) -> dict[str, Any]:
        public = self.key.as_dict(private=False)
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}


def _key_pem(path: Path) -> bytes:
    if not path.is_file():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        path.chmod(0o600)
    return path.read_bytes()


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    doc = (
        '<!doctype html><html lang="da"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
        "</head><body><header><p>MitID Erhverv (sandbox)</p></header>"
        f"<main><h1>{title}</h1>{body}</main></body></html>"
    )
    return HTMLResponse(
        doc,
        status_code=status,
        headers={
            "Content-Security-Policy": "default-src 'self'; form-action 'self' http: https:; "
            "frame-ancestors 'none'; base-uri 'none'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        },
    )


def router(idp: IdentityProvider) -> APIRouter:
    r = APIRouter(tags=["sandbox OIDC (MitID Erhverv)"])

    @r.get("/.well-known/openid-configuration")
    def discovery() -> dict[str, Any]:
        base = idp.issuer
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "name", *CLAIMS.values()],
        }

    @r.get("/jwks")
    def jwks() -> dict[str, Any]:
        return idp.jwks()

    @r.get("/users")
    def list_users() -> list[dict[str, Any]]:
        return idp.users()

    @r.post("/users", status_code=201)
    def add_user(user: TestUser) -> dict[str, Any]:
        return idp.add_user(user)

    def _check_client(client_id: str, redirect_uri: str) -> None:
        registered = idp.clients.get(client_id)
        if registered is None or registered[1] != redirect_uri:
            raise HTTPException(400, "unknown client or redirect_uri not registered")

    @r.get("/authorize", response_class=HTMLResponse)
    def authorize(request: Request) -> HTMLResponse:
        q = request.query_params
        client_id, redirect_uri = q.get("client_id", ""), q.get("redirect_uri", "")
        registered = idp.clients.get(client_id)
        if registered is None or registered[1] != redirect_uri:
            return _page("Ukendt tjeneste", "<p>Tjenesten er ikke registreret.</p>", 400)
        problem = None
        if q.get("response_type") != "code":
            problem = "unsupported_response_type"
        elif "openid" not in q.get("scope", "").split():
            problem = "invalid_scope"
        elif q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            problem = "invalid_request"
        if problem:
            params = {"error": problem, "state": q.get("state", "")}
            return RedirectResponse(f"{redirect_uri}?{urlencode(params)}", 303)  # type: ignore[return-value]
        hidden = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(q.get(k, ""))}">'
            for k in ("client_id", "redirect_uri", "state", "nonce", "code_challenge")
        )
        users = idp.users()
        if not users:
            return _page("Log på", "<p>Der er ingen testbrugere. Tilføj en med POST /users.</p>")
        options = "".join(
            f'<li><input type="radio" name="user" id="u{i}" value="{html.escape(u["uuid"])}"'
            f"{' checked' if i == 0 else ''}>"
            f'<label for="u{i}">{html.escape(u["name"])}, {html.escape(u.get("org_name") or "")} '
            f"(CVR {html.escape(u['cvr'])}): {html.escape(', '.join(u.get('roles', [])))}</label></li>"
            for i, u in enumerate(users)
        )
        body = (
            '<form method="post" action="authorize">'
            f"{hidden}<fieldset><legend>Vælg en testbruger</legend><ul>{options}</ul></fieldset>"
            '<button type="submit">Log på</button></form>'
        )
        return _page("Log på med MitID Erhverv", body)

    @r.post("/authorize")
    def approve(
        client_id: str = Form(...),
        redirect_uri: str = Form(...),
        code_challenge: str = Form(...),
        user: str = Form(...),
        state: str = Form(""),
        nonce: str = Form(""),
    ) -> RedirectResponse:
        _check_client(client_id, redirect_uri)
        chosen = next((u for u in idp.users() if u["uuid"] == user), None)
        if chosen is None:
            raise HTTPException(400, "no such test user")
        code = idp.issue_code(
            _Grant(chosen, client_id, redirect_uri, nonce or None, code_challenge)
        )
        return RedirectResponse(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}", 303)

    @r.post("/token")
    async def token(request: Request) -> JSONResponse:
        form = await request.form()
        client_id, secret = _client_credentials(request, form)
        registered = idp.clients.get(client_id)
        if registered is None or not secrets.compare_digest(registered[0], secret):
            return _oauth_error("invalid_client", 401)
        if form.get("grant_type") != "authorization_code":
            return _oauth_error("unsupported_grant_type")
        grant = idp.redeem(str(form.get("code", "")))
        if (
            grant is None
            or grant.client_id != client_id
            or grant.redirect_uri != form.get("redirect_uri")
            or _s256(str(form.get("code_verifier", ""))) != grant.challenge
        ):
            return _oauth_error("invalid_grant")
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(32),
                "token_type": "Bearer",
                "expires_in": _TOKEN_SECONDS,
                "id_token": idp.id_token(grant),
            },
            headers={"Cache-Control": "no-store"},
        )

    return r


def _client_credentials(request: Request, form: Any) -> tuple[str, str]:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            raw = base64.b64decode(auth[6:]).decode()
        except ValueError:
            return "", ""
        client_id, _, secret = raw.partition(":")
        return unquote_plus(client_id), unquote_plus(secret)
    return str(form.get("client_id", "")), str(form.get("client_secret", ""))


def _oauth_error(code: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": code}, status_code=status)


def mount(app: FastAPI, settings: Any) -> None:
    """Serve the provider at ``/oidc`` of the sandbox app, the portal registered as its client."""
    portal = settings.portal
    idp = IdentityProvider(
        issuer=settings.effective_oidc_issuer
        if portal.oidc_issuer is None
        else f"{settings.effective_sandbox_url}/oidc",
        folder=settings.data_path,
        clients={
            portal.oidc_client_id: (
                portal.oidc_client_secret.get_secret_value(),
                f"{settings.effective_public_url}/login/callback",
            )
        },
    )
    app.state.oidc = idp
    app.include_router(router(idp), prefix="/oidc")
