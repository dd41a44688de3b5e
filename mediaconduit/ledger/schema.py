"""The ledger's tables: one row per call, and the times the budget was reset."""

from __future__ import annotations

USAGE_UNITS = ("input_tokens", "output_tokens", "audio_seconds", "images", "characters",
               "requests", "compute_seconds")

#: Every column of `calls` but `id`, in order.
COLUMNS = ("started", "provider", "provider_commit", "model", "task", "op", "duration",
           "status", "error_type", *USAGE_UNITS, "cost_pusd", "estimated", "reserved_pusd",
           "route", "attempt", "batch_id", "pid", "host", "input", "output")

VERSION = 1

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
CREATE TABLE IF NOT EXISTS resets (at REAL NOT NULL);
PRAGMA user_version = {VERSION};
"""

INSERT = (f"INSERT INTO calls ({', '.join(COLUMNS)}) "
          f"VALUES ({', '.join('?' * len(COLUMNS))})")

#: What counts against a budget since a time: the real cost of ended calls (the
#: worst case of ended calls whose cost is unknown was stored as their cost), and
#: the reservation of running ones. Resets move the start forward.
SPENT = """
SELECT
  COALESCE(SUM(CASE WHEN started >= :day THEN held END), 0),
  COALESCE(SUM(CASE WHEN started >= :month THEN held END), 0)
FROM (
  SELECT started,
         CASE WHEN status = 'running' THEN reserved_pusd ELSE COALESCE(cost_pusd, 0) END AS held
  FROM calls
  WHERE started >= MIN(:day, :month)
    AND started >= (SELECT COALESCE(MAX(at), 0) FROM resets)
)
"""
