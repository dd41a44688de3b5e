"""`BudgetExceededError`: a paid call refused before it was sent; `LedgerError`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mediaconduit.sdk.errors import MediaConduitError


class BudgetExceededError(MediaConduitError):
    """A call's worst-case cost would go over a budget of `mediaconduit.yaml`; nothing was sent.

    `budget` names the limit (`daily_usd`, `monthly_usd`, `per_call_usd`, or
    `allow_unbounded` for a call whose cost cannot be bounded), `limit_usd` is its
    value, `left_usd` what is left of it and `needed_usd` the call's worst case
    (None when it cannot be bounded).
    """

    attrs = ("budget", "limit_usd", "left_usd", "needed_usd")

    def __init__(self, message: str = "over budget", budget: str = "",
                 limit_usd: Decimal | None = None, left_usd: Decimal | None = None,
                 needed_usd: Decimal | None = None) -> None:
        super().__init__(message)
        self.budget = budget
        self.limit_usd = _decimal(limit_usd)
        self.left_usd = _decimal(left_usd)
        self.needed_usd = _decimal(needed_usd)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        return {k: str(v) if isinstance(v, Decimal) else v for k, v in data.items()}


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


class LedgerError(MediaConduitError):
    """The ledger cannot be written where a budget needs it; the call was not sent."""
