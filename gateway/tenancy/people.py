"""People who log in through an identity provider: their principal and role grants.

The identity provider (MitID Erhverv / NemLog-in, or another by configuration)
vouches for the person, the organisation (CVR) they act for and the roles the
organisation's administrator gave them; the gateway keeps a principal per
(issuer, subject) and mirrors the roles as grants, so the portal authorises
exactly as the API does for a key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit.service import record
from gateway.errors import Conflict
from gateway.tenancy.errors import UnknownOrganisation
from gateway.tenancy.models import Organisation, PersonIdentity, Principal, Role, RoleGrant

__all__ = ["organisation_names", "person_principal", "sign_in_person"]

log = logging.getLogger(__name__)


def sign_in_person(
    session: Session,
    *,
    issuer: str,
    subject: str,
    name: str,
    cvr: str,
    roles: Iterable[str],
    now: datetime,
) -> Principal:
    """The principal of the person the identity provider vouched for, grants brought up to date."""
    cvr = cvr.strip().removeprefix("DK")
    org = session.scalar(select(Organisation).where(Organisation.cvr == cvr))
    if org is None:
        raise UnknownOrganisation(f"the organisation with CVR {cvr} is not registered here")
    identity = session.scalar(
        select(PersonIdentity).where(
            PersonIdentity.issuer == issuer, PersonIdentity.subject == subject
        )
    )
    if identity is None:
        principal = Principal(organisation_id=org.id, kind="person", name=name.strip() or subject)
        session.add(principal)
        session.flush()
        identity = PersonIdentity(issuer=issuer, subject=subject, principal_id=principal.id)
        session.add(identity)
    else:
        found = session.get(Principal, identity.principal_id)
        assert found is not None
        principal = found
        if principal.organisation_id != org.id:
            raise Conflict("this login belongs to another organisation's employee")
        principal.name = name.strip() or principal.name
    identity.last_login_at = now
    wanted = {Role(r) for r in roles if r in Role.__members__.values()}
    changed = _sync_grants(session, principal, org, wanted)
    session.flush()
    record(
        session,
        organisation_id=org.id,
        actor=f"{principal.name} ({principal.id})",
        action="tenancy.person.signed_in",
        subject_type="principal",
        subject_id=principal.id,
        data={"issuer": issuer, "roles": sorted(r.value for r in wanted), "changed": changed},
    )
    log.info("tenancy.person.signed_in", extra={"principal": principal.id, "organisation": org.cvr})
    return principal


def _sync_grants(
    session: Session, principal: Principal, org: Organisation, wanted: set[Role]
) -> bool:
    held = {
        g.role: g
        for g in session.scalars(
            select(RoleGrant).where(
                RoleGrant.principal_id == principal.id, RoleGrant.organisation_id == org.id
            )
        )
    }
    changed = False
    for role, grant in held.items():
        if role not in wanted:
            session.delete(grant)
            changed = True
    for role in wanted - {Role(r) for r in held}:
        session.add(RoleGrant(principal_id=principal.id, organisation_id=org.id, role=role))
        changed = True
    return changed


def person_principal(session: Session, principal_id: str) -> Principal | None:
    """A person's principal by id (``None`` when it is gone or is an API client)."""
    principal = session.get(Principal, principal_id)
    return principal if principal is not None and principal.kind == "person" else None


def organisation_names(session: Session, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Organisation id -> (CVR, name), for showing whom a person may act for."""
    rows = session.execute(
        select(Organisation.id, Organisation.cvr, Organisation.name).where(
            Organisation.id.in_(list(ids))
        )
    )
    return {oid: (cvr, name) for oid, cvr, name in rows}
