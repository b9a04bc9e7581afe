"""API fuzzing with schemathesis over every operation of the OpenAPI: 0 server errors.

Issue 10: a fuzz run reached only 31 of 87 operations with data because the
admin role lacks the domain roles. Here the fuzz principal holds every role in
its organisation, so each operation gets past authorisation and its input is
exercised (valid and, on purpose, invalid input); every third case uses a
single-role key instead, and half the cases of an operation with an id in its
path use a real object (a submission, a ledger, a tender, a webhook, a key). Bounded for CI: few examples per operation, derandomized (the same
cases every run, so a failure reproduces), no deadline.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, assume, given, settings

from gateway.app import create_app
from gateway.bootstrap import Container
from gateway.tenancy.models import Role, RoleGrant
from gateway.tenancy.service import create_key, create_organisation
from tests.support.cvr import random_cvr
from tests.tendering.flow import tender_body

MAX_EXAMPLES = 12


@dataclass(frozen=True)
class FuzzPrincipal:
    headers: dict[str, str]
    organisation_id: str
    # Real objects of the principal's organisation, by path parameter name: half the
    # cases of an operation with such a parameter use one, so they reach real data.
    seeds: dict[str, str] = field(default_factory=dict)
    # One key per single role in the same organisation: every third case uses the next.
    role_headers: tuple[dict[str, str], ...] = ()


@pytest.fixture(scope="module")
def fuzz_app(container: Container) -> Iterator[FastAPI]:
    app = create_app(container)
    with TestClient(app):  # runs the app's startup once
        yield app


@pytest.fixture(scope="module")
def principal(container: Container, fuzz_app: FastAPI, artefacts_dir: Path) -> FuzzPrincipal:
    """One API key whose principal holds every role in its organisation, and some data."""
    with container.db.transaction() as s:
        org = create_organisation(s, cvr=random_cvr(), name="Fuzz ApS", actor="test")
        created = create_key(s, organisation=org, role=Role.ADMIN, name="fuzz", actor="test")
        for role in Role:
            if role is not Role.ADMIN:
                s.add(
                    RoleGrant(
                        principal_id=created.principal_id, organisation_id=org.id, role=role.value
                    )
                )
        role_keys = tuple(
            create_key(s, organisation=org, role=role, name=f"fuzz {role}", actor="test").key
            for role in Role
        )
    headers = {"Authorization": f"Bearer {created.key}"}
    return FuzzPrincipal(
        headers,
        org.id,
        _seed(TestClient(fuzz_app), headers, artefacts_dir),
        tuple({"Authorization": f"Bearer {key}"} for key in role_keys),
    )


def _seed(api: TestClient, headers: dict[str, str], artefacts_dir: Path) -> dict[str, str]:
    sub = api.post(
        "/v1/submissions?kind=fuzz_doc&recipient=sandbox-authority",
        content=b"<Doc><Id>1</Id></Doc>",
        headers={**headers, "Content-Type": "application/xml"},
    )
    assert sub.status_code == 201, sub.text
    ledger = api.post(
        "/v1/ledgers?filename=Sie4.se",
        content=(artefacts_dir / "sie-samples" / "Sie4.se").read_bytes(),
        headers=headers,
    )
    assert ledger.status_code == 201, ledger.text
    tender = api.post(
        "/v1/tenders", json=tender_body(SimpleNamespace(now=datetime.now(UTC))), headers=headers
    )
    assert tender.status_code == 201, tender.text
    # A loopback discard port: a delivery, if one were ever attempted, stays on this machine.
    hook = api.post(
        "/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": ["invoicing.invoice.received"]},
        headers=headers,
    )
    assert hook.status_code == 201, hook.text
    # A key of its own for revoke and rotate to act on (never the fuzz principal's).
    spare = api.post("/v1/keys", json={"role": "auditor", "name": "spare"}, headers=headers)
    assert spare.status_code == 201, spare.text
    return {
        "subscription_id": hook.json()["id"],
        "key_id": spare.json()["key_id"],
        "submission_id": sub.json()["id"],
        "ledger_id": ledger.json()["id"],
        "tender_id": tender.json()["id"],
    }


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


# Codes that mean the request never got past the door; an operation answering only
# these was not reached with data.
_TURNED_AWAY = {401, 403, 405}


def test_no_operation_answers_a_server_error(
    fuzz_schema: schemathesis.BaseSchema, principal: FuzzPrincipal
) -> None:
    server_errors: list[str] = []
    calls = [0]
    reached: dict[str, set[int]] = {}

    for result in fuzz_schema.get_all_operations():
        operation = result.ok()
        reached.setdefault(operation.label, set())

        # Valid input and input that breaks the schema on purpose, from one budget.
        @given(
            case=operation.as_strategy()
            | operation.as_strategy(schemathesis.GenerationMode.NEGATIVE)
        )
        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        def run(case: schemathesis.Case) -> None:
            calls[0] += 1
            if case.path_parameters and calls[0] % 2 == 0:
                for name in case.path_parameters.keys() & principal.seeds.keys():
                    case.path_parameters[name] = principal.seeds[name]
            # Acting for another organisation is the tenancy tests' subject; here the
            # principal acts for its own, so every operation gets past the door.
            case.headers = {
                k: v
                for k, v in (case.headers or {}).items()
                if k.lower() not in ("x-on-behalf-of", "authorization")
            }
            if calls[0] % 3 == 2:
                role = principal.role_headers[(calls[0] // 3) % len(principal.role_headers)]
                case.headers.update(role)
            else:
                case.headers.update(principal.headers)
            # The HTTP client sends ASCII header values only; other bytes never leave it.
            assume(all(str(v).isascii() for v in case.headers.values()))
            response = case.call()
            reached[case.operation.label].add(response.status_code)
            if response.status_code >= 500:
                server_errors.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: "
                    f"{response.text[:300]} (query {case.query}, body {str(case.body)[:200]})"
                )

        run()

    if os.environ.get("GW_FUZZ_REPORT"):
        for label, codes in sorted(reached.items()):
            print(label, sorted(codes))
    assert len(reached) >= 80, sorted(reached)
    not_reached = sorted(label for label, codes in reached.items() if codes <= _TURNED_AWAY)
    assert not not_reached, not_reached
    assert not server_errors, "\n".join(server_errors)
