"""ISO 4217 currencies and ISO 3166 countries, from ``pycountry`` (maintained with the standards), as a
marketplace uses them: by code, shown with their names ("USD — US Dollar", "DE — Germany")."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def currencies() -> dict[str, str]:
    """Every active ISO 4217 currency: code → "USD — US Dollar", by code."""
    return {c.alpha_3: f"{c.alpha_3} — {c.name}" for c in sorted(pycountry.currencies, key=lambda c: c.alpha_3)}


@cache
def countries() -> dict[str, str]:
    """Every ISO 3166-1 country: alpha-2 code → its common name (else its name), by name."""
    named = {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    return dict(sorted(named.items(), key=lambda item: item[1]))


def currency_label(code: str) -> str:
    return currencies().get(code, code)


def country_name(code: str) -> str:
    return countries().get(code, code)
