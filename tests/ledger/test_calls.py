"""Every call through a handle is one ledger row: usage, cost, status, tags."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from mediaconduit import InvalidInputError
from mediaconduit.ledger import BudgetExceededError, Ledger, Tags, tagged
from mediaconduit.ledger.money import to_pusd
from tests.conftest import ROOT
from tests.ledger.conftest import METER, MeterFactory, ledger_of
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


def test_several_outputs_are_one_row_with_their_usage_summed(meter: MeterFactory) -> None:
    handle = meter()
    images = handle.get_model("paint").transform("cat", n=3)
    assert isinstance(images, list) and len(images) == 3
    [row] = ledger_of(handle).rows()
    assert (row["images"], row["cost_pusd"], row["estimated"]) == (3, to_pusd(Decimal("0.12")), 1)
    assert row["task"] == "text-to-image"


def test_a_stream_is_recorded_once_when_it_ends(meter: MeterFactory) -> None:
    handle = meter()
    with handle.get_model("chat").stream("x y z") as stream:
        assert list(stream) == ["z ", "y ", "x "]
    [row] = ledger_of(handle).rows()
    assert (row["op"], row["status"], row["output_tokens"]) == ("stream", "ok", 3)
    assert row["cost_pusd"] == to_pusd(stream.cost.usd)


def test_a_stream_closed_early_is_cancelled_and_releases_its_reservation(
        meter: MeterFactory) -> None:
    handle = meter(budget="{daily_usd: 1}")
    stream = handle.get_model("chat").stream("a b c d", max_tokens=10)
    assert next(stream) == "d "
    stream.close()
    stream.close()  # recorded once
    [row] = ledger_of(handle).rows()
    assert (row["status"], row["reserved_pusd"], row["cost_pusd"]) == ("cancelled", 0, None)


def test_a_failed_call_records_its_error_type(meter: MeterFactory) -> None:
    handle = meter()
    with pytest.raises(InvalidInputError):
        handle.get_model("broken").transform("x")
    [row] = ledger_of(handle).rows()
    assert (row["status"], row["error_type"]) == ("error", "InvalidInputError")
    assert row["duration"] is not None and row["duration"] > 0


def test_tagged_calls_carry_the_route_attempt_and_batch_id(meter: MeterFactory) -> None:
    handle = meter()
    gratis = handle.get_model("gratis")
    with tagged(batch_id="b-7"):
        with tagged(route=["meter:gratis", "meter:chat"], attempt=2) as tags:
            gratis.transform("inside")
        assert tags == Tags("meter:gratis -> meter:chat", 2, "b-7")
        gratis.transform("batch only")
    gratis.transform("outside")
    rows = ledger_of(handle).rows()
    assert [(r["route"], r["attempt"], r["batch_id"]) for r in rows] == [
        ("meter:gratis -> meter:chat", 2, "b-7"), (None, None, "b-7"), (None, None, None)]


def test_tags_follow_async_calls(meter: MeterFactory) -> None:
    handle = meter()

    async def run() -> None:
        model = await handle.aget_model("chat")
        with tagged(route="meter:chat", attempt=1):
            await model.atransform("a b")
            assert [c async for c in model.astream("c d")] == ["d ", "c "]

    asyncio.run(run())
    rows = ledger_of(handle).rows()
    assert [(r["op"], r["status"], r["route"], r["output_tokens"]) for r in rows] == [
        ("transform", "ok", "meter:chat", 2), ("stream", "ok", "meter:chat", 2)]


def test_async_calls_are_refused_by_the_budget_too(meter: MeterFactory,
                                                  upstream: BillingUpstream) -> None:
    handle = meter(budget="{daily_usd: 0.1}")
    model = handle.get_model("ticket")
    with pytest.raises(BudgetExceededError):
        asyncio.run(model.atransform("x", upstream=upstream.url))
    assert upstream.log == []


def test_inputs_and_outputs_are_kept_only_when_the_project_says_so(meter: MeterFactory) -> None:
    handle = meter(ledger="{store_inputs: true}")
    handle.get_model("chat").transform("keep me")
    handle.get_model("paint").transform("cat", n=2)
    text, images = ledger_of(handle).rows()
    assert (text["input"], text["output"]) == ("keep me", "me keep")
    assert [i["kind"] for i in json.loads(images["output"])] == ["image", "image"]


def test_the_ledger_is_in_the_cache_and_not_opened_by_loading(module_cache: Path) -> None:
    code = textwrap.dedent(f"""
        import sys
        from mediaconduit.registry import ProviderRegistry
        registry = ProviderRegistry({str(module_cache)!r})
        handle = registry.get_provider({METER!r})
        loaded = "sqlite3" in sys.modules
        handle.get_model("gratis").transform("hi")
        registry.close()  # the row is written in the background; closing writes it
        print(loaded, "sqlite3" in sys.modules, registry.ledger.path)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.split() == ["False", "True", str(module_cache / "ledger.sqlite3")]


def test_rows_still_queued_at_exit_are_written(module_cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    code = textwrap.dedent(f"""
        from mediaconduit.ledger import Ledger
        from mediaconduit.registry import ProviderRegistry
        registry = ProviderRegistry({str(module_cache)!r})
        registry._ledger = Ledger({str(path)!r})
        gratis = registry.get_provider({METER!r}).get_model("gratis")
        for i in range(3):
            gratis.transform(str(i))
        # no close: the interpreter's exit writes the queue
    """)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    ledger = Ledger(path)
    assert [r["status"] for r in ledger.rows()] == ["ok", "ok", "ok"]
    ledger.close()


def test_an_unwritable_ledger_never_breaks_an_unbudgeted_call(
        meter: MeterFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    handle = meter()
    ledger = ledger_of(handle)
    (tmp_path / "no").write_text("a file where a folder should be")
    ledger.path = tmp_path / "no" / "ledger.sqlite3"
    assert str(handle.get_model("gratis").transform("still answers")) == "still answers"
    ledger.flush()
    assert "the ledger could not record 1 call(s)" in capsys.readouterr().err
