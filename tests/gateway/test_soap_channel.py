"""The generic SOAP channel against the tax agency sandbox: payload in, signed request out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree

from gateway.channels.base import OutboundMessage, SendOutcome, SendResult
from gateway.channels.soap import SoapChannel, SoapEndpoint
from gateway.signing.devca import KeyPaths
from gateway.signing.wssecurity import WsSecuritySigner
from sandbox.skat import SkatSandbox
from sandbox.skat_loopback import LoopbackTls, sandbox_from_keys, serve
from schemas import xmlsafe
from schemas.skat_contract import SERVICES
from tests.support.cvr import random_cvr

NV = "urn:oio:skat:nemvirksomhed:1.0.0"
WS = "urn:oio:skat:nemvirksomhed:ws:1.0.0"
SERVICE = SERVICES["ModtagMomsangivelseForeloebig"]


@pytest.fixture(scope="module")
def keys(keys_dir: Path) -> KeyPaths:
    return KeyPaths.under(keys_dir)


@pytest.fixture(scope="module")
def agency(
    keys: KeyPaths, artefacts_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, SkatSandbox]]:
    sandbox = sandbox_from_keys(
        artefacts_dir=artefacts_dir, keys=keys, state_path=tmp_path_factory.mktemp("soap") / "s.db"
    )
    tls = LoopbackTls(
        keys.ca_cert,
        keys.tls_server_cert,
        keys.tls_server_key,
        keys.tls_client_cert,
        keys.tls_client_key,
    )
    with serve(sandbox.app, tls=tls) as url:
        yield url, sandbox


def _signer(keys: KeyPaths) -> WsSecuritySigner:
    key = serialization.load_pem_private_key(keys.signing_key.read_bytes(), None)
    cert = x509.load_pem_x509_certificate(keys.signing_cert.read_bytes())
    return WsSecuritySigner(key=key, certificate=cert)  # type: ignore[arg-type]


class _Tampering:
    """Signs, then changes an amount: what a man in the middle would do."""

    def __init__(self, inner: WsSecuritySigner) -> None:
        self.inner = inner

    def apply(self, envelope: etree._Element, headers: dict[str, str]) -> Any:
        envelope, headers = self.inner.apply(envelope, headers)
        amount = next(envelope.iter(f"{{{NV}}}MomsAngivelseSalgsMomsBeloeb"))
        amount.text = str(int(amount.text or "0") + 1000)
        return envelope, headers

    def verify(self, envelope: etree._Element) -> etree._Element:
        return envelope


def _session(keys: KeyPaths, *, client_cert: bool = True) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.verify = str(keys.ca_cert)
    if client_cert:
        session.cert = (str(keys.tls_client_cert), str(keys.tls_client_key))
    return session


def _channel(
    url: str, keys: KeyPaths, artefacts_dir: Path, *, wsse: Any, client_cert: bool = True
) -> SoapChannel:
    def answer(message: OutboundMessage, body: etree._Element) -> SendOutcome:
        draft = body.findtext(f"{{{NV}}}TransaktionIdentifier")
        return SendOutcome(SendResult.DELIVERED, transmission_id=draft)

    def stamp(message: OutboundMessage, request: dict[str, Any]) -> dict[str, Any]:
        request["HovedOplysninger"] = {
            "TransaktionIdentifikator": message.message_id,
            "TransaktionTid": datetime.now(UTC),
        }
        return request

    return SoapChannel(
        name="skat",
        send=SoapEndpoint(
            wsdl=SERVICE.wsdl(artefacts_dir),
            operation=SERVICE.operation,
            address=f"{url}/{SERVICE.name}ServicePort",
            soap_action=SERVICE.soap_action,
        ),
        contract_root=artefacts_dir / "skat-vat-rsu",
        session=_session(keys, client_cert=client_cert),
        wsse=wsse,
        prepare=stamp,
        on_answer=answer,
    )


def _message(se: str, artefacts_dir: Path, message_id: str) -> OutboundMessage:
    """The agency's own sample request body, for our company and last quarter."""
    sample = (
        artefacts_dir / "skat-vat-rsu" / "samples" / "ModtagMomsangivelseForeloebig_I_Document.xml"
    ).read_bytes()
    root = xmlsafe.parse(sample).getroot()
    for el in root.iter(etree.Element):
        if etree.QName(el).localname == "VirksomhedSENummerIdentifikator":
            el.text = se
        elif etree.QName(el).localname == "AngivelsePeriodeFraDato":
            el.text = "2025-01-01"
        elif etree.QName(el).localname == "AngivelsePeriodeTilDato":
            el.text = "2025-03-31"
    return OutboundMessage(
        message_id=message_id,
        kind="vat_return",
        sender=se,
        recipient="skat",
        endpoint="",
        content_type="application/xml",
        payload=etree.tostring(root),
    )


