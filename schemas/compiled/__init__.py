"""The compiled rule engine: official Schematron run over the lxml tree, Saxon for the rest.

- ``model``: the patterns, rules and asserts of a skeleton-generated stylesheet.
- ``xpath``: XPath 2.0 tests as lxml XPath 1.0, or the reason they are not.
- ``functions``: the Python extension functions those expressions call.
- ``runner``: a compiled rule set, and the residual stylesheet Saxon runs.
- ``gate``: the rules that disagreed with Saxon on the official tests and stay there.
"""

__all__ = ["functions", "gate", "model", "runner", "xpath"]
