"""The ledger's writer: rows are written in the background, many per transaction.

A call's caller only queues its row (an insert, or the settlement of a reserved
row); a daemon thread writes what is queued in one transaction, with the spend
totals the budgets check, lingering `LINGER_S` first so that one commit writes
many rows. A reservation (`budget.reserve`) writes what is queued
in its own transaction first, so the totals it reads are this process's latest.
`flush()` waits until everything queued so far is written; reading the ledger,
closing it and leaving the interpreter flush.
"""

from __future__ import annotations

import atexit
import collections
import os
import sys
import threading
import time
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mediaconduit.ledger.schema import ADD_SPEND, COLUMNS, INSERT, periods

if TYPE_CHECKING:
    import sqlite3

    from mediaconduit.ledger.store import Ledger

#: ("insert", row) or ("settle", row id, fields, started, change of the spend in pusd)
Op = tuple[Any, ...]
FLUSH_AT_EXIT_S = 10.0
LINGER_S = 0.01  # the writer waits this long for more rows, so one commit writes many
CHECKPOINT_EVERY_S = 0.5  # the WAL is copied into the database (and synced) this often at most


class Writer:
    """Queues ledger writes and writes them from a thread of its own."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = weakref.ref(ledger)
        self._cond = threading.Condition()
        self._pending: collections.deque[Op] = collections.deque()
        self._submitted = self._written = 0
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._warned = False
        self._checkpointed = time.monotonic()
        self._hurry = threading.Event()  # set by flush: write now, do not linger
        atexit.register(_flush_at_exit, weakref.ref(self))

    def forked(self) -> None:
        """In a forked child: the parent's queue is the parent's to write."""
        self._cond = threading.Condition()
        self._pending = collections.deque()
        self._submitted = self._written = 0
        self._thread, self._pid = None, os.getpid()
        self._hurry = threading.Event()

    def submit(self, op: Op) -> None:
        with self._cond:
            self._pending.append(op)
            self._submitted += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="mediaconduit-ledger",
                                                daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def take(self) -> list[Op]:
        """Everything queued; the taker writes it and then calls `written(len(ops))`."""
        with self._cond:
            ops = list(self._pending)
            self._pending.clear()
            return ops

    def put_back(self, ops: list[Op]) -> None:
        with self._cond:
            self._pending.extendleft(reversed(ops))
            self._cond.notify_all()

    def written(self, count: int) -> None:
        with self._cond:
            self._written += count
            self._cond.notify_all()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until what was queued before now is written; False on timeout."""
        with self._cond:
            if self._pid != os.getpid():
                return True
            target = self._submitted
            self._hurry.set()
            return self._cond.wait_for(lambda: self._written >= target, timeout)

    def stop(self, timeout: float) -> None:
        """Write what is queued and end the thread (the next submit starts another)."""
        self.flush(timeout)
        with self._cond:
            thread, self._thread = self._thread, None  # it ends once the queue is empty
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            self._hurry.set()
            thread.join(timeout)

    def _run(self) -> None:
        me = threading.current_thread()
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._pending) or self._thread is not me)
                if self._thread is not me and not self._pending:
                    return
            self._hurry.wait(LINGER_S)  # meanwhile a reservation may take the queue itself
            self._hurry.clear()
            ops = self.take()
            ledger = self._ledger()
            if ledger is None:
                return
            try:
                with ledger.write_lock:
                    write(ledger.connection(), ops, transaction=True)
            except Exception as error:  # a lost row must never break a call
                self._warn(error, len(ops))
            self.written(len(ops))
            self._checkpoint(ledger)
            del ledger

    def _checkpoint(self, ledger: Ledger) -> None:
        """Callers' commits never checkpoint (its fsync is slow): this thread does, passively."""
        if time.monotonic() - self._checkpointed < CHECKPOINT_EVERY_S:
            return
        self._checkpointed = time.monotonic()
        try:
            ledger.connection().execute("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception as error:  # a busy database checkpoints next time
            self._warn(error, 0)

    def _warn(self, error: Exception, count: int) -> None:
        if not self._warned:
            self._warned = True
            print(f"mediaconduit: the ledger could not record {count} call(s): {error}",
                  file=sys.stderr)


def write(conn: sqlite3.Connection, ops: list[Op], *, transaction: bool) -> None:
    """Write `ops` (in a transaction of their own when `transaction`)."""
    if not ops:
        return
    if transaction:
        conn.execute("BEGIN IMMEDIATE")
    try:
        for op in ops:
            _write_one(conn, op)
        if transaction:
            conn.execute("COMMIT")
    except BaseException:
        if transaction and conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _write_one(conn: sqlite3.Connection, op: Op) -> None:
    if op[0] == "insert":
        row: Mapping[str, Any] = op[1]
        conn.execute(INSERT, [row.get(c) for c in COLUMNS])
        add_spend(conn, float(row["started"]), int(row.get("cost_pusd") or 0))
        return
    _, row_id, fields, started, change = op
    names = ", ".join(f"{k} = ?" for k in fields)
    conn.execute(f"UPDATE calls SET {names} WHERE id = ?", [*fields.values(), row_id])
    add_spend(conn, started, change)


def add_spend(conn: sqlite3.Connection, started: float, pusd: int) -> None:
    if pusd:
        day, month = periods(started)
        conn.executemany(ADD_SPEND, ((day, pusd), (month, pusd)))


def _flush_at_exit(ref: weakref.ref[Writer]) -> None:
    """Nothing queued is lost at exit, and no SQLite call runs while the interpreter ends."""
    writer = ref()
    if writer is not None:
        writer.stop(FLUSH_AT_EXIT_S)
