#!/usr/bin/env python3
"""The chat providers' bench figures (issue 11), for `scripts/bench.py` to call.

    python scripts/bench_chat.py                    # Together, as JSON
    python scripts/bench_chat.py --provider mistral

`measure(name)` loads `providers/<name>-provider` through the host by its GitHub
URL (the tests' loopback git server stands in for github.com), against the shared
fake chat API (`tests/helpers/openai_chat.py`) running in a process of its own,
as a real upstream would, and returns:

- `single_s`: one streamed chat, start to last chunk, with the fake waiting
  `delay` (50 ms) before each answer (median of `runs`);
- `concurrent_s`: `clients` (32) such chats started at once through the one
  provider worker, until the last one ends (median of `runs`); `ratio` is
  `concurrent_s / single_s` (the target: at most 1.3). `direct_concurrent_s` and
  `direct_ratio`: the same burst with the official client called directly in the
  provider's environment, the floor for this machine;
- `host_ms` / `direct_ms`: one streamed chat with no upstream delay through the
  host, and with the same client called directly (medians of `calls`, measured
  in interleaved rounds so that load from elsewhere hits both alike);
  `overhead_ms` is the median of the rounds' differences (target: at most 1 ms);
  `overhead_cpu_ms`: the same in CPU time (host process plus worker, less the
  client alone), which load from other processes disturbs far less;
- `cpu_ms_per_chat`: the CPU one streamed chat of the burst cost in the host
  process, the provider's worker and the fake upstream (from `/proc`): with
  `cores` cores, the burst cannot end sooner than `clients * total / cores`.

Nothing here asserts: the figures are returned (and printed) for the caller.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.helpers.gitserver import GitServer  # noqa: E402 - needs the repo root on the path

KEY = "bench-key-0123456789abcdef"
#: name -> (chat model, config without retries)
PROVIDERS: dict[str, tuple[str, dict[str, Any]]] = {
    "together": ("meta-llama/Llama-3.3-70B-Instruct-Turbo", {"max_retries": 0}),
    "mistral": ("mistral-small-latest", {"max_retry_seconds": 0}),
}

# The fake upstream in its own process: prints its URL, serves until stdin closes.
FAKE = """
import sys
from tests.helpers.openai_chat import MISTRAL, TOGETHER, FakeChat
dialect = {"together": TOGETHER, "mistral": MISTRAL}[sys.argv[1]]
with FakeChat(dialect, api_key=sys.argv[2], delay=float(sys.argv[3])) as fake:
    print(fake.base_url, flush=True)
    sys.stdin.read()
"""

# The same streamed chat with the official client, in the provider's environment.
DIRECT = {
    "together": """
from together import Together
client = Together(api_key=KEY, base_url=URL, max_retries=0)
def once():
    for _ in client.chat.completions.create(model=MODEL, stream=True,
                                            messages=[{"role": "user", "content": "hi"}]):
        pass
""",
    "mistral": """
from mistralai.client import Mistral
client = Mistral(api_key=KEY, server_url=URL)
def once():
    for _ in client.chat.stream(model=MODEL, messages=[{"role": "user", "content": "hi"}]):
        pass
""",
}
# Reads `runs clients` lines on stdin; answers each with the median seconds.
TIMING = """
import json, statistics, sys, threading, time
URL, KEY, MODEL = sys.argv[1:4]
{client}
def timed(fn):
    start = time.perf_counter(); fn(); return time.perf_counter() - start
def burst(clients):
    gate = threading.Barrier(clients)
    threads = [threading.Thread(target=lambda: (gate.wait(), once())) for _ in range(clients)]
    for thread in threads: thread.start()
    for thread in threads: thread.join()
for _ in range(5):
    once()
for line in sys.stdin:
    runs, clients = map(int, line.split())
    fn = once if clients == 1 else lambda: burst(clients)
    cpu = time.process_time()
    wall = statistics.median(timed(fn) for _ in range(runs))
    print(json.dumps([wall, (time.process_time() - cpu) / runs / clients]), flush=True)
