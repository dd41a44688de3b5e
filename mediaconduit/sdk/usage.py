"""What a call used and what it cost: `Usage` and `Cost`. Standard library only.

Every result asset carries both. A provider passes `usage=Usage(...)` and
`cost=Cost(usd=..., estimated=...)` when it builds the asset; an API that reports
its own cost is `estimated=False`, a cost computed from listed prices is
`estimated=True` (see `estimate_cost`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from mediaconduit.sdk.models import Pricing

_INTS = ("input_tokens", "output_tokens", "images", "characters", "requests")
_FLOATS = ("audio_seconds", "compute_seconds")


@dataclasses.dataclass(frozen=True)
class Usage:
    """Units a call used; a unit the call did not use (or did not report) is None."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    audio_seconds: float | None = None
    images: int | None = None
    characters: int | None = None
    requests: int | None = None
    compute_seconds: float | None = None

    def __bool__(self) -> bool:
        return any(getattr(self, name) is not None for name in _FIELDS)

    def __add__(self, other: Usage) -> Usage:
        """Unit by unit; a unit set on either side is set on the sum."""
        def add(a: Any, b: Any) -> Any:
            return None if a is None and b is None else (a or 0) + (b or 0)

        sums: dict[str, Any] = {name: add(getattr(self, name), getattr(other, name))
                                for name in _FIELDS}
        return Usage(**sums)

    def to_dict(self) -> dict[str, float | int]:
        """The units that are set (no `dataclasses.asdict`: it deep-copies, on every call)."""
        return {name: value for name in _FIELDS if (value := getattr(self, name)) is not None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Usage:
        data = data or {}
        values: dict[str, Any] = {k: int(data[k]) for k in _INTS if data.get(k) is not None}
        values.update({k: float(data[k]) for k in _FLOATS if data.get(k) is not None})
        return cls(**values)


_FIELDS = tuple(f.name for f in dataclasses.fields(Usage))


@dataclasses.dataclass(frozen=True)
class Cost:
    """What a call cost in USD; `usd` None when unknown, `estimated` when computed here."""

    usd: Decimal | None = None
    estimated: bool = False

    def __post_init__(self) -> None:
        if self.usd is not None and not isinstance(self.usd, Decimal):
            object.__setattr__(self, "usd", Decimal(str(self.usd)))

    def __bool__(self) -> bool:
        return self.usd is not None

    def __add__(self, other: Cost) -> Cost:
        if self.usd is None and other.usd is None:
            return Cost()
        return Cost((self.usd or Decimal(0)) + (other.usd or Decimal(0)),
                    self.estimated or other.estimated)

    def to_dict(self) -> dict[str, Any]:
        return {"usd": None if self.usd is None else str(self.usd), "estimated": self.estimated}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Cost:
        data = data or {}
        usd = data.get("usd")
        return cls(None if usd is None else Decimal(str(usd)), bool(data.get("estimated")))


def estimate_cost(pricing: Pricing | None, usage: Usage) -> Cost:
    """The cost from listed prices: tokens, images and the per-request price.

    Unknown (`Cost()`) when nothing used is priced, or a price that applies is
    variable (negative) or missing.
    """
    if pricing is None:
        return Cost()
    terms = [(usage.input_tokens, pricing.prompt), (usage.output_tokens, pricing.completion),
             (usage.images, pricing.image), (usage.requests or 1, pricing.request)]
    total, priced = Decimal(0), False
    for amount, price in terms:
        if not amount or price is None:
            continue
        if price < 0:
            return Cost()
        total, priced = total + price * amount, True
    return Cost(total, estimated=True) if priced else Cost()
