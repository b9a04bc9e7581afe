"""The tax agency sandbox over real HTTPS with mutual TLS: the agency's samples, security, rules."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from gateway.signing import TrustStore
from gateway.signing.devca import CertificateKind, IssuedCertificate, issue_certificate
from gateway.signing.wssecurity import WSSE_NS, sign_envelope, verify_envelope
from sandbox.skat import SkatSandbox, provider_of
from sandbox.skat_loopback import LoopbackTls, make_loopback_tls, serve
from sandbox.skat_state import SkatState
from schemas import xmlsafe
from schemas.skat_contract import CTX_NS, NEM_NS, WS_NS, schema_errors
from tests.support.cvr import random_cvr

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
SAMPLE_SE = "12345678"
START, END = datetime(2015, 1, 1, tzinfo=UTC), datetime(2045, 1, 1, tzinfo=UTC)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Pki:
    ca: IssuedCertificate
    provider: IssuedCertificate  # our software provider, CVR 11223344
    other_provider: IssuedCertificate
    agency: IssuedCertificate
    stranger: IssuedCertificate  # issued by a CA nobody trusts here

    @property
    def trust(self) -> TrustStore:
        return TrustStore((self.ca.certificate,))


@pytest.fixture(scope="module")
def pki() -> Pki:
    # Valid from 2015 so that requests signed "in 2018" (the samples' periods) are in date.
    def issue(kind: CertificateKind, name: str, org: str, issuer: IssuedCertificate | None):
        return issue_certificate(
            kind, name, org_name=org, issuer=issuer, not_before=START, not_after=END, key=_key()
        )

    ca = issue(CertificateKind.CA, "Sandbox WS-Security CA", "Gateway tests", None)
    rogue = issue(CertificateKind.CA, "Rogue CA", "Elsewhere", None)
    return Pki(
        ca=ca,
        provider=issue(CertificateKind.SIGNING, "Acme RSU", "Acme RSU ApS // CVR:11223344", ca),
        other_provider=issue(CertificateKind.SIGNING, "Other", "Other ApS // CVR:99887766", ca),
        agency=issue(CertificateKind.SIGNING, "Sandbox agency", "Skattestyrelsen sandbox", ca),
        stranger=issue(CertificateKind.SIGNING, "Stranger", "Elsewhere // CVR:55555555", rogue),
    )


class _Clock:
    def __init__(self) -> None:
        self.fixed: datetime | None = None

    def __call__(self) -> datetime:
        return self.fixed or datetime.now(UTC)


class _Swappable:
    """One server for the module; each test mounts a fresh sandbox behind it."""

    app: object = None

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        await self.app(scope, receive, send)  # type: ignore[operator]


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> LoopbackTls:
    return make_loopback_tls(tmp_path_factory.mktemp("skat-tls"))


@pytest.fixture(scope="module")
def server(tls: LoopbackTls) -> Iterator[tuple[str, _Swappable]]:
    swap = _Swappable()
    with serve(swap, tls=tls) as url:
        yield url, swap


@pytest.fixture
def clock() -> _Clock:
    return _Clock()


@pytest.fixture
def sandbox(
    server: tuple[str, _Swappable], pki: Pki, artefacts_dir: Path, clock: _Clock
) -> SkatSandbox:
    sandbox = SkatSandbox(
        artefacts_dir=artefacts_dir,
        trust=pki.trust,
        clock=clock,
        server_key=pki.agency.private_key,  # type: ignore[arg-type]
        server_certificate=pki.agency.certificate,
    )
    server[1].app = sandbox.app
    return sandbox


@pytest.fixture
def http(tls: LoopbackTls) -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False
    session.cert = (str(tls.client_cert), str(tls.client_key))
    session.verify = str(tls.ca_cert)
    yield session
    session.close()


@dataclass
class Answer:
    status: int
    root: etree._Element

    @property
    def payload(self) -> etree._Element:
        return self.root.find(f"{{{SOAP}}}Body")[0]

    def fault(self) -> tuple[str, str]:
        fault = self.payload
        assert etree.QName(fault).localname == "Fault", etree.tostring(fault)
        return fault.findtext("faultcode") or "", fault.findtext("faultstring") or ""

    def errors(self) -> list[int]:
        return [int(e.text) for e in self.payload.iter(f"{{{CTX_NS}}}FejlIdentifikator")]

    def advice(self) -> list[int]:
        return [int(e.text) for e in self.payload.iter(f"{{{CTX_NS}}}AdvisIdentifikator")]

    def text(self, ns: str, name: str) -> str | None:
        return self.payload.findtext(f".//{{{ns}}}{name}")


def _envelope(document: etree._Element) -> etree._Element:
    envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP})
    etree.SubElement(envelope, f"{{{SOAP}}}Body").append(document)
    return envelope


def _signed(document: etree._Element, signer: IssuedCertificate, now: datetime) -> bytes:
    envelope = _envelope(document)
    sign_envelope(envelope, key=signer.private_key, certificate=signer.certificate, now=now)  # type: ignore[arg-type]
    return etree.tostring(envelope)


def _post(http: requests.Session, url: str, service: str, body: bytes) -> Answer:
    response = http.post(
        f"{url}/{service}ServicePort",
        data=body,
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"get{service}"'},
        timeout=30,
    )
    return Answer(response.status_code, xmlsafe.parse(response.content).getroot())


def _head(message_id: str | None = None) -> str:
    return (
        f"<ns:HovedOplysninger><ns:TransaktionIdentifikator>{message_id or uuid.uuid4()}"
        "</ns:TransaktionIdentifikator><ns:TransaktionTid>2026-01-01T12:00:00Z</ns:TransaktionTid>"
        "</ns:HovedOplysninger>"
    )


_NS = (
    f'xmlns:ws="{WS_NS}" xmlns:ns="{CTX_NS}" xmlns:nem="{NEM_NS}" '
    'xmlns:v="http://rep.oio.dk/skat.dk/motor/class/virksomhed/xml/schemas/20080401/"'
)


def calendar_request(se: str, first: date, last: date, kind: str = "Moms") -> etree._Element:
    return xmlsafe.parse(
        (
            f"<ws:VirksomhedKalenderHent_I {_NS}>{_head()}"
            f"<v:VirksomhedSENummerIdentifikator>{se}</v:VirksomhedSENummerIdentifikator>"
            f"<nem:AngivelseTypeNavn>{kind}</nem:AngivelseTypeNavn><ws:AngivelseBetalingFristHentFra>"
            f"<nem:SoegeDatoFraDate>{first}</nem:SoegeDatoFraDate>"
            f"<nem:SoegeDatoTilDate>{last}</nem:SoegeDatoTilDate>"
            "</ws:AngivelseBetalingFristHentFra></ws:VirksomhedKalenderHent_I>"
        ).encode()
    ).getroot()


def submit_request(
    se: str, first: date, last: date, payable: int, message_id: str | None = None
) -> etree._Element:
    return xmlsafe.parse(
        (
            f"<ws:ModtagMomsangivelseForeloebig_I {_NS}>{_head(message_id)}<ws:Angivelse>"
            "<ws:AngiverVirksomhedSENummer>"
            f"<v:VirksomhedSENummerIdentifikator>{se}</v:VirksomhedSENummerIdentifikator>"
            "</ws:AngiverVirksomhedSENummer><ws:Angivelsesoplysninger>"
            f"<nem:AngivelsePeriodeFraDato>{first}</nem:AngivelsePeriodeFraDato>"
            f"<nem:AngivelsePeriodeTilDato>{last}</nem:AngivelsePeriodeTilDato>"
            "</ws:Angivelsesoplysninger><ws:Angivelsesafgifter>"
            f"<nem:MomsAngivelseAfgiftTilsvarBeloeb>{payable}</nem:MomsAngivelseAfgiftTilsvarBeloeb>"
            "</ws:Angivelsesafgifter></ws:Angivelse></ws:ModtagMomsangivelseForeloebig_I>"
        ).encode()
    ).getroot()


def receipt_request(se: str, draft_id: str) -> etree._Element:
    return xmlsafe.parse(
        (
            f"<ws:MomsangivelseKvitteringHent_I {_NS}>{_head()}"
            f"<nem:TransaktionIdentifier>{draft_id}</nem:TransaktionIdentifier><ws:Angiver>"
            f"<v:VirksomhedSENummerIdentifikator>{se}</v:VirksomhedSENummerIdentifikator>"
            "</ws:Angiver></ws:MomsangivelseKvitteringHent_I>"
        ).encode()
    ).getroot()


def _sample(artefacts_dir: Path, name: str) -> etree._Element:
    root = xmlsafe.parse_file(artefacts_dir / "skat-vat-rsu" / "samples" / name).getroot()
    if etree.QName(root).localname == "Envelope":
        return root.find(f"{{{SOAP}}}Body")[0]  # re-signed below, by our provider
    return root


def _fill_template(document: etree._Element) -> etree._Element:
    # The published request is a SoapUI template: "<!--Optional:-->" placeholders left empty.
    for element in list(document.iter()):
        if isinstance(element.tag, str) and len(element) == 0 and element.text is None:
            element.getparent().remove(element)
    return document


def _last_quarter(today: date) -> tuple[date, date]:
    first_month = ((today.month - 1) // 3) * 3 + 1
    end = date(today.year, first_month, 1) - timedelta(days=1)
    return date(end.year, end.month - 2, 1), end


# ------------------------------------------------------------------ the agency's samples

SAMPLES = {
    "VirksomhedKalenderHent_I_Document.xml": ("VirksomhedKalenderHent", [], []),
    "ModtagMomsangivelseForeloebig_I_Document.xml": ("ModtagMomsangivelseForeloebig", [], [5001]),
    "MomsangivelseKvitteringHent_I_Document.xml": ("MomsangivelseKvitteringHent", [4813], []),
    "full-sample-request.xml": ("VirksomhedKalenderHent", [4816], []),
    "VirksomhedKalenderHent_I_Document_Complete_With_SOAPENV.xml": (
        "VirksomhedKalenderHent",
        [4816],
        [],
    ),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_agency_sample_request_is_accepted(
    name: str,
    sandbox: SkatSandbox,
    server: tuple[str, _Swappable],
    http: requests.Session,
    pki: Pki,
    clock: _Clock,
    artefacts_dir: Path,
) -> None:
    """Re-signed by a delegated provider, each sample gets the answer the agency's rules give."""
    service, errors, advice = SAMPLES[name]
    clock.fixed = datetime(2018, 5, 15, 10, 0, tzinfo=UTC)  # the samples' time: Q1 2018 is open
    sandbox.grant(SAMPLE_SE, pki.provider.certificate)
    document = _fill_template(_sample(artefacts_dir, name))
    answer = _post(http, server[0], service, _signed(document, pki.provider, clock.fixed))

    assert answer.status == 200
    assert answer.errors() == errors
    assert answer.advice() == advice
    assert schema_errors(answer.payload, artefacts_dir=artefacts_dir) == []
    verify_envelope(answer.root, trust=pki.trust, now=clock.fixed)  # signed by the agency
    sent_id = document.findtext(
        f"{{{CTX_NS}}}HovedOplysninger/{{{CTX_NS}}}TransaktionIdentifikator"
    )
    assert answer.text(CTX_NS, "TransaktionIdentifikator") == sent_id
    if name == "VirksomhedKalenderHent_I_Document.xml":
        deadlines = [
            e.text for e in answer.payload.iter(f"{{{NEM_NS}}}AngivelseFristKalenderFristDato")
        ]
        assert deadlines == ["2018-06-01", "2018-09-01", "2018-12-01", "2019-03-01"]


