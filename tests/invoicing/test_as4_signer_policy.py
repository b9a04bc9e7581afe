"""AS4 admits only signers certified for AS4, even under the trusted access point CA."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from gateway.signing.devca import CertificateKind, IssuedCertificate, issue_certificate
from gateway.signing.keys import TrustStore
from invoicing.as4 import As4Refused, build_user_message, open_user_message
from invoicing.as4.devcerts import DevIdentity, make_dev_ca, make_dev_identity
from tests.invoicing.test_as4_http import DOC_TYPE, INVOICE, PROCESS, RECEIVER, SENDER


@pytest.fixture(scope="module")
def ca() -> DevIdentity:
    return make_dev_ca()


def _under(ca: DevIdentity, kind: CertificateKind) -> DevIdentity:
    issued = issue_certificate(
        kind,
        f"{kind} PDK000031",
        issuer=IssuedCertificate(ca.private_key, ca.certificate),
        key_size=2048,
    )
    assert isinstance(issued.private_key, rsa.RSAPrivateKey)
    return DevIdentity(issued.private_key, issued.certificate)


def _open(sender: DevIdentity, receiver: DevIdentity, ca: DevIdentity):  # type: ignore[no-untyped-def]
    sent = build_user_message(
        INVOICE,
        identity=sender,
        receiver_certificate=receiver.certificate,
        sender_id=SENDER,
        receiver_id=RECEIVER,
        doc_type_id=DOC_TYPE,
        process_id=PROCESS,
        country_c1="DK",
    )
    return open_user_message(
        sent.body, sent.content_type, identity=receiver, trust=TrustStore((ca.certificate,))
    )


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (CertificateKind.TLS_CLIENT, "TLS client certificate"),
        (CertificateKind.TLS_SERVER, "TLS server certificate"),
        (CertificateKind.DOCUMENT, "not certified for as4"),
        (CertificateKind.WS_SECURITY, "not certified for as4"),
    ],
)
def test_unfit_signers_under_the_ap_ca_are_refused(
    ca: DevIdentity, kind: CertificateKind, reason: str
) -> None:
    receiver = make_dev_identity("PDK000032", ca=ca)
    with pytest.raises(As4Refused) as refused:
        _open(_under(ca, kind), receiver, ca)
    assert refused.value.code == "EBMS:0101" and reason in str(refused.value)


@pytest.mark.parametrize("kind", [CertificateKind.AS4, CertificateKind.SIGNING])
def test_as4_signers_are_accepted(ca: DevIdentity, kind: CertificateKind) -> None:
    receiver = make_dev_identity("PDK000033", ca=ca)
    sender = _under(ca, kind)
    assert _open(sender, receiver, ca).signer == sender.certificate
