"""The ``gateway`` command: one Typer app, a module per group of commands."""

from __future__ import annotations

import importlib

import typer

__all__ = ["app", "main"]

app = typer.Typer(
    name="gateway",
    help="Gateway for automatic business reporting and e-procurement.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# (module, attribute, group name or None for top-level commands)
_GROUPS: list[tuple[str, str, str | None]] = [
    ("gateway.cli.server", "register", None),
    ("gateway.cli.admin", "register", None),
    ("gateway.cli.demo", "register", None),
    ("gateway.cli.artefacts", "app", "artefacts"),
    ("gateway.cli.keys", "app", "keys"),
    ("gateway.cli.validate", "register", None),
    # The domains' commands; the composition root alone knows them.
    ("adapters.cli", "register", None),
    ("reporting.cli", "register", None),
    ("tendering.cli", "register", None),
    ("invoicing.cli", "register", None),
]


def _load() -> None:
    for module_name, attr, group in _GROUPS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # that group is not built yet
            raise
        target = getattr(module, attr, None)
        if target is None:
            continue
        if group is None:
            target(app)
        else:
            app.add_typer(target, name=group)


_load()


def main() -> None:
    app()
