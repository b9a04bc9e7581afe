"""Official artefacts and document validation; imports nothing else of ours.

Modules (import the one you need; none is imported here, to keep ``import schemas`` light):

- ``xmlsafe``: the one hardened XML parser.
- ``artefacts``: manifest, hash-checked install/verify/list of the official artefact sets.
- ``plans``: validation plans (XSD + ordered rule sets) and document-type detection.
- ``engine``: Saxon (XSLT 2.0 Schematron) and lxml (XSD), compiled once per process.
- ``validation``: ``validate(xml, artefacts_dir=...)`` and the ``Validator``.
- ``report``: findings and reports as JSON, SVRL or text.
- ``dynamic``: a rule set's dynamic error (code, value, assert, context) out of Saxon's text.
- ``schematron``: .sch to XSLT compilation with the ISO skeleton (install time).
"""

__all__ = [
    "artefacts",
    "dynamic",
    "engine",
    "plans",
    "report",
    "schematron",
    "validation",
    "xmlsafe",
]
