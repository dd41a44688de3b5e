"""Routing's own cost: a routed call against calling the chosen model directly, and a
chain (video -> audio -> text) against running its two steps by hand.

    python scripts/bench_routing.py [--calls N]

`measure()` returns the numbers for `scripts/bench.py`. Everything is local: the test
provider `toolkit` (its `echo` and `measure` models) and the FFmpeg provider, loaded
from this checkout by path, in a cache of their own.
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

TOOLKIT = ROOT / "tests" / "providers" / "toolkit"
FFMPEG = ROOT / "providers" / "ffmpeg-provider"
CLIP = ROOT / "examples" / "clip.mp4"


def _per_call(fn: Callable[[], object], calls: int, rounds: int = 5) -> float:
    """Median over `rounds` of the mean seconds per call."""
    means = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        means.append((time.perf_counter() - start) / calls)
    return statistics.median(means)


def measure(calls: int = 300, chain_runs: int = 5) -> dict[str, Any]:
    from mediaconduit import Video
    from mediaconduit.registry import ProviderRegistry

    with tempfile.TemporaryDirectory(prefix="bench-routing-") as work:
        project = Path(work, "mediaconduit.yaml")
        project.write_text(f"providers:\n  - {TOOLKIT}\n  - {FFMPEG}\n")
        with ProviderRegistry(Path(work, "cache"), project=project) as registry:
            echo = registry.get_provider(str(TOOLKIT)).get_model("echo")
            registry.transform("warm", to="text")  # plans, starts the workers
            direct = _per_call(lambda: echo.transform("x"), calls)
            routed = _per_call(lambda: registry.transform("x", to="text"), calls)
            clip = Video.from_path(CLIP)
            extract = registry.get_provider(str(FFMPEG)).get_model("extract-audio")
            heard = registry.get_provider(str(TOOLKIT)).get_model("measure")
            registry.transform(clip, to="text")
            by_hand = _per_call(lambda: heard.transform(extract.transform(clip)), 1, chain_runs)
            chained = _per_call(lambda: registry.transform(clip, to="text"), 1, chain_runs)
    return {"direct_call_us": direct * 1e6, "routed_call_us": routed * 1e6,
            "router_overhead_us": (routed - direct) * 1e6, "chain_by_hand_ms": by_hand * 1e3,
            "chain_routed_ms": chained * 1e3, "chain_overhead_ratio": chained / by_hand}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    print(json.dumps(measure(parser.parse_args().calls), indent=2))
