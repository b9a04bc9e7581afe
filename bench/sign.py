"""Throughput of XAdES signing and verification of a UBL invoice, beside the floor of the same run.

The floor is what no XML signature can beat: one raw RSA PKCS#1 v1.5 signature
(or verification) of a SHA-256 digest with ``cryptography``, and one lxml C14N
of the document. Ratios say how many floor operations one of ours costs.

    python bench/sign.py [--seconds 2] [--invoice PATH]

The invoice defaults to ``<artefacts>/en16931-ubl-1.3.16/examples/ubl-tc434-example1.xml``,
artefacts from ``$GW_ARTEFACTS_DIR`` or ``./var/artefacts``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from lxml import etree

from gateway.signing import (
    init_keys,
    load_signing_identity,
    load_trust_store,
    sign_detached,
    sign_ubl,
    verify_detached,
    verify_ubl,
)
from schemas import xmlsafe


def _rate(fn: Callable[[], object], seconds: float) -> float:
    fn()  # warm up: caches, lazy imports
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        fn()
        count += 1
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def measure(xml: bytes, seconds: float, *, name: str = "document") -> dict[str, object]:
    """Signatures and verifications per second of ``xml``, beside the RSA and C14N floors."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = init_keys(Path(tmp) / "keys")
        identity = load_signing_identity(paths.signing_p12)
        trust = load_trust_store(paths.trust_store)

    signed = sign_ubl(xml, identity)
    if not verify_ubl(signed, trust).valid:
        sys.exit("the signed invoice does not verify; nothing to measure")
    detached = sign_detached(xml, identity, mime_type="application/xml")

    key = identity.private_key
    assert isinstance(key, rsa.RSAPrivateKey)
    public = key.public_key()
    digest = hashlib.sha256(xml).digest()
    prehashed = utils.Prehashed(hashes.SHA256())
    raw_signature = key.sign(digest, padding.PKCS1v15(), prehashed)
    root = xmlsafe.parse(xml).getroot()

    s = seconds
    rates = {
        "ubl_sign_per_s": _rate(lambda: sign_ubl(xml, identity), s),
        "ubl_verify_per_s": _rate(lambda: verify_ubl(signed, trust), s),
        "detached_sign_per_s": _rate(lambda: sign_detached(xml, identity), s),
        "detached_verify_per_s": _rate(lambda: verify_detached(xml, detached, trust), s),
        "floor_rsa_sign_per_s": _rate(lambda: key.sign(digest, padding.PKCS1v15(), prehashed), s),
        "floor_rsa_verify_per_s": _rate(
            lambda: public.verify(raw_signature, digest, padding.PKCS1v15(), prehashed), s
        ),
        "floor_c14n_per_s": _rate(lambda: etree.tostring(root, method="c14n"), s),
    }
    return {
        "benchmark": "sign",
        "document": name,
        "document_bytes": len(xml),
        "key": f"RSA {key.key_size}",
        "python": platform.python_version(),
        "seconds_per_measurement": s,
        **{k: round(v, 1) for k, v in rates.items()},
        # How many raw RSA operations one of ours costs (1.0 would be free XML handling).
        "ubl_sign_cost_in_rsa_signs": round(
            rates["floor_rsa_sign_per_s"] / rates["ubl_sign_per_s"], 2
        ),
        "ubl_verify_cost_in_rsa_verifies": round(
            rates["floor_rsa_verify_per_s"] / rates["ubl_verify_per_s"], 2
        ),
        "ubl_verify_cost_in_c14n": round(rates["floor_c14n_per_s"] / rates["ubl_verify_per_s"], 2),
        "detached_sign_cost_in_rsa_signs": round(
            rates["floor_rsa_sign_per_s"] / rates["detached_sign_per_s"], 2
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    parser.add_argument("--invoice", type=Path, default=None)
    args = parser.parse_args()

    artefacts = Path(os.environ.get("GW_ARTEFACTS_DIR", "var/artefacts"))
    invoice = args.invoice or artefacts / "en16931-ubl-1.3.16/examples/ubl-tc434-example1.xml"
    print(json.dumps(measure(invoice.read_bytes(), args.seconds, name=invoice.name), indent=2))


if __name__ == "__main__":
    main()
