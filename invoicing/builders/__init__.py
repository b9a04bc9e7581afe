"""Builders that turn the internal model into UBL documents."""

from invoicing.builders.bis3 import build_bis3, build_bis3_tree
from invoicing.builders.oioubl import build_oioubl
from invoicing.builders.ordering import build_invoice_response, build_order, build_order_response

__all__ = [
    "build_bis3",
    "build_bis3_tree",
    "build_invoice_response",
    "build_oioubl",
    "build_order",
    "build_order_response",
]