def test_agency_sample_without_delegation_gets_the_agency_answer(
    sandbox: SkatSandbox,
    server: tuple[str, _Swappable],
    http: requests.Session,
    pki: Pki,
    artefacts_dir: Path,
) -> None:
    """The agency answered its own sample with 4801; so does the sandbox for an undelegated provider."""
    document = _sample(artefacts_dir, "full-sample-request.xml")
    answer = _post(
        http,
        server[0],
        "VirksomhedKalenderHent",
        _signed(document, pki.provider, datetime.now(UTC)),
    )
    expected = _sample(artefacts_dir, "full-sample-response.xml")
    head = f"{{{CTX_NS}}}HovedOplysningerSvar"
    for field in ("TransaktionIdentifikator", "ServiceIdentifikator", "TransaktionTid"):
        assert answer.payload.findtext(f"{head}/{{{CTX_NS}}}{field}") == expected.findtext(
            f"{head}/{{{CTX_NS}}}{field}"
        )
    assert answer.errors() == [4801]


def test_template_with_empty_amounts_is_refused_by_the_schema(
    sandbox: SkatSandbox,
    server: tuple[str, _Swappable],
    http: requests.Session,
    pki: Pki,
    artefacts_dir: Path,
) -> None:
    sandbox.grant(SAMPLE_SE, pki.provider.certificate)
    document = _sample(artefacts_dir, "ModtagMomsangivelseForeloebig_I_Document.xml")
    answer = _post(
        http,
        server[0],
        "ModtagMomsangivelseForeloebig",
        _signed(document, pki.provider, datetime.now(UTC)),
    )
    code, message = answer.fault()
    assert answer.status == 500
    assert code == "soap:Client"
    assert "MomsAngivelseCO2AfgiftBeloeb" in message and "integer" in message


