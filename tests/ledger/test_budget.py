"""Budgets: worst cases reserved before sending, refusals that say why, settlement."""

from __future__ import annotations

import os
import time
from decimal import Decimal
from pathlib import Path

import pytest

from mediaconduit import InvalidInputError, Text
from mediaconduit.ledger import BudgetExceededError, LedgerError
from mediaconduit.ledger.budget import sweep_lost
from mediaconduit.ledger.money import to_pusd
from mediaconduit.ledger.writer import add_spend
from tests.ledger.conftest import MeterFactory, ledger_of
from tests.ledger.upstream import BillingUpstream


def _spent(handle: object) -> Decimal:
    return ledger_of(handle).total_usd()  # type: ignore[arg-type]


def test_a_call_over_the_daily_budget_is_refused_before_it_is_sent(
        meter: MeterFactory, upstream: BillingUpstream) -> None:
    handle = meter(budget="{daily_usd: 0.6}")
    ticket = handle.get_model("ticket")
    ticket.transform("a", upstream=upstream.url)
    ticket.transform("b", upstream=upstream.url)
    with pytest.raises(BudgetExceededError) as caught:
        ticket.transform("c", upstream=upstream.url)
    error = caught.value
    assert (error.budget, error.limit_usd, error.left_usd, error.needed_usd) == (
        "daily_usd", Decimal("0.6"), Decimal("0.1"), Decimal("0.25"))
    assert "budget.daily_usd ($0.6) has $0.1 left" in str(error)
    assert "meter:ticket may cost up to $0.25" in str(error)
    assert upstream.log == ["a", "b"]
    refused = ledger_of(handle).rows()[-1]
    assert (refused["status"], refused["error_type"], refused["cost_pusd"]) == (
        "refused", "BudgetExceededError", None)
    assert error.to_dict()["left_usd"] == "0.1"  # JSON-able for results files


def test_the_monthly_budget_counts_too(meter: MeterFactory, upstream: BillingUpstream) -> None:
    handle = meter(budget="{daily_usd: 10, monthly_usd: 0.3}")
    handle.get_model("ticket").transform("a", upstream=upstream.url)
    with pytest.raises(BudgetExceededError, match=r"budget\.monthly_usd \(\$0\.3\) has \$0\.05"):
        handle.get_model("ticket").transform("b", upstream=upstream.url)


def test_free_models_reserve_nothing_even_with_nothing_left(meter: MeterFactory,
                                                            upstream: BillingUpstream) -> None:
    handle = meter(budget="{daily_usd: 0}")
    assert str(handle.get_model("gratis").transform("free")) == "free"
    with pytest.raises(BudgetExceededError, match=r"has \$0 left"):
        handle.get_model("ticket").transform("paid", upstream=upstream.url)
    assert upstream.log == []
    free = ledger_of(handle).rows()[0]
    assert (free["status"], free["cost_pusd"], free["reserved_pusd"]) == ("ok", 0, 0)


def test_per_call_limit_uses_the_worst_case_from_max_tokens(meter: MeterFactory) -> None:
    handle = meter(budget="{per_call_usd: 0.001}")
    chat = handle.get_model("chat")
    prompt = "one two three"
    assert str(chat.transform(prompt, max_tokens=100)) == "three two one"  # <= $0.000229
    with pytest.raises(BudgetExceededError) as caught:
        chat.transform(prompt, max_tokens=1000)
    worst = (len(prompt) + 16) * Decimal("0.000001") + 1000 * Decimal("0.000002")
    assert caught.value.budget == "per_call_usd" and caught.value.needed_usd == worst
    assert "over budget.per_call_usd ($0.001)" in str(caught.value)


def test_a_call_that_cannot_be_bounded_is_refused_unless_allowed(meter: MeterFactory) -> None:
    strict = meter(budget="{daily_usd: 1}")
    with pytest.raises(BudgetExceededError, match="cannot be bounded") as caught:
        strict.get_model("unpriced").transform("x")
    assert caught.value.budget == "allow_unbounded"
    audio = b"\0" * 2000
    from mediaconduit import Audio

    with pytest.raises(BudgetExceededError, match=r"seconds="):
        strict.get_model("listen").transform(Audio.from_bytes(audio, "audio/wav"))
    assert str(strict.get_model("listen").transform(Audio.from_bytes(audio, "audio/wav"),
                                                     seconds=2)) == "2 seconds of audio"
    lenient = meter(budget="{daily_usd: 1, allow_unbounded: true}")
    assert str(lenient.get_model("unpriced").transform("x")) == "x"


