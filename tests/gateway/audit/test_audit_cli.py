"""`gateway audit checkpoint|verify|prove|verify-proof` as an operator and an auditor run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import delete

from gateway.audit.models import AuditEntry, AuditHead
from tests.gateway.audit.conftest import Gateway


def _cli(gw: Gateway, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway.cli", "audit", *args],
        env={**os.environ, **gw.env()},
        capture_output=True,
        text=True,
        input=stdin,
        timeout=180,
    )


def test_checkpoint_verify_and_prove_from_the_command_line(gw: Gateway, tmp_path: Path) -> None:
    gw.add("org-a", 3)
    first = _cli(gw, "checkpoint")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["checkpoint"] == 1
    assert "nothing new" in _cli(gw, "checkpoint").stdout
    gw.add("org-b", 2)
    assert json.loads(_cli(gw, "checkpoint").stdout)["tree_size"] == 5

    ok = _cli(gw, "verify")
    assert ok.returncode == 0, ok.stderr
    assert "5 anchored by 2 checkpoints" in ok.stdout

    proof = _cli(gw, "prove", "--from", "1", "--to", "2")
    assert proof.returncode == 0, proof.stderr
    proof_file = tmp_path / "proof.json"
    proof_file.write_text(proof.stdout)
    checked = _cli(gw, "verify-proof", str(proof_file))
    assert checked.returncode == 0, checked.stderr
    assert "checkpoint 1 (tree 3) is a prefix of checkpoint 2 (tree 5)" in checked.stdout
    forged = json.loads(proof.stdout)
    forged["to"]["root_hash"] = "ab" * 32
    bad = _cli(gw, "verify-proof", "-", stdin=json.dumps(forged))
    assert bad.returncode == 1 and "PROOF FAILS" in bad.stderr
    unknown = _cli(gw, "prove", "--from", "1", "--to", "9")
    assert unknown.returncode == 1 and "no valid checkpoint 9" in unknown.stderr

    # A DBA removes org-b's chain, head included: the database alone looks consistent.
    with gw.db.transaction() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.chain == "org-b"))
        s.execute(delete(AuditHead).where(AuditHead.chain == "org-b"))
    broken = _cli(gw, "verify")
    assert broken.returncode == 1
    assert "BROKEN chain org-b" in broken.stderr and "chain deleted" in broken.stderr
    refused = _cli(gw, "checkpoint")
    assert refused.returncode == 1 and "org-b" in refused.stderr
