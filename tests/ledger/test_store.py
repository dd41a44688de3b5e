"""The store on its own: background writes, forks, schema, picodollar totals."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from mediaconduit.ledger import Ledger


def _row(model: str, cost: int | None = None) -> dict[str, Any]:
    return {"started": time.time(), "provider": "p", "model": model, "op": "transform",
            "status": "ok", "cost_pusd": cost, "estimated": 0, "reserved_pusd": 0}


def test_the_file_is_wal_and_queued_rows_are_read_after_a_flush(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    for i in range(100):
        ledger.submit(("insert", _row(f"m{i}", 10)))
    assert len(ledger.rows()) == 100  # reading flushes
    assert ledger.spent()[0] * 10**12 == 1000
    ledger.close()
    conn = sqlite3.connect(tmp_path / "ledger.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()


def test_many_threads_write_without_losing_a_row(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite3")

    def write(n: int) -> None:
        for i in range(50):
            ledger.submit(("insert", _row(f"t{n}-{i}", 1)))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({r["model"] for r in ledger.rows()}) == 1000
    assert ledger.total_usd() * 10**12 == 1000
    ledger.close()


def test_a_forked_child_writes_its_own_rows_not_the_parents_queue(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    ledger.rows()  # connected before the fork
    ledger.submit(("insert", _row("parent")))
    child = os.fork()
    if child == 0:
        ledger.submit(("insert", _row("child")))
        ledger.flush()
        os._exit(0)
    assert os.waitpid(child, 0)[1] == 0
    assert sorted(r["model"] for r in ledger.rows()) == ["child", "parent"]
    ledger.close()


def test_an_older_ledger_gets_the_spend_totals_from_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    ledger = Ledger(path)
    ledger.submit(("insert", _row("a", 7)))
    ledger.close()
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM spend")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    again = Ledger(path)
    assert again.spent()[1] * 10**12 == 7
    again.close()
