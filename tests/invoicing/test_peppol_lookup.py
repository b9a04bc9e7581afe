"""Peppol identifiers, the SML host name, and the SMP document formats with their signature."""

from __future__ import annotations

import pytest

from invoicing.as4.devcerts import DevIdentity, make_dev_ca, make_dev_identity
from invoicing.peppol import (
    NaptrRecord,
    NaptrSmlLocator,
    ParticipantNotFound,
    SmlLocator,
    StaticSmpLocator,
    smp_url_from_naptr,
)
from invoicing.peppol_ids import (
    InvalidPeppolId,
    ParticipantId,
    service_metadata_path,
    sml_cname_host,
    sml_naptr_host,
)
from invoicing.peppol_smp import SmpDirectory, SmpError, parse_signed_service_metadata
from tests.invoicing.test_as4_http import DOC_TYPE, PROCESS


def test_sml_host_matches_the_published_example() -> None:
    # Example from the Peppol document exchange explanation (SMK test zone).
    host = sml_cname_host(
        ParticipantId.parse("iso6523-actorid-upis::9915:test"), "acc.edelivery.tech.ec.europa.eu"
    )
    assert (
        host
        == "B-85008b8279e07ab0392da75fa55856a2.iso6523-actorid-upis.acc.edelivery.tech.ec.europa.eu"
    )


def test_sml_hosts_ignore_the_case_of_the_identifier() -> None:
    zone = "edelivery.tech.ec.europa.eu"
    upper, lower = ParticipantId.parse("0184:DK12345678"), ParticipantId.parse("0184:dk12345678")
    assert sml_cname_host(upper, zone) == sml_cname_host(lower, zone)
    assert sml_naptr_host(upper, zone) == sml_naptr_host(lower, zone)
    assert sml_naptr_host(upper, zone) != sml_naptr_host(
        ParticipantId.parse("0184:dk12345679"), zone
    )
    assert SmlLocator(zone).smp_url(upper) == "http://" + sml_cname_host(upper, zone)


@pytest.mark.parametrize("text", ["12345678", "184:12345678", "0184:", "abcd:1"])
def test_malformed_participant_ids_are_refused(text: str) -> None:
    with pytest.raises(InvalidPeppolId):
        ParticipantId.parse(text)


def test_both_spellings_of_a_participant_id_are_the_same_participant() -> None:
    assert ParticipantId.parse("0184:12345678") == ParticipantId.parse(
        "iso6523-actorid-upis::0184:12345678"
    )


def test_service_metadata_path_percent_encodes_the_identifiers() -> None:
    path = service_metadata_path(ParticipantId.parse("0184:12345678"), DOC_TYPE)
    assert path.startswith(
        "/iso6523-actorid-upis%3A%3A0184%3A12345678/services/busdox-docid-qns%3A%3A"
    )
    assert "#" not in path and "%23%23" in path


def test_static_locator_honours_overrides() -> None:
    locator = StaticSmpLocator(
        "http://127.0.0.1:1/smp", {"iso6523-actorid-upis::0184:1": "http://127.0.0.1:2"}
    )
    assert locator.smp_url(ParticipantId.parse("0184:1")) == "http://127.0.0.1:2"
    assert locator.smp_url(ParticipantId.parse("0184:2")) == "http://127.0.0.1:1/smp"


@pytest.fixture(scope="module")
def smp() -> tuple[SmpDirectory, DevIdentity, DevIdentity]:
    ca = make_dev_ca()
    smp_id, ap = make_dev_identity("SMP000009", ca=ca), make_dev_identity("PDK000009", ca=ca)
    directory = SmpDirectory(signer=(smp_id.private_key, smp_id.certificate))
    directory.register(
        "0184:12345678",
        DOC_TYPE,
        process_id=PROCESS,
        url="http://127.0.0.1:9/as4",
        certificate=ap.certificate,
    )
    return directory, smp_id, ap


def test_signed_service_metadata_reads_back(
    smp: tuple[SmpDirectory, DevIdentity, DevIdentity],
) -> None:
    directory, smp_id, ap = smp
    xml = directory.service_metadata("0184:12345678", DOC_TYPE)
    assert xml is not None
    redirect, endpoints = parse_signed_service_metadata(xml, smp_certificate=smp_id.certificate)
    assert redirect is None
    assert [(e.process_id, e.url, e.certificate) for e in endpoints] == [
        (PROCESS, "http://127.0.0.1:9/as4", ap.certificate)
    ]


def test_service_metadata_with_a_changed_endpoint_is_refused(
    smp: tuple[SmpDirectory, DevIdentity, DevIdentity],
) -> None:
    directory, smp_id, _ = smp
    xml = directory.service_metadata("0184:12345678", DOC_TYPE)
    assert xml is not None
    redirected = xml.replace(b"http://127.0.0.1:9/as4", b"http://127.0.0.1:6/as4")
    with pytest.raises(SmpError):
        parse_signed_service_metadata(redirected, smp_certificate=smp_id.certificate)


def test_service_metadata_signed_by_another_smp_is_refused(
    smp: tuple[SmpDirectory, DevIdentity, DevIdentity],
) -> None:
    directory, _, ap = smp
    xml = directory.service_metadata("0184:12345678", DOC_TYPE)
    assert xml is not None
    with pytest.raises(SmpError):
        parse_signed_service_metadata(xml, smp_certificate=ap.certificate)


def test_naptr_locator_takes_the_meta_smp_record_in_order() -> None:
    asked: list[str] = []

    def query(host: str) -> list[NaptrRecord]:
        asked.append(host)
        return [
            NaptrRecord(100, 10, "U", "Meta:SMP", "!^.*$!http://second.example!"),
            NaptrRecord(10, 10, "U", "Meta:Other", "!^.*$!http://wrong.example!"),
            NaptrRecord(50, 10, "U", "Meta:SMP", "!^.*$!https://smp.example/root!"),
        ]

    locator = NaptrSmlLocator("acc.edelivery.tech.ec.europa.eu", query)
    participant = ParticipantId.parse("9915:test")
    assert locator.smp_url(participant) == "https://smp.example/root"
    assert asked == [sml_naptr_host(participant, "acc.edelivery.tech.ec.europa.eu")]


def test_a_participant_without_smp_record_is_not_found() -> None:
    records = [NaptrRecord(10, 10, "S", "Meta:SMP", "")]
    with pytest.raises(ParticipantNotFound):
        smp_url_from_naptr(records, "x.iso6523-actorid-upis.example")
