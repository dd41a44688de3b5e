"""Two processes x 50 threads race paid calls under a budget that admits exactly 20."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from mediaconduit.ledger import Ledger
from tests.conftest import ROOT
from tests.ledger.conftest import METER, write_project
from tests.ledger.upstream import BillingUpstream

RACER = textwrap.dedent("""
    import json, pathlib, sys, threading, time
    from mediaconduit.ledger import BudgetExceededError, Ledger
    from mediaconduit.registry import ProviderRegistry

    cache, project, ledger_path, meter, upstream, gate, name = sys.argv[1:8]
    registry = ProviderRegistry(cache, project=project)
    registry._ledger = Ledger(ledger_path, lambda: registry.project)
    handle = registry.get_provider(meter)
    handle.get_model("gratis").transform("warm up")  # the worker is up before the race
    ticket = handle.get_model("ticket")
    outcomes, lock = [], threading.Lock()

    def race(i):
        try:
            ticket.transform(f"{name}-{i}", upstream=upstream)
            outcome = "sent"
        except BudgetExceededError as error:
            outcome = "refused:" + error.budget
        except Exception as error:
            outcome = "failed:" + repr(error)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(50)]
    gate = pathlib.Path(gate)
    (gate / name).touch()  # ready; race once both racers are
    deadline = time.monotonic() + 60
    while len(list(gate.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.002)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    registry.close()
    print(json.dumps(outcomes))
""")


@pytest.mark.slow
def test_racing_processes_send_exactly_what_the_budget_admits(
        module_cache: Path, tmp_path: Path, upstream: BillingUpstream) -> None:
    upstream.clear()
    project = write_project(tmp_path, budget="{daily_usd: 5}")  # 20 calls at $0.25
    ledger_path = tmp_path / "ledger.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    gate = tmp_path / "gate"  # each racer loads, starts its worker, then waits for the other
    gate.mkdir()
    racers = [subprocess.Popen(
        [sys.executable, "-c", RACER, str(module_cache), str(project), str(ledger_path), METER,
         upstream.url, str(gate), f"p{n}"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(2)]
    outcomes: list[str] = []
    for racer in racers:
        out, err = racer.communicate(timeout=120)
        assert racer.returncode == 0, err
        outcomes += json.loads(out.strip().splitlines()[-1])
    assert sorted(p.name for p in gate.iterdir()) == ["p0", "p1"]

    assert len(outcomes) == 100
    assert outcomes.count("sent") == 20, outcomes
    assert outcomes.count("refused:daily_usd") == 80, outcomes
    assert len(upstream.log) == 20, "the fake saw a different number of paid requests"
    assert len(set(upstream.log)) == 20
    ledger = Ledger(ledger_path)
    assert ledger.total_usd() == upstream.billed == Decimal(5)
    assert ledger.spent() == (Decimal(5), Decimal(5))  # the totals the budget checks agree
    rows = [r for r in ledger.rows() if r["model"] == "ticket"]  # not the warm-up calls
    assert len(rows) == 100
    statuses = sorted({(r["status"], r["error_type"]) for r in rows})
    assert statuses == [("ok", None), ("refused", "BudgetExceededError")]
    assert sum(r["status"] == "ok" for r in rows) == 20
    assert all(r["reserved_pusd"] == 0 for r in rows), "a reservation was never settled"
    assert len({r["pid"] for r in rows}) == 2
    ledger.close()
