#!/usr/bin/env python3
"""What the ledger adds to a call on the warm path (target: at most 0.3 ms).

    python scripts/bench_ledger.py            # a table: about ten seconds
    python scripts/bench_ledger.py --json out.json --calls 500

Two measurements, medians over `--batches` batches of `--calls` calls:

- `ledger_*_us`: the ledger's own work per call, nothing else: `Ledger.open` (tags,
  settings, under a budget the `BEGIN IMMEDIATE` reservation) and `done` (the row's
  `INSERT`, or the reserved row's `UPDATE`), on a real ledger file in a fresh cache.
- `round_trip_*_us`: whole calls to a real worker (the ledger test provider
  `tests/ledger/providers/meter`, model `gratis` unbudgeted, `chat` under a budget),
  with the ledger and with it switched off on the same handle, batches interleaved;
  `added_*_us` is the difference. Worker round trips are noisy on a shared machine;
  the first figure is the precise one.

Nothing is asserted: the target (on the `added_*` figures: what a caller waits for
more) is printed as met or missed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

METER = str(ROOT / "tests" / "ledger" / "providers" / "meter")
TARGET_US = 300.0


def per_call_us(fn: Callable[[], object], calls: int, batches: int) -> float:
    """The median over batches of the mean time of one call, in microseconds."""
    times = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(times)


def _project(folder: Path, budget: str) -> Path:
    path = folder / "mediaconduit.yaml"
    path.write_text(f"providers: []\n{budget}\n")
    return path


def bench_ledger(calls: int = 1000, batches: int = 5) -> dict[str, Any]:
    """Every figure, in microseconds per call (see the module docstring)."""
    from mediaconduit.registry import ProviderRegistry

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        free = ProviderRegistry(folder / "cache", project=_project(folder, ""))
        (folder / "b").mkdir()
        budgeted = ProviderRegistry(folder / "cache",
                                    project=_project(folder / "b", "budget: {daily_usd: 1e9}"))
        try:
            return {**_ledger_only(free, budgeted, calls, batches),
                    **_round_trips(free, budgeted, calls, batches)}
        finally:
            free.close()
            budgeted.close()


def _ledger_only(free: Any, budgeted: Any, calls: int, batches: int) -> dict[str, float]:
    from mediaconduit.sdk.assets import Text
    from mediaconduit.sdk.usage import Cost, Usage

    result = Text("ok", usage=Usage(input_tokens=3, output_tokens=5), cost=Cost(usd="0.00001"))
    figures = {}
    for name, registry, model in (("free", free, "gratis"), ("budget", budgeted, "chat")):
        handle = registry.get_provider(METER)
        info = handle.get_model(model).info
        ledger = registry.ledger

        def one(handle: Any = handle, info: Any = info, ledger: Any = ledger) -> None:
            ledger.open(handle, info, "transform", "a b c", {"max_tokens": 10}).done(result)

        one()
        figures[f"ledger_{name}_us"] = per_call_us(one, calls, batches)
    return figures


def _round_trips(free: Any, budgeted: Any, calls: int, batches: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    for name, registry, model in (("free", free, "gratis"), ("budget", budgeted, "chat")):
        handle = registry.get_provider(METER)
        target = handle.get_model(model)
        getter = handle._ledger
        on, off = [], []
        for _ in range(batches):  # interleaved, so drifts of the machine hit both alike
            handle._ledger = getter
            on.append(per_call_us(lambda t=target: t.transform("a b c", max_tokens=10),
                                  calls, 1))
            handle._ledger = None
            off.append(per_call_us(lambda t=target: t.transform("a b c", max_tokens=10),
                                   calls, 1))
        handle._ledger = getter
        figures[f"round_trip_{name}_us"] = statistics.median(on)
        figures[f"round_trip_{name}_no_ledger_us"] = statistics.median(off)
        figures[f"added_{name}_us"] = statistics.median(on) - statistics.median(off)
    return figures


def report(figures: dict[str, Any]) -> str:
    rows = [("ledger work per call, unbudgeted", figures["ledger_free_us"]),
            ("ledger work per call, under a budget", figures["ledger_budget_us"]),
            ("round trip, unbudgeted, with ledger", figures["round_trip_free_us"]),
            ("round trip, unbudgeted, without", figures["round_trip_free_no_ledger_us"]),
            ("added by the ledger, unbudgeted", figures["added_free_us"]),
            ("round trip, under a budget, with ledger", figures["round_trip_budget_us"]),
            ("round trip, under a budget, without", figures["round_trip_budget_no_ledger_us"]),
            ("added by the ledger, under a budget", figures["added_budget_us"])]
    lines = ["| what | us per call |", "|---|---:|"]
    lines += [f"| {what} | {value:.1f} |" for what, value in rows]
    lines.append("")
    for name, key in (("unbudgeted (the warm path)", "added_free_us"),
                      ("under a budget (one reservation transaction)", "added_budget_us")):
        met = "met" if figures[key] <= TARGET_US else "MISSED"
        lines.append(f"target: added per call, {name} <= {TARGET_US:.0f} us: {met} "
                     f"({figures[key]:.1f} us)")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    figures = bench_ledger(args.calls, args.batches)
    print(report(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
