"""Batches: one transform over many inputs, resumably (DESIGN §10).

`run(...)` (and `mediaconduit batch`) writes `DIR/results.jsonl` beside the
outputs; a rerun skips what is done. Engines: `local` (worker processes here) and
`ray` (an actor pool on a Ray cluster; `pip install mediaconduit[ray]`). Ray is
imported only when the ray engine runs.
"""

from __future__ import annotations

from mediaconduit.batch.inputs import BatchInputError, Item, expand
from mediaconduit.batch.results import RESULTS, item_key, latest, read_records
from mediaconduit.batch.run import BatchError, BatchSummary, run

__all__ = [
    "RESULTS", "BatchError", "BatchInputError", "BatchSummary", "Item", "expand", "item_key",
    "latest", "read_records", "run",
]
