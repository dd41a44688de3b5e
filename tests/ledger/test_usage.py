"""`mediaconduit usage`: a day of mixed calls (tokens, images, audio seconds), and resets."""

from __future__ import annotations

import io
import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from mediaconduit import Audio, InvalidInputError
from mediaconduit.cli import main
from mediaconduit.ledger import BudgetExceededError, Ledger
from mediaconduit.ledger.report import parse_since
from tests.ledger.conftest import MeterFactory, ledger_of, write_project
from tests.ledger.upstream import BillingUpstream


@pytest.fixture
def day_of_calls(meter: MeterFactory, upstream: BillingUpstream, tmp_path: Path) -> Ledger:
    """Six calls of today (and one of last week): their ledger is `tmp_path/ledger.sqlite3`."""
    handle = meter()
    handle.get_model("chat").transform("a b c")
    handle.get_model("chat").transform("d e")
    handle.get_model("paint").transform("cat", n=2)
    handle.get_model("listen").transform(Audio.from_bytes(b"\0" * 1500, "audio/wav"))
    handle.get_model("ticket").transform("t", upstream=upstream.url)
    with pytest.raises(InvalidInputError):
        handle.get_model("broken").transform("x")
    ledger = ledger_of(handle)
    ledger.insert({"started": time.time() - 8 * 86400, "provider": "meter", "model": "ticket",
                   "op": "transform", "status": "ok", "cost_pusd": 10**12, "estimated": 0,
                   "reserved_pusd": 0, "duration": 1.0})
    ledger.flush()  # the CLI reads the file, as another process would
    return ledger


def _usage(capsys: pytest.CaptureFixture[str], cache: Path, *args: str) -> str:
    capsys.readouterr()
    assert main(["usage", "--cache-dir", str(cache), *args]) == 0
    return capsys.readouterr().out


def _json(capsys: pytest.CaptureFixture[str], cache: Path, *args: str) -> dict[str, Any]:
    return dict(json.loads(_usage(capsys, cache, "--json", *args)))


def test_usage_by_model_counts_and_sums_each_kind_of_unit(
        day_of_calls: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _json(capsys, tmp_path, "--by", "model")
    groups = {g["key"]: g for g in report["groups"]}
    assert sorted(groups) == ["meter:broken", "meter:chat", "meter:listen", "meter:paint",
                              "meter:ticket"]
    chat, paint, listen = groups["meter:chat"], groups["meter:paint"], groups["meter:listen"]
    assert chat["calls"] == 2 and chat["usage"] == {"input_tokens": 5, "output_tokens": 5}
    assert (chat["cost_usd"], chat["estimated"]) == ("0.000015", True)
    assert paint["usage"] == {"images": 2} and paint["cost_usd"] == "0.08"
    assert listen["usage"] == {"audio_seconds": 1.5} and listen["cost_usd"] == "0.00015"
    ticket = groups["meter:ticket"]
    assert (ticket["calls"], ticket["cost_usd"], ticket["estimated"]) == (1, "0.25", False)
    assert groups["meter:broken"]["failures"] == 1
    total = report["total"]
    assert (total["calls"], total["failures"], total["refused"]) == (6, 1, 0)
    assert Decimal(total["cost_usd"]) == Decimal("0.330165")
    latency = ticket["latency_ms"]
    assert latency["p50"] == latency["p95"] and latency["p50"] >= 30  # the upstream holds 30 ms


def test_usage_table_by_day_shows_the_day_and_its_units(
        day_of_calls: Ledger, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _usage(capsys, tmp_path, "--by", "day", "--since", "30d")
    lines = out.splitlines()
    assert lines[0].split() == ["day", "calls", "failed", "refused", "in", "tokens", "out",
                                "tokens", "audio", "s", "images", "requests", "cost", "p50",
                                "ms", "p95", "ms"]
    today = time.strftime("%Y-%m-%d", time.gmtime())
    today_line = next(line for line in lines if line.startswith(today)).split()
    assert today_line[:9] == [today, "6", "1", "0", "5", "5", "1.5", "2", "1"]
    assert today_line[9] == "~$0.330165"
    total = lines[-1].split()
    assert total[:3] == ["total", "7", "1"] and total[9] == "~$1.330165"


def test_since_leaves_older_calls_out(day_of_calls: Ledger, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert _json(capsys, tmp_path, "--since", "7d")["total"]["calls"] == 6
    assert _json(capsys, tmp_path, "--since", "2w")["total"]["calls"] == 7
    assert _json(capsys, tmp_path, "--by", "task")["groups"][0]["key"] == (
        "automatic-speech-recognition")


def test_since_must_be_a_span_or_a_date(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["usage", "--cache-dir", str(tmp_path), "--since", "yesterday"]) == 2
    assert "write a span such as 30m" in capsys.readouterr().err
    assert parse_since("2026-12-01") == 1796083200.0
    assert parse_since("90m", now=10_000.0) == 4600.0


def test_an_empty_ledger_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "no calls recorded since 7d" in _usage(capsys, tmp_path)
    assert not (tmp_path / "ledger.sqlite3").exists()


def test_reset_budget_needs_a_terminal_or_yes_and_asks_first(
        meter: MeterFactory, upstream: BillingUpstream, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    handle = meter(budget="{daily_usd: 0.25}")
    handle.get_model("ticket").transform("a", upstream=upstream.url)
    ledger_of(handle).flush()  # a call still being written at a reset counts on after it
    assert main(["usage", "--cache-dir", str(tmp_path), "--reset-budget"]) == 2
    assert "without a terminal, pass --yes" in capsys.readouterr().err
    monkeypatch.setattr("mediaconduit.cli.usage._interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert main(["usage", "--cache-dir", str(tmp_path), "--reset-budget"]) == 130
    with pytest.raises(BudgetExceededError):
        handle.get_model("ticket").transform("b", upstream=upstream.url)
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert main(["usage", "--cache-dir", str(tmp_path), "--reset-budget"]) == 0
    assert "budget reset" in capsys.readouterr().out
    handle.get_model("ticket").transform("c", upstream=upstream.url)
    assert main(["usage", "--cache-dir", str(tmp_path), "--reset-budget", "--yes"]) == 0
    assert upstream.log == ["a", "c"]


def test_usage_shows_the_project_budget_and_what_is_left(
        meter: MeterFactory, upstream: BillingUpstream, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    handle = meter(budget="{daily_usd: 1, per_call_usd: 0.5}")
    handle.get_model("ticket").transform("a", upstream=upstream.url)
    ledger_of(handle).flush()
    write_project(tmp_path, budget="{daily_usd: 1, per_call_usd: 0.5}")
    monkeypatch.chdir(tmp_path)
    out = _usage(capsys, tmp_path)
    assert out.splitlines()[-1] == (
        "budget: daily_usd $1: $0.25 spent, $0.75 left; per_call_usd $0.5")
    budget = _json(capsys, tmp_path)["budget"]
    assert budget["daily_usd"] == {"limit": "1", "spent": "0.25", "left": "0.75"}