# ------------------------------------------------------------------------ security


def test_unsigned_request_is_refused(
    sandbox: SkatSandbox, server: tuple[str, _Swappable], http: requests.Session
) -> None:
    body = etree.tostring(
        _envelope(calendar_request(random_cvr(), date(2026, 1, 1), date(2026, 12, 31)))
    )
    answer = _post(http, server[0], "VirksomhedKalenderHent", body)
    assert answer.status == 500
    assert answer.fault()[0] == "wsse:InvalidSecurity"


def test_tampered_request_is_refused(
    sandbox: SkatSandbox, server: tuple[str, _Swappable], http: requests.Session, pki: Pki
) -> None:
    se = random_cvr()
    sandbox.grant(se, pki.provider.certificate)
    signed = _signed(
        calendar_request(se, date(2026, 1, 1), date(2026, 12, 31)), pki.provider, datetime.now(UTC)
    )
    tampered = signed.replace(b"2026-12-31", b"2027-12-31")
    answer = _post(http, server[0], "VirksomhedKalenderHent", tampered)
    assert answer.fault() == ("wsse:FailedCheck", "the Body was altered after signing")


def test_expired_timestamp_is_refused(
    sandbox: SkatSandbox, server: tuple[str, _Swappable], http: requests.Session, pki: Pki
) -> None:
    old = datetime.now(UTC) - timedelta(hours=2)
    body = _signed(
        calendar_request(random_cvr(), date(2026, 1, 1), date(2026, 12, 31)), pki.provider, old
    )
    code, message = _post(http, server[0], "VirksomhedKalenderHent", body).fault()
    assert code == "wsse:MessageExpired"
    assert "expired" in message


