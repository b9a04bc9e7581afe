"""The SKAT VAT client against the sandbox agency, over HTTPS with mutual TLS on loopback."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from gateway.signing import TrustStore, init_keys, load_signing_identity, load_trust_store
from gateway.signing.devca import CertificateKind, IssuedCertificate, issue_certificate
from gateway.signing.wssecurity import verify_envelope
from reporting.periods import parse_period
from reporting.skat import (
    SkatClient,
    SkatConnection,
    fetch_calendar,
    fetch_receipt,
    submit_vat_draft,
)
from reporting.skat_errors import (
    SkatBadResponse,
    SkatContractError,
    SkatCorrectionMismatch,
    SkatDraftNotApproved,
    SkatFault,
    SkatInputError,
    SkatNotDelegated,
    SkatUnreachable,
)
from reporting.skat_replies import VAT_FIELDS
from sandbox.skat import SkatSandbox, provider_of
from sandbox.skat_loopback import LoopbackTls, make_loopback_tls, sandbox_from_keys, serve
from schemas import xmlsafe
from schemas.skat_contract import schema_errors
from tests.support.cvr import random_cvr

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Pki:
    ca: IssuedCertificate
    provider: IssuedCertificate
    agency: IssuedCertificate
    stranger: IssuedCertificate

    @property
    def trust(self) -> TrustStore:
        return TrustStore((self.ca.certificate,))


@pytest.fixture(scope="module")
def pki() -> Pki:
    ca = issue_certificate(CertificateKind.CA, "WS-Security CA", key=_key())
    rogue = issue_certificate(CertificateKind.CA, "Rogue CA", key=_key())
    return Pki(
        ca=ca,
        provider=issue_certificate(
            CertificateKind.SIGNING,
            "Acme RSU",
            org_name="Acme ApS // CVR:11223344",
            issuer=ca,
            key=_key(),
        ),
        agency=issue_certificate(CertificateKind.SIGNING, "Agency", issuer=ca, key=_key()),
        stranger=issue_certificate(CertificateKind.SIGNING, "Stranger", issuer=rogue, key=_key()),
    )


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> LoopbackTls:
    return make_loopback_tls(tmp_path_factory.mktemp("skat-client-tls"))


@pytest.fixture(scope="module")
def agency(pki: Pki, artefacts_dir: Path, tls: LoopbackTls) -> Iterator[tuple[str, SkatSandbox]]:
    sandbox = SkatSandbox(
        artefacts_dir=artefacts_dir,
        trust=pki.trust,
        server_key=pki.agency.private_key,  # type: ignore[arg-type]
        server_certificate=pki.agency.certificate,
    )
    with serve(sandbox.app, tls=tls) as url:
        yield url, sandbox


def _connection(
    url: str, pki: Pki, tls: LoopbackTls, artefacts_dir: Path, **overrides: object
) -> SkatConnection:
    options: dict[str, object] = {
        "artefacts_dir": artefacts_dir,
        "base_url": url,
        "signing_key": pki.provider.private_key,
        "signing_certificate": pki.provider.certificate,
        "tls_client": (tls.client_cert, tls.client_key),
        "tls_verify": tls.ca_cert,
        "agency_trust": pki.trust,
    }
    options.update(overrides)
    return SkatConnection(**options)  # type: ignore[arg-type]


@pytest.fixture
def client(
    agency: tuple[str, SkatSandbox], pki: Pki, tls: LoopbackTls, artefacts_dir: Path
) -> Iterator[SkatClient]:
    with SkatClient(_connection(agency[0], pki, tls, artefacts_dir)) as skat:
        yield skat


@pytest.fixture
def company(agency: tuple[str, SkatSandbox], pki: Pki) -> str:
    """A company that has delegated VAT reporting to our software provider."""
    se = random_cvr()
    agency[1].grant(se, pki.provider.certificate)
    return se


def _last_quarter() -> tuple[date, date]:
    today = date.today()
    end = date(today.year, ((today.month - 1) // 3) * 3 + 1, 1) - timedelta(days=1)
    return date(end.year, end.month - 2, 1), end


ALL_FIELDS = {name: index * 100 for index, name in enumerate(VAT_FIELDS, start=1)}
REQUESTS: dict[str, tuple[str, dict[str, Any]]] = {
    "calendar": (
        "VirksomhedKalenderHent",
        {
            "HovedOplysninger": {
                "TransaktionIdentifikator": "m-1",
                "TransaktionTid": datetime.now(UTC),
            },
            "VirksomhedSENummerIdentifikator": "12345678",
            "AngivelseTypeNavn": "Moms",
            "AngivelseBetalingFristHentFra": {
                "SoegeDatoFraDate": date(2026, 1, 1),
                "SoegeDatoTilDate": date(2026, 12, 31),
            },
        },
    ),
    "draft-every-field": (
        "ModtagMomsangivelseForeloebig",
        {
            "HovedOplysninger": {
                "TransaktionIdentifikator": "m-2",
                "TransaktionTid": datetime.now(UTC),
            },
            "Angivelse": {
                "AngiverVirksomhedSENummer": {"VirksomhedSENummerIdentifikator": "12345678"},
                "Angivelsesoplysninger": {
                    "AngivelsePeriodeFraDato": date(2026, 7, 1),
                    "AngivelsePeriodeTilDato": date(2026, 9, 30),
                },
                "Angivelsesafgifter": ALL_FIELDS,
            },
        },
    ),
    "receipt": (
        "MomsangivelseKvitteringHent",
        {
            "HovedOplysninger": {
                "TransaktionIdentifikator": "m-3",
                "TransaktionTid": datetime.now(UTC),
            },
            "TransaktionIdentifier": "draft-1",
            "Angiver": {"VirksomhedSENummerIdentifikator": "12345678"},
        },
    ),
}


@pytest.mark.parametrize("case", sorted(REQUESTS))
def test_generated_requests_follow_the_xsd_and_are_signed(
    case: str, client: SkatClient, pki: Pki, artefacts_dir: Path
) -> None:
    service, request = REQUESTS[case]
    envelope = client.envelope(service, **request)
    wire = etree.tostring(envelope)
    received = xmlsafe.parse(wire).getroot()
    body = received.find(f"{{{SOAP}}}Body")
    assert schema_errors(body[0], artefacts_dir=artefacts_dir) == []
    assert verify_envelope(received, trust=pki.trust).certificate == pki.provider.certificate
    if case == "draft-every-field":
        sent = [etree.QName(e).localname for e in body.iter() if "Beloeb" in str(e.tag)]
        assert sent == list(VAT_FIELDS)  # the XSD's sequence, whatever order the caller used


def test_vat_return_from_calendar_to_receipt(
    client: SkatClient, company: str, agency: tuple[str, SkatSandbox], tls: LoopbackTls
) -> None:
    year = date.today().year
    calendar = fetch_calendar(
        client=client, se=company, start=date(year, 1, 1), end=date(year, 12, 31)
    )
    assert calendar.frequency == "quarterly"
    assert (calendar.entries[0].period_start, calendar.entries[0].period_end) == (
        date(year, 1, 1),
        date(year, 3, 31),
    )
    assert calendar.entries[0].deadline == date(year, 6, 1)

    quarter = _last_quarter()
    fields = {
        "MomsAngivelseSalgsMomsBeloeb": Decimal("2000"),
        "MomsAngivelseKoebsMomsBeloeb": 500,
        "MomsAngivelseAfgiftTilsvarBeloeb": Decimal("1500.00"),
    }
    draft = submit_vat_draft(
        client=client, se=company, period=quarter, fields=fields, correction=False
    )
    assert (draft.correction, draft.advice_code) == (False, 5001)
    assert draft.approval_url and draft.draft_id in draft.approval_url

    with pytest.raises(SkatDraftNotApproved) as waiting:
        fetch_receipt(client=client, se=company, draft_id=draft.draft_id)
    assert waiting.value.code == 4810
    assert "must approve it on skat.dk" in waiting.value.detail

    # The company approves on the portal (the sandbox's stand-in for skat.dk).
    session = requests.Session()
    session.trust_env = False
    response = session.post(
        f"{agency[0]}/_portal/approve",
        json={"transaction_id": draft.draft_id},
        cert=(str(tls.client_cert), str(tls.client_key)),
        verify=str(tls.ca_cert),
        timeout=10,
    )
    assert response.status_code == 200
    receipt = fetch_receipt(client=client, se=company, draft_id=draft.draft_id)
    assert receipt.pdf.startswith(b"%PDF-")
    assert receipt.amount_due == Decimal(1500)
    assert receipt.payment_deadline is not None and receipt.payment_deadline > quarter[1]
    assert receipt.ocr_line and receipt.ocr_line.startswith("+71<")
    assert receipt.correction is False

    correction = submit_vat_draft(
        client=client,
        se=company,
        period=parse_period(f"{quarter[0].year}-Q{(quarter[0].month + 2) // 3}"),
        fields={"MomsAngivelseAfgiftTilsvarBeloeb": 1700},
        correction=True,
    )
    assert (correction.correction, correction.advice_code) == (True, 5002)
    with pytest.raises(SkatCorrectionMismatch) as mismatch:
        submit_vat_draft(
            client=client,
            se=company,
            period=quarter,
            fields={"MomsAngivelseAfgiftTilsvarBeloeb": 1800},
            correction=False,
        )
    assert "correction" in mismatch.value.detail


def test_missing_delegation_tells_what_to_do(client: SkatClient) -> None:
    se = random_cvr()
    with pytest.raises(SkatNotDelegated) as refused:
        fetch_calendar(client=client, se=se, start=date(2026, 1, 1), end=date(2026, 3, 31))
    error = refused.value
    assert error.code == 4801
    assert error.status == 403
    assert f"company CVR/SE {se}" in error.detail
    assert "the company must grant it on skat.dk" in error.detail
    assert error.to_problem()["code"] == 4801


def test_a_resend_with_the_same_message_id_makes_one_draft(
    client: SkatClient, company: str, agency: tuple[str, SkatSandbox]
) -> None:
    fields = {"MomsAngivelseAfgiftTilsvarBeloeb": 10}
    first = submit_vat_draft(
        client=client, se=company, period=_last_quarter(), fields=fields, message_id="submission-42"
    )
    again = submit_vat_draft(
        client=client, se=company, period=_last_quarter(), fields=fields, message_id="submission-42"
    )
    assert again.draft_id == first.draft_id
    assert len(agency[1].state.drafts(company)) == 1


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"MomsAngivelseAfgiftTilsvarBeloeb": Decimal("10.50")}, "whole kroner"),
        ({"MomsAngivelseAfgiftTilsvarBeloeb": 10.0}, "int or a Decimal"),
        ({"MomsAngivelseAfgiftTilsvarBeloeb": 1, "Salgsmoms": 2}, "unknown VAT return fields"),
        ({"MomsAngivelseSalgsMomsBeloeb": 2}, "is required"),
    ],
    ids=["fraction", "float", "unknown-field", "missing-payable"],
)
def test_invalid_amounts_are_refused_before_sending(
    fields: dict[str, object], words: str, pki: Pki, tls: LoopbackTls, artefacts_dir: Path
) -> None:
    # Nothing listens here: an attempt to send would end in SkatUnreachable instead.
    with (
        SkatClient(
            _connection(f"https://127.0.0.1:{_closed_port()}", pki, tls, artefacts_dir)
        ) as skat,
        pytest.raises(SkatInputError) as refused,
    ):
        submit_vat_draft(client=skat, se="12345678", period=_last_quarter(), fields=fields)
    assert words in refused.value.detail


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_agency(pki: Pki, tls: LoopbackTls, artefacts_dir: Path) -> None:
    with (
        SkatClient(
            _connection(f"https://127.0.0.1:{_closed_port()}", pki, tls, artefacts_dir)
        ) as skat,
        pytest.raises(SkatUnreachable),
    ):
        fetch_calendar(client=skat, se="12345678", start=date(2026, 1, 1), end=date(2026, 3, 31))


def test_security_refusal_is_reported_with_its_fault_code(
    agency: tuple[str, SkatSandbox], pki: Pki, tls: LoopbackTls, artefacts_dir: Path
) -> None:
    connection = _connection(
        agency[0],
        pki,
        tls,
        artefacts_dir,
        signing_key=pki.stranger.private_key,
        signing_certificate=pki.stranger.certificate,
    )
    with SkatClient(connection) as skat, pytest.raises(SkatFault) as refused:
        fetch_calendar(client=skat, se="12345678", start=date(2026, 1, 1), end=date(2026, 3, 31))
    assert refused.value.code == "wsse:InvalidSecurityToken"


def test_answer_from_an_untrusted_signer_is_refused(
    agency: tuple[str, SkatSandbox], company: str, pki: Pki, tls: LoopbackTls, artefacts_dir: Path
) -> None:
    # Trust only the TLS CA for answers: the agency's signing certificate does not chain to it.
    connection = _connection(
        agency[0], pki, tls, artefacts_dir, agency_trust=load_trust_store(tls.ca_cert)
    )
    with SkatClient(connection) as skat, pytest.raises(SkatBadResponse) as refused:
        fetch_calendar(client=skat, se=company, start=date(2026, 1, 1), end=date(2026, 3, 31))
    assert "signature" in refused.value.detail


@pytest.mark.parametrize("where", ["remote", "local-outside"])
def test_contract_is_read_from_the_installed_artefacts_only(
    where: str, tmp_path: Path, pki: Pki, tls: LoopbackTls, artefacts_dir: Path
) -> None:
    """A WSDL that points outside the installed artefacts must not be followed."""
    source = artefacts_dir / "skat-vat-rsu" / "VirksomhedKalenderHent"
    installed = tmp_path / "installed"
    target = installed / "skat-vat-rsu" / "VirksomhedKalenderHent"
    shutil.copytree(source, target)
    outside = tmp_path / "outside.xsd"
    outside.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:elsewhere"/>'
    )
    location = "https://example.invalid/x.xsd" if where == "remote" else outside.as_uri()
    wsdl = target / "VirksomhedKalenderHent.wsdl"
    text = wsdl.read_bytes().decode("utf-16").replace('encoding="UTF-16"', 'encoding="UTF-8"')
    text = text.replace(
        '<xsd:include schemaLocation="urn/',
        f'<xsd:import namespace="urn:elsewhere" schemaLocation="{location}"/>'
        '<xsd:include schemaLocation="urn/',
    )
    wsdl.write_text(text, encoding="utf-8")
    with (
        SkatClient(_connection("https://127.0.0.1:9", pki, tls, installed)) as skat,
        pytest.raises(SkatContractError) as refused,
    ):
        fetch_calendar(client=skat, se="12345678", start=date(2026, 1, 1), end=date(2026, 3, 31))
    assert refused.value.detail.startswith("refusing to fetch ")
    assert location.removeprefix("file://") in refused.value.detail


def test_development_keys_work_end_to_end(
    tmp_path: Path, artefacts_dir: Path, tls: LoopbackTls
) -> None:
    """`gateway keys init` keys: the sandbox trusts the gateway's signer, the client trusts the agency."""
    keys = init_keys(tmp_path / "keys")
    identity = load_signing_identity(keys.signing_p12)
    state = tmp_path / "skat.sqlite"
    se = random_cvr()
    with serve(
        sandbox_from_keys(artefacts_dir=artefacts_dir, keys=keys, state_path=state).app, tls=tls
    ) as url:
        session = requests.Session()
        session.trust_env = False
        delegated = session.post(
            f"{url}/_portal/delegate",
            json={"se": se, "certificate_pem": identity.certificate_pem().decode()},
            cert=(str(tls.client_cert), str(tls.client_key)),
            verify=str(tls.ca_cert),
            timeout=10,
        )
        assert delegated.status_code == 200
        connection = SkatConnection(
            artefacts_dir=artefacts_dir,
            base_url=url,
            signing_key=identity.private_key,
            signing_certificate=identity.certificate,
            tls_client=(tls.client_cert, tls.client_key),
            tls_verify=tls.ca_cert,
            agency_trust=load_trust_store(keys.trust_store),
        )
        with SkatClient(connection) as skat:
            calendar = fetch_calendar(
                client=skat, se=se, start=date(2026, 1, 1), end=date(2026, 6, 30)
            )
    assert [e.deadline for e in calendar.entries] == [date(2026, 6, 1), date(2026, 9, 1)]
    restarted = sandbox_from_keys(artefacts_dir=artefacts_dir, keys=keys, state_path=state)
    assert restarted.state.is_delegated(se, provider_of(identity.certificate))
