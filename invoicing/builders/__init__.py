"""Builders that turn the internal model into UBL documents."""

from invoicing.builders.bis3 import build_bis3, build_bis3_tree

__all__ = ["build_bis3", "build_bis3_tree"]