def test_signer_outside_the_trust_store_is_refused(
    sandbox: SkatSandbox,
    server: tuple[str, _Swappable],
    http: requests.Session,
    pki: Pki,
    artefacts_dir: Path,
) -> None:
    body = _signed(
        calendar_request(random_cvr(), date(2026, 1, 1), date(2026, 12, 31)),
        pki.stranger,
        datetime.now(UTC),
    )
    assert _post(http, server[0], "VirksomhedKalenderHent", body).fault()[0] == (
        "wsse:InvalidSecurityToken"
    )
    # The agency's published sample, as signed by the agency's test certificate, is refused too.
    published = (
        artefacts_dir / "skat-vat-rsu" / "samples" / "full-sample-request.xml"
    ).read_bytes()
    assert _post(http, server[0], "VirksomhedKalenderHent", published).status == 500


def test_hostile_xml_is_refused_before_anything_else(
    sandbox: SkatSandbox, server: tuple[str, _Swappable], http: requests.Session
) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><soap:Envelope '
        b'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>&lol2;</soap:Body>'
        b"</soap:Envelope>"
    )
    answer = _post(http, server[0], "VirksomhedKalenderHent", bomb)
    code, message = answer.fault()
    assert (answer.status, code) == (500, "soap:Client")
    assert "DTD" in message