def test_a_signed_payload_is_delivered_as_a_draft_and_a_repeat_gets_the_same_draft(
    agency: tuple[str, SkatSandbox], keys: KeyPaths, artefacts_dir: Path
) -> None:
    url, sandbox = agency
    se = random_cvr()
    sandbox.grant(se, x509.load_pem_x509_certificate(keys.signing_cert.read_bytes()))
    channel = _channel(url, keys, artefacts_dir, wsse=_signer(keys))
    message = _message(se, artefacts_dir, "m-signed-1")
    first = channel.send(message)
    assert first.result is SendResult.DELIVERED and first.transmission_id
    assert channel.send(message).transmission_id == first.transmission_id
    assert [d.transaction_id for d in sandbox.state.drafts(se)] == [first.transmission_id]


def test_an_unsigned_request_is_refused_by_the_sandbox(
    agency: tuple[str, SkatSandbox], keys: KeyPaths, artefacts_dir: Path
) -> None:
    url, sandbox = agency
    se = random_cvr()
    sandbox.grant(se, x509.load_pem_x509_certificate(keys.signing_cert.read_bytes()))
    outcome = _channel(url, keys, artefacts_dir, wsse=None).send(
        _message(se, artefacts_dir, "m-unsigned")
    )
    assert outcome.result is SendResult.REJECTED
    assert "InvalidSecurity" in (outcome.detail or "")
    assert sandbox.state.drafts(se) == []


def test_a_tampered_request_is_refused_by_the_sandbox(
    agency: tuple[str, SkatSandbox], keys: KeyPaths, artefacts_dir: Path
) -> None:
    url, sandbox = agency
    se = random_cvr()
    sandbox.grant(se, x509.load_pem_x509_certificate(keys.signing_cert.read_bytes()))
    outcome = _channel(url, keys, artefacts_dir, wsse=_Tampering(_signer(keys))).send(
        _message(se, artefacts_dir, "m-tampered")
    )
    assert outcome.result is SendResult.REJECTED
    assert "altered after signing" in (outcome.detail or "")
    assert sandbox.state.drafts(se) == []


def test_without_a_client_certificate_the_tls_handshake_fails_and_is_retried(
    agency: tuple[str, SkatSandbox], keys: KeyPaths, artefacts_dir: Path
) -> None:
    url, _ = agency
    outcome = _channel(url, keys, artefacts_dir, wsse=_signer(keys), client_cert=False).send(
        _message(random_cvr(), artefacts_dir, "m-no-tls-client")
    )
    assert outcome.result is SendResult.RETRY


def test_a_payload_that_is_not_the_operations_input_is_refused_before_sending(
    agency: tuple[str, SkatSandbox], keys: KeyPaths, artefacts_dir: Path
) -> None:
    url, _ = agency
    message = _message(random_cvr(), artefacts_dir, "m-wrong")
    wrong = replace(message, payload=b"<Invoice xmlns='urn:x'/>")
    outcome = _channel(url, keys, artefacts_dir, wsse=_signer(keys)).send(wrong)
    assert outcome.result is SendResult.REJECTED and "does not fit" in (outcome.detail or "")
