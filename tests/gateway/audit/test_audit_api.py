"""Auditors read the checkpoints and consistency proofs over the API (heads only, no leaves)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.audit.anchoring import make_checkpoint, verify_proof
from gateway.bootstrap import bootstrap
from gateway.tenancy.service import create_key, create_organisation
from tests.gateway.audit.conftest import Gateway
from tests.support.cvr import random_cvr


def test_auditors_read_checkpoints_and_proofs(gw: Gateway) -> None:
    with gw.db.transaction() as s:
        org = create_organisation(s, cvr=random_cvr(), name="Audited ApS", actor="test")
        auditor = create_key(s, organisation=org, role="auditor", name="a", actor="test").key
        reporter = create_key(s, organisation=org, role="reporter", name="r", actor="test").key
    for _ in range(2):
        gw.add("org-x", 2)
        with gw.db.transaction() as s:
            make_checkpoint(s, gw.anchoring, now=datetime.now(UTC))
    app = create_app(bootstrap(gw.settings, db=gw.db))
    with TestClient(app) as client:
        h = {"Authorization": f"Bearer {auditor}"}
        heads = client.get("/v1/audit/checkpoints", headers=h)
        assert heads.status_code == 200, heads.text
        assert [c["number"] for c in heads.json()] == [1, 2]
        assert heads.json()[1]["timestamped_at"] and "leaves" not in heads.text
        proof = client.get("/v1/audit/consistency?from=1&to=2", headers=h)
        assert proof.status_code == 200, proof.text
        assert verify_proof(gw.anchoring.read(), proof.json()) is None
        assert client.get("/v1/audit/consistency?from=1&to=7", headers=h).status_code == 404
        other = {"Authorization": f"Bearer {reporter}"}
        assert client.get("/v1/audit/checkpoints", headers=other).status_code == 403
