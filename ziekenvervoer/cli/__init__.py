"""The ``ziekenvervoer`` command line (typer + rich).

Every command takes ``--json`` for machine-readable output on stdout. Each group of commands lives
in its own module and registers itself here.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="ziekenvervoer",
    help="Loaded kilometres and reimbursement for Dutch patient transport (zittend ziekenvervoer).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from ziekenvervoer import __version__

        typer.echo(f"ziekenvervoer {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Loaded kilometres and reimbursement for Dutch patient transport (zittend ziekenvervoer)."""


# Command modules, each with a ``register(app)`` function. Add a module here to add commands.
COMMAND_MODULES: tuple[str, ...] = ("route", "quote", "betaaldatum", "download", "serve", "audit")


def _register() -> None:
    from importlib import import_module

    for name in COMMAND_MODULES:
        import_module(f"ziekenvervoer.cli.{name}").register(app)


_register()


def main() -> None:
    """Run the command line."""
    app()