def test_client_without_a_tls_certificate_cannot_connect(
    sandbox: SkatSandbox, server: tuple[str, _Swappable], tls: LoopbackTls
) -> None:
    session = requests.Session()
    session.trust_env = False
    with pytest.raises(requests.exceptions.RequestException):
        session.post(
            f"{server[0]}/VirksomhedKalenderHentServicePort",
            data=b"<x/>",
            verify=str(tls.ca_cert),
            timeout=10,
        )


# ----------------------------------------------------------------------- the rules


def test_missing_delegation_is_4801_and_revocation_takes_effect(
    sandbox: SkatSandbox, server: tuple[str, _Swappable], http: requests.Session, pki: Pki
) -> None:
    se = random_cvr()

    def ask(signer: IssuedCertificate) -> list[int]:
        document = calendar_request(se, date(2026, 1, 1), date(2026, 12, 31))
        return _post(
            http, server[0], "VirksomhedKalenderHent", _signed(document, signer, datetime.now(UTC))
        ).errors()

    assert ask(pki.provider) == [4801]
    sandbox.grant(se, pki.provider.certificate)
    assert ask(pki.provider) == []
    assert ask(pki.other_provider) == [4801]  # a delegation names one software provider
    revoked = http.post(
        f"{server[0]}/_portal/revoke", json={"se": se, "provider": "CVR:11223344"}, timeout=10
    )
    assert revoked.status_code == 200
    assert ask(pki.provider) == [4801]


def test_reversed_search_dates_are_4817(
    sandbox: SkatSandbox, server: tuple[str, _Swappable], http: requests.Session, pki: Pki
) -> None:
    se = random_cvr()
    sandbox.grant(se, pki.provider.certificate)
    document = calendar_request(se, date(2026, 12, 31), date(2026, 1, 1))
    answer = _post(
        http,
        server[0],
        "VirksomhedKalenderHent",
        _signed(document, pki.provider, datetime.now(UTC)),
    )
    assert answer.errors() == [4817]


@pytest.mark.parametrize(
    ("period", "code"),
    [
        ((date(2026, 2, 1), date(2026, 4, 30)), 4802),  # not one of the company's quarters
        ((date(2026, 10, 1), date(2026, 12, 31)), 4803),  # has not ended on 2026-11-28
        ((date(2023, 1, 1), date(2023, 3, 31)), 4804),  # more than three years back
    ],
    ids=["not-open", "not-ended", "too-old"],
)
def test_period_rules(
    period: tuple[date, date],
    code: int,
    sandbox: SkatSandbox,
    server: tuple[str, _Swappable],
    http: requests.Session,
    pki: Pki,
    clock: _Clock,
) -> None:
    clock.fixed = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    se = random_cvr()
    sandbox.grant(se, pki.provider.certificate)
    body = _signed(submit_request(se, *period, payable=100), pki.provider, clock.fixed)
    assert _post(http, server[0], "ModtagMomsangivelseForeloebig", body).errors() == [code]


