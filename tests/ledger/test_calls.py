"""Every call through a handle is one ledger row: usage, cost, status, tags."""

from __future__ import annotations

from decimal import Decimal

from tests.ledger.conftest import MeterFactory, ledger_of
from tests.ledger.upstream import BillingUpstream


def test_a_paid_call_is_one_row_with_its_usage_and_billed_cost(
        meter: MeterFactory, upstream: BillingUpstream) -> None:
    handle = meter()
    answer = handle.get_model("ticket").transform("one", upstream=upstream.url)
    assert str(answer) == "billed one"
    [row] = ledger_of(handle).rows()
    assert (row["provider"], row["model"], row["task"], row["op"]) == (
        "meter", "ticket", "text-generation", "transform")
    assert row["status"] == "ok" and row["error_type"] is None
    assert row["requests"] == 1 and row["input_tokens"] is None
    assert row["cost_pusd"] == 250_000_000_000 and row["estimated"] == 0
    assert row["duration"] >= upstream.hold
    assert row["input"] is None and row["output"] is None  # store_inputs is off
