"""The portal as an OpenID Connect client (authorization code + PKCE) through Authlib.

The provider is the sandbox's MitID Erhverv stand-in by default, any other by
configuration (``GW_PORTAL__OIDC_ISSUER`` and the client's id and secret).
The ID token is checked against the provider's JWKS: signature (RS256),
issuer, audience, expiry and the nonce this login sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from gateway.errors import Unauthenticated, Unavailable
from gateway.settings import Settings

__all__ = ["Claims", "LoginRefused", "LoginStart", "begin", "finish"]

# Where the person's attributes sit in the ID token (NemLog-in's professional claims).
CLAIM_UUID = "https://data.gov.dk/model/core/eid/professional/uuid/persistent"
CLAIM_CVR = "https://data.gov.dk/model/core/eid/professional/cvr"
CLAIM_ORG = "https://data.gov.dk/model/core/eid/professional/orgName"
CLAIM_ROLES = "https://data.gov.dk/model/core/eid/privilegesIntermediate"


class LoginRefused(Unauthenticated):
    title = "Login refused"


@dataclass(frozen=True, slots=True)
class LoginStart:
    url: str
    state: dict[str, str]


@dataclass(frozen=True, slots=True)
class Claims:
    issuer: str
    subject: str
    name: str
    cvr: str
    organisation_name: str
    roles: list[str]


def _redirect_uri(settings: Settings) -> str:
    return f"{settings.effective_public_url}/login/callback"


def _client(settings: Settings) -> OAuth2Client:
    p = settings.portal
    return OAuth2Client(
        client_id=p.oidc_client_id,
        client_secret=p.oidc_client_secret.get_secret_value(),
        scope="openid profile",
        redirect_uri=_redirect_uri(settings),
        code_challenge_method="S256",
        timeout=settings.pipeline.http_timeout_seconds,
    )


def _discover(client: OAuth2Client, issuer: str) -> dict[str, Any]:
    try:
        response = client.request(
            "GET", f"{issuer.rstrip('/')}/.well-known/openid-configuration", withhold_token=True
        )
        response.raise_for_status()
        doc: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise Unavailable("the identity provider does not answer; try again shortly") from exc
    if doc.get("issuer") != issuer.rstrip("/"):
        raise Unavailable("the identity provider's discovery document names another issuer")
    return doc


def begin(settings: Settings, *, next_path: str) -> LoginStart:
    """Where to send the browser, and what to keep until it comes back."""
    issuer = settings.effective_oidc_issuer
    with _client(settings) as client:
        doc = _discover(client, issuer)
        verifier = generate_token(64)
        nonce = generate_token(32)
        url, state = client.create_authorization_url(
            doc["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
    return LoginStart(
        url=url, state={"state": state, "nonce": nonce, "verifier": verifier, "next": next_path}
    )


def finish(settings: Settings, *, kept: dict[str, str], code: str) -> Claims:
    """Redeem the code, check the ID token, and read the person's claims."""
    issuer = settings.effective_oidc_issuer.rstrip("/")
    client_id = settings.portal.oidc_client_id
    with _client(settings) as client:
        doc = _discover(client, issuer)
        try:
            token = client.fetch_token(
                doc["token_endpoint"], code=code, code_verifier=kept["verifier"]
            )
            keys = client.request("GET", doc["jwks_uri"], withhold_token=True)
            keys.raise_for_status()
            key_set = KeySet.import_key_set(keys.json())
        except httpx.HTTPError as exc:
            raise Unavailable("the identity provider does not answer; try again shortly") from exc
        except Exception as exc:  # Authlib raises OAuthError subclasses for a refused code
            raise LoginRefused(
                "the identity provider refused the login; please log in again"
            ) from exc
    id_token = token.get("id_token")
    if not id_token:
        raise LoginRefused("the identity provider sent no ID token")
    try:
        decoded = jwt.decode(id_token, key_set, algorithms=["RS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": client_id},
            sub={"essential": True},
            nonce={"essential": True, "value": kept["nonce"]},
            exp={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError) as exc:
        raise LoginRefused("the ID token did not pass its checks; please log in again") from exc
    c = decoded.claims
    roles = c.get(CLAIM_ROLES) or []
    return Claims(
        issuer=issuer,
        subject=str(c["sub"]),
        name=str(c.get("name") or ""),
        cvr=str(c.get(CLAIM_CVR) or ""),
        organisation_name=str(c.get(CLAIM_ORG) or ""),
        roles=[str(r) for r in roles] if isinstance(roles, list) else [],
    )
