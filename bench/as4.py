"""AS4 throughput between two access points on loopback, beside a plain-HTTP floor.

Starts a receiving access point (the sandbox AS4 app) in a child process, then sends
Peppol AS4 messages to it one after another, each verified by its signed receipt,
and as a floor POSTs the same bytes to a plain endpoint of the same server that
does no AS4 work. Prints JSON; ``ratio`` = AS4 rate / floor rate.

    .venv/bin/python bench/as4.py [--seconds 5] [--max 2000]
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from invoicing.as4 import DeliveryStatus, build_user_message, send_as4  # noqa: E402
from invoicing.as4.devcerts import DevIdentity, make_dev_ca, make_dev_identity  # noqa: E402
from invoicing.peppol import PeppolEndpoint  # noqa: E402
from invoicing.peppol_ids import ParticipantId  # noqa: E402

DOC_TYPE = (
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice"
    "##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
)
PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


def _invoice(lines: int) -> bytes:
    body = "".join(
        f"<cac:InvoiceLine><cbc:ID>{i}</cbc:ID><cbc:InvoicedQuantity unitCode='EA'>2</cbc:InvoicedQuantity>"
        f"<cbc:LineExtensionAmount currencyID='DKK'>200.00</cbc:LineExtensionAmount>"
        f"<cac:Item><cbc:Name>Vare {i}</cbc:Name></cac:Item></cac:InvoiceLine>"
        for i in range(lines)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
        'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
        'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
        f"<cbc:ID>BENCH-1</cbc:ID>{body}</Invoice>"
    ).encode()


def _write_identity(identity: DevIdentity, folder: Path, name: str) -> None:
    (folder / f"{name}.key").write_bytes(
        identity.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (folder / f"{name}.crt").write_bytes(
        identity.certificate.public_bytes(serialization.Encoding.PEM)
    )


def _read_identity(folder: Path, name: str) -> DevIdentity:
    key = serialization.load_pem_private_key((folder / f"{name}.key").read_bytes(), None)
    cert = x509.load_pem_x509_certificate((folder / f"{name}.crt").read_bytes())
    return DevIdentity(key, cert)  # type: ignore[arg-type]


def serve(folder: Path, port: int) -> None:
    """Child process: the receiving access point plus a plain floor endpoint."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Mount, Route

    from invoicing.as4 import As4Receiver, PinnedCertificates
    from invoicing.peppol_smp import SmpDirectory
    from sandbox.peppol import create_peppol_sandbox

    receiver, sender = _read_identity(folder, "receiver"), _read_identity(folder, "sender")
    ap = As4Receiver(
        identity=receiver,
        trust=PinnedCertificates((sender.certificate,)),
        deliver=lambda message: None,
    )
    peppol = create_peppol_sandbox(
        smp=SmpDirectory(signer=(receiver.private_key, receiver.certificate)), access_point=ap
    )

    async def plain(request: Request) -> Response:
        body = await request.body()
        return Response(str(len(body)).encode(), media_type="text/plain")

    app = Starlette(routes=[Route("/plain", plain, methods=["POST"]), Mount("/peppol", peppol)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the receiving access point exited")
        try:
            httpx.post(url + "/plain", content=b"x", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the receiving access point did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0, help="time budget per measurement")
    parser.add_argument("--max", type=int, default=2000, help="message cap per measurement")
    parser.add_argument("--lines", type=int, default=20, help="invoice lines in the document")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve), args.port)
        return

    ca = make_dev_ca()
    sender, receiver = make_dev_identity("PDK000101", ca=ca), make_dev_identity("PDK000102", ca=ca)
    document = _invoice(args.lines)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write_identity(sender, folder, "sender")
        _write_identity(receiver, folder, "receiver")
        port = _free_port()
        proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(folder), "--port", str(port)], cwd=str(ROOT)
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base, proc)
            endpoint = PeppolEndpoint(
                ParticipantId.parse("0184:22222222"),
                DOC_TYPE,
                PROCESS,
                base + "/peppol/as4",
                receiver.certificate,
            )
            result = _measure(args, sender, endpoint, document, base)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(json.dumps(result, indent=2))


def _measure(
    args: argparse.Namespace,
    sender: DevIdentity,
    endpoint: PeppolEndpoint,
    document: bytes,
    base: str,
) -> dict[str, object]:
    sample = build_user_message(
        document,
        identity=sender,
        receiver_certificate=endpoint.certificate,
        sender_id="0184:11111111",
        receiver_id="0184:22222222",
        doc_type_id=DOC_TYPE,
        process_id=PROCESS,
        country_c1="DK",
    )
    with httpx.Client(timeout=30) as client:
        for _ in range(5):  # warm up connections and caches on both sides
            client.post(
                base + "/plain", content=sample.body, headers={"Content-Type": sample.content_type}
            )
        as4_count, failures = 0, 0
        start = time.perf_counter()
        while as4_count < args.max and time.perf_counter() - start < args.seconds:
            outcome = send_as4(
                document,
                sender_id="0184:11111111",
                receiver_id="0184:22222222",
                doc_type_id=DOC_TYPE,
                process_id=PROCESS,
                identity=sender,
                endpoint=endpoint,
                client=client,
            )
            as4_count += 1
            failures += outcome.status is not DeliveryStatus.DELIVERED
        as4_elapsed = time.perf_counter() - start

        floor_count = 0
        start = time.perf_counter()
        while floor_count < args.max and time.perf_counter() - start < args.seconds:
            response = client.post(
                base + "/plain", content=sample.body, headers={"Content-Type": sample.content_type}
            )
            response.raise_for_status()
            floor_count += 1
        floor_elapsed = time.perf_counter() - start
    as4_rate = as4_count / as4_elapsed
    floor_rate = floor_count / floor_elapsed
    return {
        "benchmark": "as4_one_way_push_with_receipt",
        "document_bytes": len(document),
        "message_bytes": len(sample.body),
        "as4": {
            "messages": as4_count,
            "failed": failures,
            "seconds": round(as4_elapsed, 3),
            "per_second": round(as4_rate, 1),
        },
        "floor_plain_http_post": {
            "requests": floor_count,
            "seconds": round(floor_elapsed, 3),
            "per_second": round(floor_rate, 1),
        },
        "ratio_as4_to_floor": round(as4_rate / floor_rate, 3),
        "note": "sequential, one client; AS4 includes SBDH, gzip, RSA-SHA256 signing, AES-128-GCM + RSA-OAEP, "
        "receiver verification/decryption, signed receipt and its verification",
    }


if __name__ == "__main__":
    main()
