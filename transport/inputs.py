"""Reading user input into exact types: decimal numbers and enum choices, with typed errors.

Numbers that decide a case or become an amount are never binary floats. Inputs (``int``, ``str``,
``float``, :class:`~decimal.Decimal`) become :class:`~decimal.Decimal`; a ``float`` is taken by
its shortest representation (``41.6`` -> ``Decimal("41.6")``, not the binary expansion), so a
kilometre figure typed as ``41.6`` compares exactly as 41.6.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from transport.errors import InvalidInput

Number = int | float | str | Decimal


def to_decimal(
    value: Number,
    field: str,
    *,
    minimum: Decimal | int | None = None,
    strictly_positive: bool = False,
) -> Decimal:
    """Return ``value`` as an exact, finite :class:`~decimal.Decimal`.

    Parameters
    ----------
    value : int, float, str or Decimal
        The number. A ``float`` is converted through ``repr`` (its shortest decimal form).
    field : str
        Name of the input, used in the error.
    minimum : Decimal or int, optional
        Smallest allowed value (inclusive).
    strictly_positive : bool
        Whether the value must be greater than zero.

    Returns
    -------
    Decimal

    Raises
    ------
    InvalidInput
        When the value is not a finite number or is out of range.
    """
    if isinstance(value, bool):
        raise InvalidInput(f"{field} must be a number, not a boolean", field=field)
    try:
        if isinstance(value, Decimal):
            out = value
        elif isinstance(value, int):
            out = Decimal(value)
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise InvalidInput(f"{field} must be a finite number", field=field)
            out = Decimal(repr(value))
        elif isinstance(value, str):
            out = Decimal(value.strip().replace(",", "."))
        else:
            raise InvalidInput(f"{field} must be a number, not {type(value).__name__}", field=field)
    except InvalidOperation:
        raise InvalidInput(f"{field} must be a number, e.g. 41.6", field=field) from None
    if not out.is_finite():
        raise InvalidInput(f"{field} must be a finite number", field=field)
    if strictly_positive and out <= 0:
        raise InvalidInput(f"{field} must be greater than zero (got {out})", field=field)
    if minimum is not None and out < minimum:
        raise InvalidInput(f"{field} must be at least {minimum} (got {out})", field=field)
    return out


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum: type[E], value: E | str, field: str) -> E:
    """Return ``value`` as a member of ``enum``, or raise :class:`InvalidInput` listing choices.

    Matching ignores case, and treats ``-`` and spaces as ``_`` (``"own-car"`` -> ``own_car``).
    """
    if isinstance(value, enum):
        return value
    key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return enum(key)
    except ValueError:
        choices = ", ".join(m.value for m in enum)
        raise InvalidInput(
            f"unknown {field} {value!r}; choose one of: {choices}", field=field
        ) from None


def km_text(km: Number) -> str:
    """Show kilometres in a reason text to the metre (3 decimals); the rules use the exact value."""
    return f"{to_decimal(km, 'km'):.3f}"
