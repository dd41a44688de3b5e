"""The SQLite ledger in the cache: `<cache root>/ledger.sqlite3`.

WAL mode, one connection per thread (and per process: a forked child opens its
own), autocommit except for the budget's `BEGIN IMMEDIATE` reservations, and a
long busy timeout, so many threads and processes write at once. `sqlite3` is
imported when the first call is recorded, never on the warm load path.

A call that needs no reservation is one queued `INSERT` when it ends, written in
the background with others (`writer.py`); a reserved call is a `running` row
inserted with its reservation before it is sent, and settled when it ends.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mediaconduit.ledger.schema import COLUMNS, INSERT, RESET, SCHEMA, VERSION, periods
from mediaconduit.ledger.writer import Op, Writer, add_spend

if TYPE_CHECKING:
    import sqlite3

    from mediaconduit.handles import ProviderHandle
    from mediaconduit.ledger.recording import Recording
    from mediaconduit.project.settings import Project
    from mediaconduit.sdk.assets import Asset
    from mediaconduit.sdk.models import ModelInfo

LEDGER_FILE = "ledger.sqlite3"
BUSY_TIMEOUT_S = 60.0
_LEDGERS: weakref.WeakSet[Ledger] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for ledger in list(_LEDGERS):
        ledger._forked()


os.register_at_fork(after_in_child=_after_fork_in_child)


class Ledger:
    """The calls of one cache root; `project` gives the budget and `store_inputs`."""

    def __init__(self, path: str | Path, project: Callable[[], Project] | None = None) -> None:
        self.path = Path(path)
        self._project = project
        self._local = threading.local()
        self._made = False
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self.swept = False  # reservations of dead processes marked lost (once, by budget.py)
        self.writer = Writer(self)
        #: Held around every write transaction of this process: threads queue on it rather
        #: than on SQLite's busy handler, which sleeps (1 ms and up) between tries.
        self.write_lock = threading.Lock()
        _LEDGERS.add(self)

    @classmethod
    def in_cache(cls, root: str | Path, project: Callable[[], Project] | None = None) -> Ledger:
        return cls(Path(root) / LEDGER_FILE, project)

    def __repr__(self) -> str:
        return f"<Ledger {self.path}>"

    # --- settings -------------------------------------------------------------------

    def project(self) -> Project:
        if self._project is None:
            from mediaconduit.project.settings import Project

            return Project()
        return self._project()

    def reserves(self) -> bool:
        """Whether paid calls reserve their worst case (a budget is set): a write per call."""
        return self.project().budget.limited

    # --- connections -----------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (made, with the schema, on first use)."""
        local = self._local
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if conn is None or local.pid != os.getpid():
            conn = self._connect()
            local.conn, local.pid = conn, os.getpid()
        return conn

    def _connect(self) -> sqlite3.Connection:
        import sqlite3

        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA synchronous = NORMAL")  # in WAL mode: no fsync at commit
        conn.execute("PRAGMA wal_autocheckpoint = 0")  # the writer thread checkpoints instead
        if not self._made:
            self._make(conn)
        with self._lock:
            self._connections.append(conn)
        return conn

    def _make(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            if self._made:
                return
            if conn.execute("PRAGMA user_version").fetchone()[0] < VERSION:
                conn.execute("PRAGMA journal_mode = WAL")
                try:  # one transaction: racing processes wait for the first to make it
                    conn.executescript(f"BEGIN IMMEDIATE;\n{SCHEMA}\nCOMMIT;")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            self._made = True

    def _forked(self) -> None:
        """In a forked child: nothing of the parent's (locks, connections, queue) is used."""
        self._lock, self.write_lock = threading.Lock(), threading.Lock()
        self._local, self._connections = threading.local(), []
        self.swept = False
        self.writer.forked()

    def close(self) -> None:
        """Write what is queued, close every connection (a later use opens new ones)."""
        self.writer.stop(BUSY_TIMEOUT_S)
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()
        self._local = threading.local()

    # --- calls -----------------------------------------------------------------------

    def open(self, provider: ProviderHandle, info: ModelInfo, op: str, input: str | Asset,
             params: Mapping[str, Any]) -> Recording:
        """Start recording one call; under a budget its worst case is reserved now.

        Raises `BudgetExceededError` (and records the refusal) when it would go over.
        """
        from mediaconduit.ledger.recording import Recording

        return Recording.open(self, provider, info, op=op, input=input, params=params)

    def flush(self) -> None:
        """Write what this process has queued now (reading the ledger does it first)."""
        self.writer.flush(BUSY_TIMEOUT_S)

    def submit(self, op: Op) -> None:
        """Queue a write (`writer.Op`); it is written in the background."""
        self.writer.submit(op)

    def insert(self, row: Mapping[str, Any]) -> int:
        """Write one row now (with its cost in the spend totals); its id."""
        conn = self.connection()
        cursor = conn.execute(INSERT, [row.get(c) for c in COLUMNS])
        add_spend(conn, float(row["started"]), int(row.get("cost_pusd") or 0))
        return int(cursor.lastrowid or 0)

    # --- reading -----------------------------------------------------------------------

    def rows(self, since: float | None = None, until: float | None = None,
             ) -> list[dict[str, Any]]:
        """The calls started in [since, until), oldest first, as dicts."""
        self.writer.flush(BUSY_TIMEOUT_S)
        cursor = self.connection().execute(
            "SELECT * FROM calls WHERE started >= ? AND started < ? ORDER BY started, id",
            (since or 0.0, until or 1e18))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]

    def total_usd(self, since: float | None = None) -> Decimal:
        """The cost of every call started since `since` (unknown costs count as 0)."""
        from mediaconduit.ledger.money import from_pusd

        self.writer.flush(BUSY_TIMEOUT_S)
        value = self.connection().execute(
            "SELECT COALESCE(SUM(cost_pusd), 0) FROM calls WHERE started >= ?",
            (since or 0.0,)).fetchone()[0]
        return from_pusd(int(value)) or Decimal(0)

    def spent(self, now: float | None = None) -> tuple[Decimal, Decimal]:
        """What counts against the daily and the monthly budget now (reservations included)."""
        from mediaconduit.ledger.money import from_pusd

        self.writer.flush(BUSY_TIMEOUT_S)
        day, month = held(self.connection(), time.time() if now is None else now)
        return from_pusd(day) or Decimal(0), from_pusd(month) or Decimal(0)

    def reset_budget(self, at: float | None = None) -> None:
        """From now on, only running calls' reservations count against the budgets."""
        self.writer.flush(BUSY_TIMEOUT_S)
        conn = self.connection()
        with self.write_lock:
            self._reset(conn, time.time() if at is None else at)

    def _reset(self, conn: sqlite3.Connection, at: float) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in RESET:
                conn.execute(statement)
            conn.execute("INSERT INTO resets (at) VALUES (?)", (at,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def held(conn: sqlite3.Connection, now: float) -> tuple[int, int]:
    """Picodollars counting against the day and the month of `now`."""
    day, month = periods(now)
    found = dict(conn.execute("SELECT period, held FROM spend WHERE period IN (?, ?)",
                              (day, month)).fetchall())
    return int(found.get(day, 0)), int(found.get(month, 0))