def test_resend_gets_the_first_answer_and_reuse_is_refused(
    sandbox: SkatSandbox, server: tuple[str, _Swappable], http: requests.Session, pki: Pki
) -> None:
    se = random_cvr()
    sandbox.grant(se, pki.provider.certificate)
    quarter = _last_quarter(date.today())
    message_id = str(uuid.uuid4())
    first = _post(
        http,
        server[0],
        "ModtagMomsangivelseForeloebig",
        _signed(submit_request(se, *quarter, 1000, message_id), pki.provider, datetime.now(UTC)),
    )
    again = _post(
        http,
        server[0],
        "ModtagMomsangivelseForeloebig",
        _signed(submit_request(se, *quarter, 1000, message_id), pki.provider, datetime.now(UTC)),
    )
    draft_id = first.text(NEM_NS, "TransaktionIdentifier")
    assert draft_id and again.text(NEM_NS, "TransaktionIdentifier") == draft_id
    assert len(sandbox.state.drafts(se)) == 1
    other = _post(
        http,
        server[0],
        "ModtagMomsangivelseForeloebig",
        _signed(submit_request(se, *quarter, 2000, message_id), pki.provider, datetime.now(UTC)),
    )
    code, message = other.fault()
    assert code == "soap:Client" and message_id in message


