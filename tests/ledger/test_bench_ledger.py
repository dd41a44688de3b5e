"""The ledger's bench runs and reports every figure (no timing is asserted, ever)."""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import ROOT

KEYS = {"ledger_free_us", "ledger_budget_us", "round_trip_free_us",
        "round_trip_free_no_ledger_us", "added_free_us", "round_trip_budget_us",
        "round_trip_budget_no_ledger_us", "added_budget_us"}


@pytest.mark.slow
def test_the_bench_reports_every_figure() -> None:
    spec = importlib.util.spec_from_file_location("bench_ledger",
                                                  ROOT / "scripts" / "bench_ledger.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    figures = bench.bench_ledger(calls=20, batches=1)
    assert set(figures) == KEYS
    assert all(value > 0 for key, value in figures.items() if not key.startswith("added"))
    assert "| ledger work per call, unbudgeted |" in bench.report(figures)
