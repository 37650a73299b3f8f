"""Output helpers shared by all commands: JSON on stdout, or rich tables; typed errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from routing.errors import ZiekenvervoerError

console = Console()
err_console = Console(stderr=True)


def to_json(data: Any) -> str:
    """Serialise ``data`` to stable, indented JSON (dates as ISO strings)."""
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False, default=_default)


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):  # money: exact, as text with its own digits
        return str(obj)
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    try:  # numpy scalars
        return obj.item()
    except AttributeError:
        raise TypeError(f"cannot serialise {type(obj).__name__}") from None


def emit(data: Any, as_json: bool, render: Callable[[], None]) -> None:
    """Print ``data`` as JSON when ``as_json``, else call ``render`` for the human view."""
    if as_json:
        sys.stdout.write(to_json(data) + "\n")
    else:
        render()


def fail(error: ZiekenvervoerError, as_json: bool, exit_code: int = 2) -> NoReturn:
    """Report a typed error (JSON on stdout with ``--json``, else on stderr) and exit."""
    if as_json:
        sys.stdout.write(to_json({"error": error.to_dict()}) + "\n")
    else:
        where = f" ({error.field})" if error.field else ""
        err_console.print(f"[bold red]{error.code}[/]{where}: {error.message}")
    raise typer.Exit(exit_code)


def progress_bar() -> Progress:
    """The progress bar of the batch commands (description, bar, done/total, time left)."""
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    )