"""


@dataclasses.dataclass(frozen=True)
class ChatBench:
    provider: str
    clients: int
    delay_s: float
    single_s: float
    concurrent_s: float
    ratio: float
    direct_concurrent_s: float
    direct_ratio: float
    host_ms: float
    direct_ms: float
    overhead_ms: float
    overhead_cpu_ms: float
    cpu_ms_per_chat: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class Direct:
    """The official client in the provider's environment, timed on request."""

    def __init__(self, name: str, python: Path, url: str, model: str) -> None:
        script = TIMING.replace("{client}", DIRECT[name])
        self.process = subprocess.Popen([str(python), "-c", script, url, KEY, model],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def median(self, runs: int, clients: int = 1) -> float:
        """The median wall seconds of `runs` (each `clients` chats at once)."""
        return self.timed(runs, clients)[0]

    def timed(self, runs: int, clients: int = 1) -> tuple[float, float]:
        """(median wall seconds of a run, CPU seconds per chat)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{runs} {clients}\n")
        self.process.stdin.flush()
        wall, cpu = json.loads(self.process.stdout.readline())
        return float(wall), float(cpu)

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc (0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def fake_upstream(name: str, delay: float) -> Iterator[tuple[str, int]]:
    """The fake in a process of its own; yields its base URL and pid."""
    process = subprocess.Popen([sys.executable, "-c", FAKE, name, KEY, str(delay)], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip(), process.pid
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


@contextmanager
def environ(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def concurrently(fn: Callable[[], object], clients: int) -> None:
    """Run `fn` on `clients` threads released together; return when all are done."""
    gate = threading.Barrier(clients)
    failures: list[BaseException] = []

    def run() -> None:
        gate.wait()
        try:
            fn()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def streamed(handle: Any, model_id: str) -> Callable[[], None]:
    model = handle.get_model(model_id)

    def chat() -> None:
        for _ in model.stream("hi"):
            pass

    for _ in range(5):
        chat()  # warm: connections, imports
    return chat


def overhead(chat: Callable[[], None], direct: Direct, calls: int,
             rounds: int = 5) -> tuple[float, float, float]:
    """(host ms, direct ms, median difference ms) from interleaved rounds."""
    pairs = [(median_time(chat, calls // rounds), direct.median(calls // rounds))
             for _ in range(rounds)]
    host = statistics.median(p[0] for p in pairs) * 1000
    plain = statistics.median(p[1] for p in pairs) * 1000
    return host, plain, statistics.median(p[0] - p[1] for p in pairs) * 1000


def cpu_overhead(chat: Callable[[], None], direct: Direct, worker_pid: int, calls: int) -> float:
    """The CPU ms one chat costs through the host (host and worker) beyond the client alone."""
    host, worker = time.process_time(), cpu_seconds(worker_pid)
    for _ in range(calls):
        chat()
    spent = time.process_time() - host + cpu_seconds(worker_pid) - worker
    return (spent / calls - direct.timed(calls)[1]) * 1000


@dataclasses.dataclass(frozen=True)
class Setup:
    """One bench's provider: its name, chat model, config and the registry it loads in."""

    name: str
    model_id: str
    config: dict[str, Any]
    registry: Any

    def chat(self, base_url: str) -> tuple[Callable[[], None], Any]:
        """A warmed streamed chat through a provider on `base_url`, and its handle."""
        url = f"https://github.com/MediaConduit/{self.name}-provider"
        handle = self.registry.get_provider(url, config={**self.config, "base_url": base_url})
        return streamed(handle, self.model_id), handle


def overhead_phase(setup: Setup, base_url: str, calls: int) -> tuple[float, ...]:
    """(host ms, direct ms, wall overhead ms, CPU overhead ms), upstream without delay."""
    chat, handle = setup.chat(base_url)
    direct = Direct(setup.name, handle.worker().spec.python, base_url, setup.model_id)
    try:
        host, plain, extra = overhead(chat, direct, calls)
        return host, plain, extra, cpu_overhead(chat, direct, int(handle.health()["worker_pid"]),
                                                calls)
    finally:
        direct.close()


def burst_phase(setup: Setup, base_url: str, fake_pid: int, clients: int,
                runs: int) -> tuple[float, float, float, dict[str, float]]:
    """(one chat s, the burst s, the burst with the client alone s, CPU ms per chat)."""
    chat, handle = setup.chat(base_url)
    single = median_time(chat, runs)
    pids = {"worker": int(handle.health()["worker_pid"]), "upstream": fake_pid}
    before = {k: cpu_seconds(pid) for k, pid in pids.items()}
    started = time.process_time()
    burst = median_time(lambda: concurrently(chat, clients), runs)
    chats = runs * clients
    cpu = {"host": (time.process_time() - started) / chats * 1000,
           **{k: (cpu_seconds(pid) - before[k]) / chats * 1000 for k, pid in pids.items()}}
    direct = Direct(setup.name, handle.worker().spec.python, base_url, setup.model_id)
    try:
        return single, burst, direct.median(runs, clients), {k: round(v, 2) for k, v in cpu.items()}
    finally:
        direct.close()


def measure(name: str = "together", clients: int = 32, delay: float = 0.05, runs: int = 5,
            calls: int = 200) -> ChatBench:
    """The figures for one provider (see the module docstring)."""
    from mediaconduit.registry import ProviderRegistry

    model_id, config = PROVIDERS[name]
    with tempfile.TemporaryDirectory(prefix="bench-chat-") as scratch:
        folder = Path(scratch)
        server = GitServer(folder / "repos").start()
        try:
            server.publish(ROOT / "providers" / f"{name}-provider", f"MediaConduit/{name}-provider")
            gitconfig = str(server.git_config(folder / "gitconfig"))
            with environ(GIT_CONFIG_GLOBAL=gitconfig, GIT_CONFIG_NOSYSTEM="1",
                         **{f"{name.upper()}_API_KEY": KEY}), \
                    fake_upstream(name, 0.0) as (fast, _), \
                    fake_upstream(name, delay) as (slow, fake_pid), \
                    ProviderRegistry(folder / "cache") as registry:
                setup = Setup(name, model_id, config, registry)
                host, plain, extra, extra_cpu = overhead_phase(setup, fast, calls)
                single, burst, alone, cpu = burst_phase(setup, slow, fake_pid, clients, runs)
        finally:
            server.stop()
    return ChatBench(name, clients, delay, single, burst, burst / single, alone, alone / single,
                     host, plain, extra, extra_cpu, cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--provider", choices=sorted(PROVIDERS), default="together")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    result = measure(args.provider, clients=args.clients, runs=args.runs, calls=args.calls)
    print(json.dumps(result.to_dict(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
