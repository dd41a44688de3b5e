"""Part two's figures in one table: routing, chats at once, jobs, speech, batches, ledger.

    python scripts/bench_part2.py [--quick] [--json PATH]

Each figure comes from its own script (`bench_routing`, `bench_chat`, `bench_jobs`,
`bench_speech`, `bench_batch`, `bench_ledger`), measured against what a user would do
without MediaConduit where there is such a thing (calling the model or client directly,
running a chain's steps by hand, a plain loop over `transform`). `scripts/bench.py` runs
this after part one's figures. `--quick` (CI's smoke run) measures the cheap ones small.
Nothing asserts a timing: targets are printed as met or missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent, HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

# (figure, unit, target text, check)
TARGETS: list[tuple[str, str, str, Callable[[float], bool]]] = [
    ("routing.router_overhead_us", "us", "<= 50 us", lambda v: v <= 50),
    ("routing.chain_overhead_ratio", "x", "<= 1.05x by hand", lambda v: v <= 1.05),
    ("chat.ratio", "x", "<= 1.3x one request (32 streamed chats at once)", lambda v: v <= 1.3),
    ("chat.direct_ratio", "x", "(the client alone, for scale)", lambda v: True),
    ("chat.overhead_ms", "ms", "<= 1 ms per request over the client", lambda v: v <= 1),
    ("jobs.job_requests", "", "<= 8 HTTP requests for a 3 s job", lambda v: v <= 8),
    ("jobs.job_result_delay_ms", "ms", "<= 200 ms completion to result", lambda v: v <= 200),
    ("jobs.download_peak_rss_mb", "MB", "<= 64 MB over baseline, 200 MB download",
     lambda v: v <= 64),
    ("speech.recognition", "x", "real-time factor, recognition", lambda v: True),
    ("speech.synthesis", "x", "real-time factor, synthesis", lambda v: True),
    ("ledger.added_free_us", "us", "<= 300 us per call", lambda v: v <= 300),
    ("ledger.added_budget_us", "us", "<= 300 us per call, under a budget", lambda v: v <= 300),
]


def _routing(quick: bool) -> dict[str, Any]:
    from bench_routing import measure

    return measure(calls=100 if quick else 500, chain_runs=2 if quick else 7)


def _chat(quick: bool) -> dict[str, Any]:
    from bench_chat import measure

    return measure("together", runs=2 if quick else 5, calls=50 if quick else 200).to_dict()


def _jobs(quick: bool) -> dict[str, Any]:
    from bench_jobs import replicate_job_figures

    return replicate_job_figures(download_mb=20 if quick else 200)


def _speech(quick: bool) -> dict[str, Any]:
    from bench_speech import realtime_factors

    return realtime_factors(seconds=5 if quick else 30)


def _batch(quick: bool) -> dict[str, Any]:
    from bench_batch import measure

    return measure(quick=quick)


def _ledger(quick: bool) -> dict[str, Any]:
    from bench_ledger import bench_ledger

    return bench_ledger(calls=200 if quick else 1000, batches=3 if quick else 5)


SECTIONS: dict[str, Callable[[bool], dict[str, Any]]] = {
    "routing": _routing, "chat": _chat, "jobs": _jobs, "speech": _speech, "batch": _batch,
    "ledger": _ledger,
}
QUICK = ("routing", "ledger")  # CI's smoke run: the cheap ones, small


def measure(quick: bool = False) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, section in SECTIONS.items():
        if quick and name not in QUICK:
            continue
        started = time.perf_counter()
        results[name] = section(quick)
        results[name]["seconds"] = round(time.perf_counter() - started, 1)
    return results


def _value(results: dict[str, Any], dotted: str) -> float | None:
    section, _, key = dotted.partition(".")
    value = results.get(section, {}).get(key)
    return float(value) if isinstance(value, (int, float)) else None


def table(results: dict[str, Any]) -> str:
    lines = ["| figure | value | target | verdict |", "|---|---|---|---|"]
    for dotted, unit, text, check in TARGETS:
        value = _value(results, dotted)
        if value is None:
            continue
        verdict = "met" if check(value) else "missed"
        lines.append(f"| {dotted} | {value:.3g} {unit} | {text} | {verdict} |")
    for section, figures in results.items():
        shown = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in figures.items() if isinstance(v, (int, float)))
        lines.append(f"| {section} (all) | {shown} | | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    results = measure(args.quick)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