def test_a_failed_call_releases_its_reservation(meter: MeterFactory,
                                                upstream: BillingUpstream) -> None:
    handle = meter(budget="{daily_usd: 0.5}")
    with pytest.raises(InvalidInputError, match="broken refuses"):
        handle.get_model("broken").transform("x")  # reserved $0.50, then failed
    handle.get_model("ticket").transform("after", upstream=upstream.url)
    broken = ledger_of(handle).rows()[0]
    assert (broken["status"], broken["error_type"]) == ("error", "InvalidInputError")
    assert (broken["cost_pusd"], broken["reserved_pusd"]) == (None, 0)
    assert _spent(handle) == Decimal("0.25")


def test_a_call_is_settled_at_its_real_cost_not_its_worst_case(meter: MeterFactory) -> None:
    handle = meter(budget="{daily_usd: 0.005}")
    chat = handle.get_model("chat")
    for _ in range(10):  # each reserves ~$0.002; each costs $0.000009
        assert isinstance(chat.transform("a b c", max_tokens=1000), Text)
    assert _spent(handle) == 10 * (3 * Decimal("0.000001") + 3 * Decimal("0.000002"))
    assert all(r["estimated"] == 1 for r in ledger_of(handle).rows())


def test_a_stream_holds_its_reservation_until_it_ends(meter: MeterFactory) -> None:
    handle = meter(budget="{daily_usd: 0.003}")
    chat = handle.get_model("chat")
    first = chat.stream("a b", max_tokens=1000)  # holds ~$0.002
    with pytest.raises(BudgetExceededError, match=r"has \$0\.00098"):
        chat.transform("a b", max_tokens=1000)
    assert "".join(first) == "b a "
    assert first.usage.output_tokens == 2
    assert isinstance(chat.transform("a b", max_tokens=1000), Text)  # released at the end
    rows = ledger_of(handle).rows()
    stream = next(r for r in rows if r["op"] == "stream")
    assert (stream["status"], stream["input_tokens"], stream["cost_pusd"]) == (
        "ok", 2, to_pusd(Decimal("0.000006")))


def test_a_dead_process_reservation_is_lost_and_keeps_its_worst_case(meter: MeterFactory) -> None:
    handle = meter(budget="{daily_usd: 1}")
    ledger = ledger_of(handle)
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    now = time.time()
    ledger.insert({"started": now, "provider": "meter", "model": "ticket",
                   "op": "transform", "status": "running", "reserved_pusd": 10**12,
                   "estimated": 0, "pid": dead, "host": os.uname().nodename})
    add_spend(ledger.connection(), now, 10**12)  # as budget.reserve holds it
    sweep_lost(ledger)
    [row] = ledger.rows()
    assert (row["status"], row["cost_pusd"], row["estimated"]) == ("lost", 10**12, 1)
    with pytest.raises(BudgetExceededError, match=r"has \$0 left"):
        handle.get_model("broken").transform("x")


def test_reset_budget_forgets_earlier_spending_but_not_the_history(
        meter: MeterFactory, upstream: BillingUpstream) -> None:
    handle = meter(budget="{daily_usd: 0.25}")
    ticket = handle.get_model("ticket")
    ticket.transform("a", upstream=upstream.url)
    with pytest.raises(BudgetExceededError):
        ticket.transform("b", upstream=upstream.url)
    ledger_of(handle).reset_budget()
    ticket.transform("c", upstream=upstream.url)
    assert upstream.log == ["a", "c"]
    assert len(ledger_of(handle).rows()) == 3


def test_an_unwritable_ledger_refuses_paid_calls_under_a_budget(
        meter: MeterFactory, upstream: BillingUpstream, tmp_path: Path) -> None:
    handle = meter(budget="{daily_usd: 1}")
    ledger = ledger_of(handle)
    ledger.path = tmp_path / "no" / "such" / "place" / "ledger.sqlite3"
    (tmp_path / "no").write_text("a file where a folder should be")
    with pytest.raises(LedgerError, match=r"meter:ticket was not sent: the ledger .* cannot"):
        handle.get_model("ticket").transform("x", upstream=upstream.url)
    assert upstream.log == []
