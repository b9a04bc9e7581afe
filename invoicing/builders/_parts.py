"""Party and address writers shared by the invoice and ordering builders."""

from __future__ import annotations

from lxml import etree

from invoicing.builders._xml import cac, cbc
from invoicing.model import Address, Party


def write_address(parent: etree._Element, tag: str, address: Address) -> None:
    el = cac(parent, tag)
    cbc(el, "StreetName", address.street)
    cbc(el, "AdditionalStreetName", address.additional_street)
    cbc(el, "CityName", address.city)
    cbc(el, "PostalZone", address.postal_zone)
    cbc(el, "CountrySubentity", address.subdivision)
    if address.address_line:
        cbc(cac(el, "AddressLine"), "Line", address.address_line)
    if address.country:
        cbc(cac(el, "Country"), "IdentificationCode", address.country)


def write_party(
    parent: etree._Element, party: Party, *, seller: bool, tax: bool = True
) -> etree._Element:
    """A cac:Party with the EN 16931 party terms; returns the Party element."""
    el = cac(parent, "Party")
    if party.endpoint is not None:
        cbc(el, "EndpointID", party.endpoint.value, schemeID=party.endpoint.scheme)
    for ident in party.identifiers:
        cbc(cac(el, "PartyIdentification"), "ID", ident.value, schemeID=ident.scheme)
    if party.trading_name:
        cbc(cac(el, "PartyName"), "Name", party.trading_name)
    if party.address != Address(country=""):  # a party read without any address
        write_address(el, "PostalAddress", party.address)
    if tax and party.vat_id:
        scheme = cac(el, "PartyTaxScheme")
        cbc(scheme, "CompanyID", party.vat_id)
        cbc(cac(scheme, "TaxScheme"), "ID", "VAT")
    if tax and seller and party.tax_registration_id:
        scheme = cac(el, "PartyTaxScheme")
        cbc(scheme, "CompanyID", party.tax_registration_id)
        cbc(cac(scheme, "TaxScheme"), "ID", "TAX")
    legal = cac(el, "PartyLegalEntity")
    cbc(legal, "RegistrationName", party.name)
    if party.legal_id is not None:
        cbc(legal, "CompanyID", party.legal_id.value, schemeID=party.legal_id.scheme)
    if seller:
        cbc(legal, "CompanyLegalForm", party.legal_form)
    if party.contact is not None:
        contact = cac(el, "Contact")
        cbc(contact, "Name", party.contact.name)
        cbc(contact, "Telephone", party.contact.telephone)
        cbc(contact, "ElectronicMail", party.contact.email)
    return el
