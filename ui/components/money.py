"""Money as people read it: an exact decimal with its currency, never through a float."""

from __future__ import annotations

from decimal import Decimal

CENT = Decimal("0.01")


def format_amount(amount: Decimal) -> str:
    """``1234.5`` → ``1,234.50``; ``0.1234`` → ``0.1234``: two decimal places, or as many as the amount has (up to
    the four a price may have), so that nothing is rounded away."""
    places = max(2, -amount.normalize().as_tuple().exponent) if amount != amount.to_integral() else 2  # type: ignore[operator]
    return f"{amount:,.{places}f}"


def format_money(amount: Decimal, currency: str) -> str:
    """``12.50 USD``."""
    return f"{format_amount(amount)} {currency}"
