"""The ledger: every call recorded in SQLite in the cache, and budgets enforced before spending.

- `store`: `Ledger`, the database (`<cache root>/ledger.sqlite3`, WAL, many threads
  and processes); `ProviderRegistry.ledger` is a registry's own, opened lazily.
- `recording`: one call's row, from its reservation to its end.
- `budget`: the reservation transaction; `BudgetExceededError` when a call would go over.
- `worst_case`: the most a call can cost, from the model's listed prices.
- `tags`: `tagged(route=, attempt=, batch_id=, task=)`, for the router and batches.
- `report`: the `mediaconduit usage` table.

Importing this package does not import `sqlite3`; the first recorded call does.
"""

from __future__ import annotations

from mediaconduit.ledger.errors import BudgetExceededError, LedgerError
from mediaconduit.ledger.store import LEDGER_FILE, Ledger
from mediaconduit.ledger.tags import Tags, current_tags, tagged
from mediaconduit.ledger.worst_case import worst_case

__all__ = ["LEDGER_FILE", "BudgetExceededError", "Ledger", "LedgerError", "Tags", "current_tags",
           "tagged", "worst_case"]
