"""One call's record, from before it is sent (reserving under a budget) to its end.

`Recording.open` reads the call's tags and the project's settings, and under a
budget reserves the worst case (or refuses the call, recording the refusal).
Exactly one of `done`, `done_stream`, `failed` or `closed` settles it; later ones
are ignored, so a stream closed after its end is recorded once.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from mediaconduit.ledger import budget as budgets
from mediaconduit.ledger.errors import BudgetExceededError
from mediaconduit.ledger.money import to_pusd
from mediaconduit.ledger.schema import USAGE_UNITS
from mediaconduit.ledger.tags import current_tags
from mediaconduit.ledger.worst_case import worst_case
from mediaconduit.sdk.assets import Asset, Media, Text
from mediaconduit.sdk.usage import Cost, Usage, estimate_cost

if TYPE_CHECKING:
    from mediaconduit.handles import ProviderHandle
    from mediaconduit.ledger.store import Ledger
    from mediaconduit.ledger.stream import RecordedStream
    from mediaconduit.project.settings import Budget
    from mediaconduit.sdk.models import ModelInfo
    from mediaconduit.worker.calls import Call

HOST = os.uname().nodename
_CANCELS = ("CancelledError", "KeyboardInterrupt", "Abandoned", "GeneratorExit")


class Recording:
    """The ledger row of one call in flight."""

    def __init__(self, ledger: Ledger, provider: ProviderHandle, info: ModelInfo,
                 row: dict[str, Any], store_inputs: bool) -> None:
        self.ledger, self.provider, self.info = ledger, provider, info
        self.row = row
        self.store_inputs = store_inputs
        self.row_id: int | None = None
        self.reserved = 0  # picodollars held against the budget
        self._t0 = time.perf_counter()
        self._settled = False
        self._lock = threading.Lock()
        self._priced: ModelInfo | None = None

    @classmethod
    def open(cls, ledger: Ledger, provider: ProviderHandle, info: ModelInfo, *, op: str,
             input: str | Asset, params: Mapping[str, Any]) -> Recording:
        project = ledger.project()
        tags = current_tags()
        row = {"started": time.time(), "provider": provider.id, "model": info.id, "op": op,
               "provider_commit": provider.commit or provider.source.revision,
               "task": tags.task or (info.tasks[0] if info.tasks else None),
               "route": tags.route, "attempt": tags.attempt, "batch_id": tags.batch_id,
               "pid": os.getpid(), "host": HOST, "estimated": 0, "reserved_pusd": 0}
        store = project.ledger.store_inputs
        if store:
            row["input"] = describe(input)
        recording = cls(ledger, provider, info, row, store)
        if project.budget.limited and not recording.priced.free:
            recording._reserve(project.budget, input, params)
        return recording

    @property
    def priced(self) -> ModelInfo:
        """The model's facts with its prices: the handle's, else the provider's listing."""
        if self._priced is None:
            info = self.info
            if info.pricing is None and not info.free:
                listed = [m for m in self.provider.models if m.id == info.id]
                info = listed[0] if listed else info
            self._priced = info
        return self._priced

    @property
    def label(self) -> str:
        return f"{self.row['provider']}:{self.row['model']}"

    def _reserve(self, budget: Budget, input: str | Asset, params: Mapping[str, Any]) -> None:
        worst = worst_case(self.priced, input, params)
        try:
            self.row_id, self.reserved = budgets.reserve(self.ledger, budget, worst, self.row,
                                                         self.label)
        except BudgetExceededError as error:
            self._settle({"status": "refused", "error_type": type(error).__name__})
            raise

    # --- the end of the call --------------------------------------------------------

    def done(self, value: Asset | Sequence[Asset]) -> None:
        """The call gave `value` (an asset, or a list of them)."""
        assets = list(value) if isinstance(value, Sequence) else [value]
        usage, cost = assets[0].usage, assets[0].cost
        for asset in assets[1:]:
            usage, cost = usage + asset.usage, cost + asset.cost
        output = describe(assets[0] if len(assets) == 1 else assets) if self.store_inputs else None
        self._settle({"status": "ok", **self._units(usage, cost), "output": output})

    def done_stream(self, usage: Usage, cost: Cost, text: str) -> None:
        """A stream ran to its end."""
        output = text if self.store_inputs else None
        self._settle({"status": "ok", **self._units(usage, cost), "output": output})

    def failed(self, error: BaseException) -> None:
        """The call raised `error` (a cancel counts as `cancelled`); its reservation is released."""
        name = type(error).__name__
        self._settle({"status": "cancelled" if name in _CANCELS else "error",
                      "error_type": name})

    def closed(self) -> None:
        """A stream was closed before its end."""
        self._settle({"status": "cancelled"})

    def stream(self, call: Call) -> RecordedStream:
        from mediaconduit.ledger.stream import RecordedStream

        return RecordedStream(call, self)

    def _units(self, usage: Usage, cost: Cost) -> dict[str, Any]:
        fields: dict[str, Any] = {unit: getattr(usage, unit) for unit in USAGE_UNITS}
        return {**fields, **self._cost(usage, cost)}

    def _cost(self, usage: Usage, cost: Cost) -> dict[str, Any]:
        """The reported cost, else one from listed prices, else the reservation held."""
        if cost.usd is None and self.info.free:
            cost = Cost(Decimal(0))
        if cost.usd is None:
            cost = Cost(Decimal(0)) if self.priced.free else estimate_cost(self.priced.pricing,
                                                                           usage)
        if cost.usd is None and self.reserved:
            return {"cost_pusd": self.reserved, "estimated": 1}
        return {"cost_pusd": to_pusd(cost.usd), "estimated": int(cost.estimated)}

    def _settle(self, fields: dict[str, Any]) -> None:
        """Queue the row (or the reserved row's settlement); the writer writes it."""
        with self._lock:
            if self._settled:
                return
            self._settled = True
        fields["duration"] = time.perf_counter() - self._t0
        if self.row_id is None:
            self.ledger.submit(("insert", {**self.row, **fields}))
            return
        change = int(fields.get("cost_pusd") or 0) - self.reserved
        self.ledger.submit(("settle", self.row_id, {**fields, "reserved_pusd": 0},
                            float(self.row["started"]), change))


def describe(value: str | Asset | Sequence[Asset]) -> str:
    """What `store_inputs` keeps: the text itself, or a media's kind, type, size and place."""
    if isinstance(value, str):
        return value
    if isinstance(value, Text):
        return value.text
    if isinstance(value, Media):
        return json.dumps(_media(value), sort_keys=True)
    return json.dumps([json.loads(describe(v)) if isinstance(v, Media) else describe(v)
                       for v in value], sort_keys=True)


def _media(media: Media) -> dict[str, Any]:
    size = len(media.inline) if media.inline is not None else (
        media.path.stat().st_size if media.path is not None and media.path.exists() else None)
    return {"kind": media.kind, "mime_type": media.mime_type, "bytes": size,
            "path": str(media.path) if media.path else None, "url": media.url}
