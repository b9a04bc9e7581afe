"""Server-rendered pages for people: officers, committee members, suppliers, accountants."""

from portal.app import install

__all__ = ["install"]
