"""Money in the ledger: whole picodollars (1e-12 USD) in INTEGER columns, so sums are exact."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

_SCALE = Decimal(10) ** 12


def to_pusd(usd: Decimal | None, *, up: bool = False) -> int | None:
    """USD -> picodollars; `up` rounds up (a reservation never undercounts)."""
    if usd is None:
        return None
    scaled = usd * _SCALE
    return int(scaled.to_integral_value(ROUND_CEILING) if up else scaled.to_integral_value())


def from_pusd(pusd: int | None) -> Decimal | None:
    """Picodollars -> USD, without trailing zeros (`250000000000` -> `Decimal("0.25")`)."""
    if pusd is None:
        return None
    value = (Decimal(pusd) / _SCALE).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value