def test_draft_approval_receipt_and_correction(
    sandbox: SkatSandbox, server: tuple[str, _Swappable], http: requests.Session, pki: Pki
) -> None:
    se = random_cvr()
    sandbox.grant(se, pki.provider.certificate)
    quarter = _last_quarter(date.today())

    def submit(payable: int) -> Answer:
        body = _signed(submit_request(se, *quarter, payable), pki.provider, datetime.now(UTC))
        return _post(http, server[0], "ModtagMomsangivelseForeloebig", body)

    def receipt(draft_id: str) -> Answer:
        body = _signed(receipt_request(se, draft_id), pki.provider, datetime.now(UTC))
        return _post(http, server[0], "MomsangivelseKvitteringHent", body)

    ordinary = submit(1500)
    draft_id = ordinary.text(NEM_NS, "TransaktionIdentifier") or ""
    assert ordinary.advice() == [5001]
    link = ordinary.text(NEM_NS, "UrlIndicator") or ""
    assert http.get(link, timeout=10).json()["status"] == "pending"
    assert receipt(draft_id).errors() == [4810]

    approved = http.post(
        f"{server[0]}/_portal/approve", json={"transaction_id": draft_id}, timeout=10
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    first_receipt = receipt(draft_id)
    assert first_receipt.advice() == [5004]
    pdf = base64.b64decode(first_receipt.text(NEM_NS, "DokumentFilIndholdData") or "")
    assert pdf.startswith(b"%PDF-") and se.encode() in pdf
    assert first_receipt.text(NEM_NS, "BetalingIkkeBetaltBeloeb") == "1500"

    correction = submit(1800)
    correction_id = correction.text(NEM_NS, "TransaktionIdentifier") or ""
    assert correction.advice() == [5002]
    sandbox.approve(correction_id)
    second_receipt = receipt(correction_id)
    assert second_receipt.advice() == [5003]
    assert second_receipt.text(NEM_NS, "BetalingIkkeBetaltBeloeb") == "300"  # only the difference


def test_rejected_and_replaced_drafts_have_no_receipt(
    sandbox: SkatSandbox, server: tuple[str, _Swappable], http: requests.Session, pki: Pki
) -> None:
    se = random_cvr()
    sandbox.grant(se, pki.provider.certificate)
    quarter = _last_quarter(date.today())

    def submit() -> str:
        body = _signed(submit_request(se, *quarter, 10), pki.provider, datetime.now(UTC))
        return (
            _post(http, server[0], "ModtagMomsangivelseForeloebig", body).text(
                NEM_NS, "TransaktionIdentifier"
            )
            or ""
        )

    def receipt_errors(draft_id: str, company: str = se) -> list[int]:
        body = _signed(receipt_request(company, draft_id), pki.provider, datetime.now(UTC))
        return _post(http, server[0], "MomsangivelseKvitteringHent", body).errors()

    replaced, rejected = submit(), submit()
    response = http.post(
        f"{server[0]}/_portal/reject", json={"transaction_id": rejected}, timeout=10
    )
    assert response.status_code == 200
    assert receipt_errors(rejected) == [4811]
    assert receipt_errors(replaced) == [4812]
    assert receipt_errors(str(uuid.uuid4())) == [4813]
    other = random_cvr()
    sandbox.grant(other, pki.provider.certificate)
    assert receipt_errors(rejected, other) == [4813]  # another company's draft stays invisible


def test_portal_knows_only_pending_drafts(
    sandbox: SkatSandbox, server: tuple[str, _Swappable], http: requests.Session, pki: Pki
) -> None:
    unknown = http.post(f"{server[0]}/_portal/approve", json={"transaction_id": "nope"}, timeout=10)
    assert unknown.status_code == 404
    se = random_cvr()
    sandbox.grant(se, pki.provider.certificate)
    body = _signed(
        submit_request(se, *_last_quarter(date.today()), 10), pki.provider, datetime.now(UTC)
    )
    draft_id = _post(http, server[0], "ModtagMomsangivelseForeloebig", body).text(
        NEM_NS, "TransaktionIdentifier"
    )
    assert http.post(
        f"{server[0]}/_portal/approve", json={"transaction_id": draft_id}, timeout=10
    ).ok
    twice = http.post(f"{server[0]}/_portal/approve", json={"transaction_id": draft_id}, timeout=10)
    assert twice.status_code == 409


def test_state_survives_a_restart(tmp_path: Path, pki: Pki) -> None:
    path = tmp_path / "skat.sqlite"
    first = SkatState(path)
    first.grant("12345678", provider_of(pki.provider.certificate))
    draft = first.add_draft(
        transaction_id="t-1",
        se="12345678",
        period=(date(2026, 7, 1), date(2026, 9, 30)),
        fields={"MomsAngivelseAfgiftTilsvarBeloeb": 5},
        provider="CVR:11223344",
        now=datetime.now(UTC),
    )
    first.close()
    second = SkatState(path)
    assert second.is_delegated("12345678", "CVR:11223344")
    assert second.draft("t-1") == draft


def test_provider_is_named_by_the_cvr_in_its_certificate(pki: Pki) -> None:
    assert provider_of(pki.provider.certificate) == "CVR:11223344"
    assert provider_of(pki.agency.certificate).startswith("SHA256:")


def test_sample_certificates_name_their_provider(artefacts_dir: Path) -> None:
    from cryptography import x509

    root = xmlsafe.parse_file(
        artefacts_dir / "skat-vat-rsu" / "samples" / "full-sample-request.xml"
    ).getroot()
    token = next(root.iter(f"{{{WSSE_NS}}}BinarySecurityToken"))
    certificate = x509.load_der_x509_certificate(base64.b64decode("".join(token.text.split())))
    assert provider_of(certificate) == "CVR:30808460"


def test_mounted_under_a_prefix_the_approval_link_follows(
    sandbox: SkatSandbox, server: tuple[str, _Swappable], http: requests.Session, pki: Pki
) -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    server[1].app = Starlette(routes=[Mount("/skat", app=sandbox.app)])
    base = f"{server[0]}/skat"
    se = random_cvr()
    sandbox.grant(se, pki.provider.certificate)
    body = _signed(
        submit_request(se, *_last_quarter(date.today()), 10), pki.provider, datetime.now(UTC)
    )
    link = (
        _post(http, base, "ModtagMomsangivelseForeloebig", body).text(NEM_NS, "UrlIndicator") or ""
    )
    assert link.startswith(f"{base}/_portal/drafts/")
    assert http.get(link, timeout=10).json()["se"] == se
