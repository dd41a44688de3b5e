"""Budgets: a paid call's worst case is reserved in one `BEGIN IMMEDIATE` transaction.

The transaction sums what counts against each limit (ended calls' costs and
running calls' reservations, since the UTC day or month began and since the last
reset) and inserts the call's `running` row holding its worst case, or refuses
it. SQLite's one writer at a time makes the check and the insert atomic across
every thread and process sharing the cache, so the budget is never overrun by
racing callers. When the call ends, its row is updated with the real cost and
the reservation is dropped (`recording.py`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from mediaconduit.ledger.errors import BudgetExceededError, LedgerError
from mediaconduit.ledger.money import from_pusd, to_pusd
from mediaconduit.ledger.store import held
from mediaconduit.ledger.writer import add_spend, write

if TYPE_CHECKING:
    import sqlite3

    from mediaconduit.ledger.store import Ledger
    from mediaconduit.project.settings import Budget

_HOW = ("raise it in mediaconduit.yaml, wait for the next period, or run "
        "`mediaconduit usage --reset-budget`")


def reserve(ledger: Ledger, budget: Budget, worst: Decimal | None, row: Mapping[str, Any],
            label: str) -> tuple[int, int]:
    """Insert `row` as running, holding `worst`; returns (row id, picodollars held).

    Raises `BudgetExceededError` when the call would go over a limit. What this
    process has queued is written in the same transaction, before the totals are read.
    """
    import sqlite3

    check_call(budget, worst, label)
    needed = to_pusd(worst or Decimal(0), up=True) or 0
    try:
        if not ledger.swept:
            sweep_lost(ledger)
        conn = ledger.connection()
        with ledger.write_lock:
            row_id, refusal = _reserve(ledger, conn, budget, needed, row=row, label=label)
    except (sqlite3.Error, OSError) as error:
        raise LedgerError(f"{label} was not sent: the ledger {ledger.path} cannot reserve its "
                          f"cost ({error}); a budget needs a writable ledger: check the "
                          "cache's permissions and free space") from error
    if refusal is not None:
        raise refusal
    return row_id, needed


def _reserve(ledger: Ledger, conn: sqlite3.Connection, budget: Budget, needed: int, *,
             row: Mapping[str, Any], label: str) -> tuple[int, BudgetExceededError | None]:
    """The transaction: what is queued, the totals, the running row (or the refusal)."""
    conn.execute("BEGIN IMMEDIATE")
    queued = ledger.writer.take()
    try:
        write(conn, queued, transaction=False)
        day, month = held(conn, float(row["started"]))
        refusal = period_refusal(budget, needed, {"daily_usd": day, "monthly_usd": month},
                                 label)
        row_id = 0
        if refusal is None:
            row_id = ledger.insert({**row, "status": "running", "reserved_pusd": needed})
            add_spend(conn, float(row["started"]), needed)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        ledger.writer.put_back(queued)
        raise
    ledger.writer.written(len(queued))
    return row_id, refusal


def check_call(budget: Budget, worst: Decimal | None, label: str) -> None:
    """The limits that need no sum: an unbounded call, and the per-call limit."""
    if worst is None and not budget.allow_unbounded:
        raise BudgetExceededError(
            f"{label}: its worst-case cost cannot be bounded from its listed prices, and a "
            "budget is set; give a bound (max_tokens=, n=, seconds=) or allow it with "
            "budget.allow_unbounded: true in mediaconduit.yaml", "allow_unbounded")
    limit = budget.per_call_usd
    if worst is not None and limit is not None and worst > limit:
        raise BudgetExceededError(
            f"{label} may cost up to ${worst}, over budget.per_call_usd (${limit}); lower its "
            f"bounds (max_tokens=, n=) or {_HOW}", "per_call_usd", limit, limit, worst)


def period_refusal(budget: Budget, needed: int, spent: Mapping[str, int],
                   label: str) -> BudgetExceededError | None:
    """The refusal when `needed` picodollars more would go over the daily or monthly limit."""
    for name, limit in (("daily_usd", budget.daily_usd), ("monthly_usd", budget.monthly_usd)):
        if limit is None:
            continue
        left = (to_pusd(limit) or 0) - spent[name]
        if needed > left or left <= 0:
            left_usd = from_pusd(max(left, 0)) or Decimal(0)
            needs = f"may cost up to ${from_pusd(needed)}" if needed else "has no bound"
            return BudgetExceededError(
                f"{label} {needs}, but budget.{name} (${limit}) has ${left_usd} left; {_HOW}",
                name, limit, left_usd, from_pusd(needed))
    return None


def sweep_lost(ledger: Ledger) -> None:
    """Reservations of this host's dead processes: `lost`, their worst case kept as cost.

    Nobody knows whether such a call was billed, so its worst case stays spent.
    """
    conn = ledger.connection()
    host, me = os.uname().nodename, os.getpid()
    running = conn.execute("SELECT id, pid FROM calls WHERE status = 'running' AND host = ?",
                           (host,)).fetchall()
    dead = [(row_id,) for row_id, pid in running if pid != me and not _alive(pid)]
    conn.executemany("UPDATE calls SET status = 'lost', cost_pusd = reserved_pusd, "
                     "estimated = 1, reserved_pusd = 0 WHERE id = ? AND status = 'running'",
                     dead)
    ledger.swept = True


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
