"""eForms notices for TED: built from a tender by the SDK's field definitions."""

from tendering.eforms.build import Buyer, NoticeBuildError, Organisation, build_contract_notice
from tendering.eforms.sdk import Sdk, load_sdk

__all__ = [
    "Buyer",
    "NoticeBuildError",
    "Organisation",
    "Sdk",
    "build_contract_notice",
    "load_sdk",
]
