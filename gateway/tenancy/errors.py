"""Tenancy errors.

GatewayError
├── Unauthenticated   InvalidApiKey
├── Forbidden         RoleRequired, UnknownOrganisation
├── BadRequest        InvalidCvr
└── Conflict          OrganisationExists
"""

from __future__ import annotations

from gateway.errors import BadRequest, Conflict, Forbidden, Unauthenticated

__all__ = [
    "InvalidApiKey",
    "InvalidCvr",
    "OrganisationExists",
    "RoleRequired",
    "UnknownOrganisation",
]


class InvalidApiKey(Unauthenticated):
    title = "Invalid API key"


class RoleRequired(Forbidden):
    title = "Role required"


class InvalidCvr(BadRequest):
    title = "Invalid CVR number"


class OrganisationExists(Conflict):
    title = "Organisation exists"


class UnknownOrganisation(Forbidden):
    title = "Organisation not registered"
