"""The ledger's tables: one row per call, the running totals budgets check, resets."""

from __future__ import annotations

import functools
import time

USAGE_UNITS = ("input_tokens", "output_tokens", "audio_seconds", "images", "characters",
               "requests", "compute_seconds")

#: Every column of `calls` but `id`, in order.
COLUMNS = ("started", "provider", "provider_commit", "model", "task", "op", "duration",
           "status", "error_type", *USAGE_UNITS, "cost_pusd", "estimated", "reserved_pusd",
           "route", "attempt", "batch_id", "pid", "host", "input", "output")

VERSION = 2

_DAY = "'d:' || strftime('%Y-%m-%d', started, 'unixepoch')"
_MONTH = "'m:' || strftime('%Y-%m', started, 'unixepoch')"
_HELD = "CASE WHEN status = 'running' THEN reserved_pusd ELSE COALESCE(cost_pusd, 0) END"

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY,
    started REAL NOT NULL,            -- unix time the call began
    provider TEXT NOT NULL,
    provider_commit TEXT,
    model TEXT NOT NULL,
    task TEXT,
    op TEXT NOT NULL,                 -- transform | stream
    duration REAL,                    -- seconds; NULL while running
    status TEXT NOT NULL,             -- running | ok | error | cancelled | refused | lost
    error_type TEXT,
    input_tokens INTEGER, output_tokens INTEGER, audio_seconds REAL, images INTEGER,
    characters INTEGER, requests INTEGER, compute_seconds REAL,
    cost_pusd INTEGER,                -- picodollars (1e-12 USD); NULL when unknown
    estimated INTEGER NOT NULL DEFAULT 0,
    reserved_pusd INTEGER NOT NULL DEFAULT 0,   -- held against the budget while running
    route TEXT, attempt INTEGER, batch_id TEXT,
    pid INTEGER, host TEXT,
    input TEXT, output TEXT           -- only with ledger: {{store_inputs: true}}
);
CREATE INDEX IF NOT EXISTS calls_started ON calls (started);
CREATE INDEX IF NOT EXISTS calls_running ON calls (status) WHERE status = 'running';
-- What counts against the budgets, per UTC day ('d:2026-12-01') and month ('m:2026-12'):
-- ended calls' costs and running calls' reservations, since the last reset.
CREATE TABLE IF NOT EXISTS spend (period TEXT PRIMARY KEY, held INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS resets (at REAL NOT NULL);
DELETE FROM spend;
INSERT INTO spend SELECT {_DAY}, SUM({_HELD}) FROM calls
    WHERE started >= (SELECT COALESCE(MAX(at), 0) FROM resets) GROUP BY 1;
INSERT INTO spend SELECT {_MONTH}, SUM({_HELD}) FROM calls
    WHERE started >= (SELECT COALESCE(MAX(at), 0) FROM resets) GROUP BY 1;
PRAGMA user_version = {VERSION};
"""

#: A reset: only running calls' reservations still count.
RESET = (
    "DELETE FROM spend",
    f"INSERT INTO spend SELECT {_DAY}, SUM(reserved_pusd) FROM calls WHERE status = 'running' "
    "GROUP BY 1",
    f"INSERT INTO spend SELECT {_MONTH}, SUM(reserved_pusd) FROM calls "
    "WHERE status = 'running' GROUP BY 1",
)

INSERT = (f"INSERT INTO calls ({', '.join(COLUMNS)}) "
          f"VALUES ({', '.join('?' * len(COLUMNS))})")

ADD_SPEND = ("INSERT INTO spend (period, held) VALUES (?, ?) "
             "ON CONFLICT (period) DO UPDATE SET held = held + excluded.held")


def periods(started: float) -> tuple[str, str]:
    """The spend keys of a call that started at `started`: its UTC day and month."""
    return _periods(int(started // 86400))


@functools.lru_cache(maxsize=64)
def _periods(day_number: int) -> tuple[str, str]:
    day = time.strftime("%Y-%m-%d", time.gmtime(day_number * 86400))
    return f"d:{day}", f"m:{day[:7]}"
