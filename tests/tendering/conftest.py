"""Fixtures of the tendering tests: UBL 2.3 schemas, a gateway with a test clock, parties."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from lxml import etree

from gateway.app import create_app
from gateway.bootstrap import Container, bootstrap
from gateway.settings import Settings
from gateway.signing import SigningIdentity
from gateway.signing.devca import CertificateKind, IssuedCertificate, issue_certificate
from gateway.signing.keys import KeyPaths
from gateway.tenancy.service import create_key, create_organisation
from schemas.xmlsafe import parse
from tests.support.cvr import random_cvr

Validate = Callable[[bytes, str], list[str]]


@pytest.fixture(scope="session")
def ubl23(artefacts_dir: Path) -> Validate:
    """Validate bytes against the UBL 2.3 main-document XSD; return the error messages."""
    cache: dict[str, etree.XMLSchema] = {}
    maindoc = artefacts_dir / "ubl-2.3" / "xsd" / "maindoc"

    def validate(data: bytes, document: str) -> list[str]:
        if document not in cache:
            # Trusted schema files from the installed artefacts, not outside input.
            cache[document] = etree.XMLSchema(etree.parse(str(maindoc / f"UBL-{document}-2.3.xsd")))
        schema = cache[document]
        ok = schema.validate(parse(data))
        return [] if ok else [f"{e.line}: {e.message}" for e in schema.error_log]

    return validate


# -- a gateway with a clock the tests move ------------------------------------------


class Clock:
    """A settable UTC clock: deadlines pass without sleeping."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


@dataclass
class Org:
    cvr: str
    organisation_id: str
    name: str
    keys: dict[str, str] = field(default_factory=dict)
    principals: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}


@pytest.fixture(scope="session")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def tender_settings(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, artefacts_dir: Path
) -> Settings:
    data = tmp_path_factory.mktemp("tendering")
    return Settings(data_dir=data, database_url=database_url, artefacts_dir=artefacts_dir)


@pytest.fixture(scope="session")
def gw(tender_settings: Settings, clock: Clock) -> Container:
    """The container every tendering test runs on, with the test clock."""
    return bootstrap(tender_settings, clock=clock)


@pytest.fixture(scope="session")
def api(gw: Container) -> Iterator[TestClient]:
    with TestClient(create_app(gw, mount_sandbox=False)) as c:
        yield c


@pytest.fixture
def new_org(gw: Container) -> Callable[..., Org]:
    """An organisation with one API key per name; ``opening_member:2`` is a second member."""

    def make(*who: str, name: str = "Test ApS") -> Org:
        cvr = random_cvr()
        with gw.db.transaction() as s:
            org = create_organisation(s, cvr=cvr, name=name, actor="test")
            out = Org(cvr, org.id, name)
            for label in who:
                role = label.split(":")[0]
                made = create_key(s, organisation=org, role=role, name=label, actor="test")
                out.keys[label] = made.key
                out.principals[label] = made.principal_id
        return out

    return make


@pytest.fixture(scope="session")
def dev_ca(gw: Container) -> IssuedCertificate:
    """The development CA in the gateway's key directory (made on first use)."""
    from tendering._common import gateway_identity

    gateway_identity(gw)
    paths = KeyPaths.under(gw.settings.effective_keys_dir)
    key = serialization.load_pem_private_key(paths.ca_key.read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(paths.ca_cert.read_bytes())
    return IssuedCertificate(key, cert)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def party_identity(dev_ca: IssuedCertificate) -> Callable[[str], SigningIdentity]:
    """A signing certificate for a party, issued by the development CA (EC keys: fast)."""

    def make(name: str) -> SigningIdentity:
        issued = issue_certificate(
            CertificateKind.SIGNING,
            f"{name} signer",
            org_name=name,
            issuer=dev_ca,
            key=ec.generate_private_key(ec.SECP256R1()),
        )
        return SigningIdentity(issued.private_key, issued.certificate)

    return make


@pytest.fixture(scope="session")
def ocds_schema(artefacts_dir: Path) -> Callable[[bytes, str], list[str]]:
    """Validate published OCDS JSON against the 1.1 release or release-package schema."""
    import json
    from decimal import Decimal
    from typing import Any

    from jsonschema import Draft4Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT4

    base = artefacts_dir / "ocds-1.1"
    release = json.loads((base / "release-schema-1.1.json").read_text())
    package = json.loads((base / "release-package-schema-1.1.json").read_text())
    registry: Registry[Any] = Registry().with_resources(
        [
            (release["id"], DRAFT4.create_resource(release)),
            (package["id"], DRAFT4.create_resource(package)),
        ]
    )
    checker = Draft4Validator.FORMAT_CHECKER
    validators = {
        "release": Draft4Validator(release, registry=registry, format_checker=checker),
        "package": Draft4Validator(package, registry=registry, format_checker=checker),
    }

    def validate(data: bytes, which: str) -> list[str]:
        doc = json.loads(data, parse_float=Decimal)
        return [f"{list(e.absolute_path)}: {e.message}" for e in validators[which].iter_errors(doc)]

    return validate
