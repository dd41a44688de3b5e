"""What a project file says, as plain values (standard library only)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

DEFAULT_PREFER = ("local", "free", "cheapest")


@dataclasses.dataclass(frozen=True)
class ProjectProvider:
    """One provider the project routes over."""

    spec: str
    ref: str | None = None
    config: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class RoutingPolicy:
    """How candidates are ordered, and whether money may be spent."""

    prefer: tuple[str, ...] = DEFAULT_PREFER
    allow_paid: bool = False
    defaults: Mapping[str, str] = dataclasses.field(default_factory=dict)  # task -> "prov:model"

    def pinned(self, task: str | None) -> tuple[str, str] | None:
        """The (provider id, model id) pinned for `task`, if any."""
        value = self.defaults.get(task) if task else None
        if value is None:
            return None
        provider, _, model = value.partition(":")
        return provider, model


@dataclasses.dataclass(frozen=True)
class Budget:
    """Spending limits in USD (None: no limit of that kind)."""

    daily_usd: Decimal | None = None
    monthly_usd: Decimal | None = None
    per_call_usd: Decimal | None = None
    allow_unbounded: bool = False

    @property
    def limited(self) -> bool:
        return any(v is not None for v in (self.daily_usd, self.monthly_usd, self.per_call_usd))


@dataclasses.dataclass(frozen=True)
class LedgerSettings:
    store_inputs: bool = False


@dataclasses.dataclass(frozen=True)
class Project:
    """A loaded `mediaconduit.yaml` (`path` None for the empty project)."""

    path: Path | None = None
    providers: tuple[ProjectProvider, ...] = ()
    routing: RoutingPolicy = dataclasses.field(default_factory=RoutingPolicy)
    budget: Budget = dataclasses.field(default_factory=Budget)
    ledger: LedgerSettings = dataclasses.field(default_factory=LedgerSettings)

    @property
    def root(self) -> Path | None:
        """The folder of the project file: relative provider paths start here."""
        return self.path.parent if self.path else None
