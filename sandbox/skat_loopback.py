"""Development setup of the tax agency sandbox: keys, and serving on loopback with mutual TLS.

:func:`sandbox_from_keys` builds the sandbox from the development keys of
``gateway keys init``; :func:`make_loopback_tls` writes a throw-away CA with a
server certificate for 127.0.0.1/localhost and a client certificate;
:func:`serve` runs an ASGI app with uvicorn in a background thread on a free
loopback port, demanding a client certificate from that CA, and yields the
base URL.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gateway.signing.devca import CertificateKind, IssuedCertificate, KeyPaths, issue_certificate
from gateway.signing.keys import load_trust_store
from sandbox.skat import SkatSandbox
from sandbox.skat_state import SkatState

__all__ = ["LoopbackTls", "make_loopback_tls", "sandbox_from_keys", "serve"]


def sandbox_from_keys(
    *, artefacts_dir: Path, keys: KeyPaths, state_path: Path | None = None
) -> SkatSandbox:
    """The sandbox agency for the development keys: it trusts their CA and signs its answers.

    The agency's own signing certificate is made afresh by the development CA
    at each start, so anyone trusting ``keys.trust_store`` can verify answers.
    State lives in ``state_path`` (SQLite) when given, else in memory.
    """
    ca_key = serialization.load_pem_private_key(keys.ca_key.read_bytes(), None)
    if not isinstance(ca_key, rsa.RSAPrivateKey):
        raise TypeError("the development CA key is expected to be RSA")
    ca = IssuedCertificate(ca_key, x509.load_pem_x509_certificate(keys.ca_cert.read_bytes()))
    agency = issue_certificate(
        CertificateKind.SIGNING, "Skattestyrelsen sandbox", org_name="Sandbox agency", issuer=ca
    )
    if not isinstance(agency.private_key, rsa.RSAPrivateKey):
        raise TypeError("the agency signs with RSA, as the policy asks")
    return SkatSandbox(
        artefacts_dir=artefacts_dir,
        trust=load_trust_store(keys.trust_store),
        state=SkatState(state_path),
        server_key=agency.private_key,
        server_certificate=agency.certificate,
    )


@dataclass(frozen=True, slots=True)
class LoopbackTls:
    """PEM files for a TLS server and client that trust the same development CA."""

    ca_cert: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _write(path: Path, issued: IssuedCertificate) -> tuple[Path, Path]:
    cert = path.with_name(path.name + "-cert.pem")
    key = path.with_name(path.name + "-key.pem")
    cert.write_bytes(issued.certificate.public_bytes(serialization.Encoding.PEM))
    key.touch(mode=0o600)
    key.write_bytes(
        issued.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, key


def make_loopback_tls(directory: Path) -> LoopbackTls:
    """Write a development CA with a loopback server and a client certificate into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = issue_certificate(CertificateKind.CA, "Loopback TLS CA")
    server = issue_certificate(CertificateKind.TLS_SERVER, "localhost", issuer=ca)
    client = issue_certificate(CertificateKind.TLS_CLIENT, "gateway-client", issuer=ca)
    ca_cert, _ca_key = _write(directory / "ca", ca)
    server_cert, server_key = _write(directory / "server", server)
    client_cert, client_key = _write(directory / "client", client)
    return LoopbackTls(ca_cert, server_cert, server_key, client_cert, client_key)


@contextmanager
def serve(app: Any, *, tls: LoopbackTls | None, startup_timeout: float = 20.0) -> Iterator[str]:
    """Run ``app`` on 127.0.0.1 (mutual TLS when ``tls`` is given); yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    options: dict[str, Any] = {}
    if tls is not None:
        options = {
            "ssl_certfile": str(tls.server_cert),
            "ssl_keyfile": str(tls.server_key),
            "ssl_ca_certs": str(tls.ca_cert),
            "ssl_cert_reqs": ssl.CERT_REQUIRED,
        }
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", **options
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the loopback server did not start")
        time.sleep(0.02)
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
