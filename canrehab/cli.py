"""The ``canrehab`` command line. Each layer contributes its commands through a ``register(app)`` function in
the module listed in ``COMMAND_MODULES``; this file only assembles them."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="canrehab",
    help="canrehab — cancerrehabilitering: vårdprocess, uppföljning och FHIR.",
    no_args_is_help=True,
    add_completion=False,
)

# Modules exposing ``register(app: typer.Typer) -> None``; each layer appends its own line.
COMMAND_MODULES: tuple[str, ...] = (
    "canrehab.followup.cli",
    "canrehab.store.cli",
    "canrehab.services.cli",
    "canrehab.synth.cli",
    "canrehab.web.cli",
    "canrehab.followup.goals_cli",
)


@app.callback()
def main() -> None:
    """canrehab — cancerrehabilitering: vårdprocess, uppföljning och FHIR."""


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


@app.command()
def version() -> None:
    """Visa canrehabs version."""
    from canrehab import __version__

    typer.echo(__version__)


if __name__ == "__main__":
    app()
