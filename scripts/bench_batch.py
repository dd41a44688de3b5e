#!/usr/bin/env python3
"""Batch throughput on this machine: a plain loop, the local engine, the ray engine.

    python scripts/bench_batch.py            # 200 frame extractions each, a table
    python scripts/bench_batch.py --quick    # 20 each (the smoke run)
    python scripts/bench_batch.py --json out.json

`scripts/bench.py` calls `measure(quick=...)` (and may print `table(data)` and
`CLOSING_NOTE`, how the ray engine scales past one machine). Every contender extracts the same
frames of `examples/clip.mp4` with the FFmpeg provider (`providers/ffmpeg-provider`,
dev mode) from a fresh cache whose environment was built first. Items per second
count the transforms only: the provider is loaded before the clock starts for the
loop, and the engines are timed on the batch call (`ray_start_s` is Ray's own
start, apart); "steady" rates count from the first item's end to the last's, once
every worker is up. Ray's per-item overhead is measured with a transform that does
nothing (the toolkit's `echo`) on one worker, steady: ray engine minus local engine,
per item; `ray_call_us` is a bare actor method round trip for scale.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FFMPEG = str(ROOT / "providers" / "ffmpeg-provider")
TOOLKIT = str(ROOT / "tests" / "providers" / "toolkit")
CLIP = ROOT / "examples" / "clip.mp4"
CLIP_SECONDS = 2.0


def _rows(folder: Path, count: int) -> Path:
    path = folder / f"rows-{count}.jsonl"
    lines = [json.dumps({"input": str(CLIP), "params": {"time": round(i * CLIP_SECONDS / count,
                                                                    4)}})
             for i in range(count)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _texts(folder: Path, count: int) -> Path:
    path = folder / f"texts-{count}.jsonl"
    path.write_text("".join(json.dumps({"input": f"item {i}"}) + "\n" for i in range(count)))
    return path


def plain_loop(cache: Path, count: int) -> float:
    """Items per second: one handle, `transform` in a Python loop."""
    from mediaconduit import Video
    from mediaconduit.registry import ProviderRegistry

    with ProviderRegistry(cache) as registry:
        model = registry.get_provider(FFMPEG).get_model("extract-frame")
        video = Video.from_path(CLIP)
        model.transform(video, time=0)  # warm
        started = time.perf_counter()
        for i in range(count):
            model.transform(video, time=round(i * CLIP_SECONDS / count, 4))
        return count / (time.perf_counter() - started)


def engine_rate(cache: Path, rows: Path, out: Path, count: int,
                **options: Any) -> tuple[float, float]:
    """Items per second over the whole `run()` call (workers' start included), and steady:
    between the first item's end and the last's, once every worker is up."""
    from mediaconduit.batch import read_records, run

    started = time.perf_counter()
    summary = run([rows], out=out, cache_dir=cache, **options)
    seconds = time.perf_counter() - started
    if summary.done != count:
        raise RuntimeError(f"bench batch: {summary.done} of {count} done: {summary.failures}")
    ends = sorted(r["finished"] for r in read_records(summary.results))
    return count / seconds, (count - 1) / (ends[-1] - ends[0])


def ray_call_us(calls: int = 500) -> float:
    """A bare actor method call, `ray.get` each time: Ray's floor per item."""
    import ray

    @ray.remote
    class Noop:
        def call(self, x: int) -> int:
            return x

    actor = Noop.remote()  # type: ignore[attr-defined]
    ray.get(actor.call.remote(0))
    started = time.perf_counter()
    for i in range(calls):
        ray.get(actor.call.remote(i))
    ray.kill(actor)
    return (time.perf_counter() - started) / calls * 1e6


def measure(quick: bool = False) -> dict[str, Any]:
    """Every number, as a dict (see the module docstring)."""
    import logging

    import ray

    count = 20 if quick else 200
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        folder = Path(tmp)
        cache = folder / "cache"
        rows, texts = _rows(folder, count), _texts(folder, count)
        frame = {"provider": FFMPEG, "model": "extract-frame"}
        echo = {"provider": TOOLKIT, "model": "echo"}
        loop = plain_loop(cache, count)
        local = engine_rate(cache, rows, folder / "local", count, **frame, concurrency=2)
        local_echo = engine_rate(cache, texts, folder / "local-echo", count, **echo,
                                 concurrency=1)[1]
        started = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
        ray_start = time.perf_counter() - started
        try:
            on_ray = engine_rate(cache, rows, folder / "ray", count, **frame, engine="ray",
                                 concurrency=2)
            no_share = engine_rate(cache, rows, folder / "ray-bytes", count, **frame,
                                   engine="ray", concurrency=2, shared=False)
            ray_echo = engine_rate(cache, texts, folder / "ray-echo", count, **echo,
                                   engine="ray", concurrency=1)[1]
            call_us = ray_call_us(100 if quick else 500)
        finally:
            ray.shutdown()
    return {
        "items": count, "cpus": os.cpu_count(), "load_average": os.getloadavg()[0],
        "loop_items_per_s": loop,
        "local_items_per_s": local[0], "local_steady_items_per_s": local[1],
        "ray_items_per_s": on_ray[0], "ray_steady_items_per_s": on_ray[1],
        "ray_bytes_items_per_s": no_share[0], "ray_bytes_steady_items_per_s": no_share[1],
        "ray_start_s": ray_start,
        "local_echo_items_per_s": local_echo, "ray_echo_items_per_s": ray_echo,
        "ray_overhead_ms_per_item": (1 / ray_echo - 1 / local_echo) * 1e3,
        "ray_call_us": call_us,
    }


ROWS = [
    ("plain loop over transform (1 worker)", "loop_items_per_s", "items/s"),
    ("local engine, 2 workers: whole batch call", "local_items_per_s", "items/s"),
    ("local engine, 2 workers: steady", "local_steady_items_per_s", "items/s"),
    ("ray engine, 2 actors, shared files: whole batch call", "ray_items_per_s", "items/s"),
    ("ray engine, 2 actors, shared files: steady", "ray_steady_items_per_s", "items/s"),
    ("ray engine, 2 actors, bytes via object store: whole call", "ray_bytes_items_per_s",
     "items/s"),
    ("ray engine, 2 actors, bytes via object store: steady", "ray_bytes_steady_items_per_s",
     "items/s"),
    ("ray start (local cluster)", "ray_start_s", "s"),
    ("no-op item, local engine, 1 worker: steady", "local_echo_items_per_s", "items/s"),
    ("no-op item, ray engine, 1 actor: steady", "ray_echo_items_per_s", "items/s"),
    ("ray per-item overhead (steady no-op: ray - local)", "ray_overhead_ms_per_item", "ms"),
    ("bare ray actor call", "ray_call_us", "us"),
]


CLOSING_NOTE = """\
Past one machine: `--engine ray --address HOST:PORT` joins a cluster and puts one actor
per CPU of it (or `--concurrency N`); each actor is a MediaConduit host on its node,
loading the provider from that node's own cache at the commit the caller resolved.
What it takes: (1) mediaconduit (with the ray extra) installed on every node; (2) the
provider reachable from every node (a git URL, or a folder at the same path); (3) data:
with `--shared`, the inputs and `--out` on storage every node mounts at the same path
(NFS, a cluster filesystem), so only paths travel; without it, the caller reads each
input and writes each output, and the bytes travel through Ray's object store, which
makes the caller's disk and network the ceiling; (4) reproducibility: a
`mediaconduit.lock` beside the project file (at the same path on every node), which
each actor syncs (`sync --locked`) before it loads, so every node runs the same
commits and wheels, and a stale lock stops the batch before any item runs. Ray adds
about a millisecond per item; items of tens of milliseconds or more scale with the
number of actors until the shared storage or the caller's link is the bottleneck."""


def table(data: dict[str, Any]) -> str:
    lines = [f"batch of {data['items']} frame extractions, {data['cpus']} CPUs, "
             f"load {data['load_average']:.1f}", "", "| measure | value |", "|---|---|"]
    lines += [f"| {label} | {data[key]:.1f} {unit} |" for label, key, unit in ROWS]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20 items instead of 200")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args(argv)
    data = measure(quick=args.quick)
    print(table(data))
    print()
    print(CLOSING_NOTE)
    if args.json is not None:
        args.json.write_text(json.dumps(data, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
