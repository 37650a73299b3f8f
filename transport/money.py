"""Money: amounts in euro as exact decimals, rounded half up to cents once per ride.

Amounts shown to a patient are never computed with binary floats. Each ride's amounts are
computed unrounded (tariff x exact kilometres) and rounded half up to whole cents once, at the end
of that ride (:func:`round_eur`); totals are sums of the rounded ride amounts, so a series total
always equals the sum of its rides as shown.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def round_eur(amount: Decimal) -> Decimal:
    """Round an amount in euro half up to whole cents (``0.125`` -> ``0.13``)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def eur_text(amount: Decimal) -> str:
    """Format an amount in euro with two decimals for display (``"€ 12.30"``)."""
    return f"€ {round_eur(amount):.2f}"


def eur_json(amount: Decimal) -> str:
    """Format an amount for JSON: a string with exactly two decimals (``"12.30"``).

    Strings keep the exact value; a JSON number would invite float arithmetic downstream.
    """
    return f"{round_eur(amount):.2f}"
