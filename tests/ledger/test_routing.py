"""Routing treats a budget refusal like any failed candidate: nothing sent, next one tried."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mediaconduit.ledger import Ledger
from mediaconduit.registry import ProviderRegistry
from mediaconduit.routing.errors import NoRouteError
from tests.ledger.conftest import METER
from tests.ledger.upstream import BillingUpstream


@pytest.fixture
def routed(module_cache: Path, tmp_path: Path) -> Iterator[ProviderRegistry]:
    """The meter provider in a project that allows paid models, listing order kept
    (`prefer: []`: ticket comes first), under a budget of $0.10 a day."""
    project = tmp_path / "mediaconduit.yaml"
    project.write_text(f"providers:\n  - {METER}\nrouting: {{allow_paid: true, prefer: []}}\n"
                       "budget: {daily_usd: 0.1}\n")
    with ProviderRegistry(module_cache, project=project) as registry:
        registry._ledger = Ledger(tmp_path / "ledger.sqlite3", lambda: registry.project)
        yield registry


def test_a_refused_candidate_is_passed_over_for_the_next(routed: ProviderRegistry,
                                                         upstream: BillingUpstream) -> None:
    upstream.clear()
    answer = routed.transform("b a", to="text", upstream=upstream.url)
    attempts = answer.metadata["attempts"]  # type: ignore[union-attr]
    assert [(a["model"], a["error"]) for a in attempts] == [
        ("ticket", "BudgetExceededError"), ("chat", None)]
    assert "budget.daily_usd ($0.1) has $0.1 left" in attempts[0]["reason"]
    assert upstream.log == []
    rows = routed.ledger.rows()
    assert [(r["model"], r["status"]) for r in rows] == [("ticket", "refused"), ("chat", "ok")]
    assert [(r["route"], r["attempt"]) for r in rows] == [  # the router tags every attempt
        ("step 1: meter:ticket", 1), ("step 1: meter:chat", 2)]


def test_a_pinned_model_over_budget_is_no_route(routed: ProviderRegistry,
                                                upstream: BillingUpstream) -> None:
    upstream.clear()
    with pytest.raises(NoRouteError, match=r"meter:ticket may cost up to \$0\.25"):
        routed.transform("x", to="text", model="ticket", upstream=upstream.url)
    assert upstream.log == []
