#!/usr/bin/env python3
"""MediaConduit's benchmarks, side by side with pre-commit and with the floor done by hand.

    python scripts/bench.py                  # the full run: a table, about a minute
    python scripts/bench.py --json out.json  # the same, and the numbers as JSON
    python scripts/bench.py --quick          # the smoke run CI does: N=1, no pre-commit

Everything runs here: the provider repository (`scripts/bench_providers/httpx-provider`,
whose one dependency is httpx) and a pre-commit hook repository with the same
dependency are served by the loopback git server of the tests, and
`https://github.com/` is pointed at it with git's `insteadOf`. The package caches
(uv's, pip's) are warmed by a first run; every cold run starts from empty
MediaConduit/pre-commit/floor folders. Whole-process numbers are wall clock from
start to exit of a new process (`subprocess` + `time.perf_counter`), medians over
`--runs` runs after a warm-up, the three contenders interleaved run by run.

Nothing here asserts a timing: the targets are printed as met or missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.helpers.gitserver import GitServer  # noqa: E402 - needs the repo root on the path

PROVIDER_DIR = ROOT / "scripts" / "bench_providers" / "httpx-provider"
PROVIDER_REPO = "Bench/httpx-provider"
HOOK_REPO = "Bench/httpx-hook"
PROVIDER = f"https://github.com/{PROVIDER_REPO}"
DEPENDENCY = "httpx"
RACERS = 6
MB = 1024 * 1024

# A user's program: load the provider and get the first transform's answer.
LOAD = """
import sys
from mediaconduit import get_provider_registry
provider = get_provider_registry().get_provider(sys.argv[1])
print(provider.get_model("noop").transform("hello").text)
"""

# In one process: a warm load, then the in-process numbers, printed as JSON.
IN_PROCESS = """
import json, statistics, sys, time
from mediaconduit import get_provider_registry

spec, batches, calls, chunks = sys.argv[1], *map(int, sys.argv[2:5])
registry = get_provider_registry()
provider = registry.get_provider(spec)
noop = provider.get_model("noop")
assert noop.transform("hello").text == "hello"
imports = {name: name in sys.modules for name in ("git", "pydantic", "yaml", "filelock")}

def per_call(fn, n):
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n

repeat = [per_call(lambda: registry.get_provider(spec), 10 * calls) for _ in range(batches)]
trips = [per_call(lambda: noop.transform("x"), calls) for _ in range(batches)]
stream = provider.get_model("stream")
rates = []
for _ in range(batches):
    start = time.perf_counter()
    count = sum(1 for _ in stream.stream(str(chunks)))
    rates.append(count / (time.perf_counter() - start))
assert count == chunks
pid = provider.health()["worker_pid"]
try:
    status = open(f"/proc/{pid}/status").read().split("\\n")
    rss = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))
except OSError:
    rss = None
print(json.dumps({"repeat_s": repeat, "round_trip_s": trips, "stream_per_s": rates,
                  "worker_rss_bytes": rss, "imports": imports}))
"""

# The floor's own memory: a plain interpreter that imported the dependency.
FLOOR_RSS = (
    f"import {DEPENDENCY}; "
    "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmRSS:')))"
)

HOOKS_YAML = f"""\
- id: bench-{DEPENDENCY}
  name: bench {DEPENDENCY}
  entry: bench-hook
  language: python
  pass_filenames: false
  always_run: true
"""
HOOK_SETUP = f"""\
from setuptools import setup

setup(name="bench-hook", version="1.0.0", py_modules=["bench_hook"],
      install_requires=["{DEPENDENCY}"],
      entry_points={{"console_scripts": ["bench-hook = bench_hook:main"]}})
"""
HOOK_MODULE = f"""\
import {DEPENDENCY}


def main() -> int:
    return 0 if {DEPENDENCY}.__version__ else 1
"""


class Target(NamedTuple):
    metric: str
    op: str  # "<=" or ">="
    bound: float
    text: str

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value <= self.bound if self.op == "<=" else value >= self.bound


TARGETS = [
    Target("cold_ratio", "<=", 1.1, "<= 1.1x floor"),
    Target("warm_ratio", "<=", 2.0, "<= 2x floor"),
    Target("repeat_get_provider_us", "<=", 20.0, "<= 20 us"),
    Target("round_trip_us", "<=", 150.0, "<= 150 us"),
    Target("stream_chunks_per_s", ">=", 20_000.0, ">= 20,000/s"),
    Target("worker_rss_mb", "<=", 40.0, "<= 40 MB"),
    Target("warm_imports_heavy", "<=", 0.0, "neither git nor pydantic"),
]
METRICS = [
    *(f"{phase}_{who}{kind}" for phase in ("cold", "warm") for kind in ("_s", "_cpu_s")
      for who in ("mediaconduit", "floor", "pre_commit")),
    *(f"{phase}_{kind}" for phase in ("cold", "warm")
      for kind in ("ratio", "pre_commit_ratio", "cpu_ratio")),
    "repeat_get_provider_us", "round_trip_us", "stream_chunks_per_s", "race_s", "race_vs_cold",
    "race_envs", "race_git_requests", "cold_git_requests", "worker_rss_mb", "floor_rss_mb",
    "warm_imports_heavy",
]


class Settings(NamedTuple):
    runs: int
    quick: bool
    pre_commit: bool
    batches: int
    calls: int
    chunks: int


# --- running things --------------------------------------------------------------------------


def run(cmd: Sequence[str | Path], env: dict[str, str], cwd: Path | None = None) -> str:
    """Run `cmd` to the end; its stdout, or an error with everything it printed."""
    result = subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, capture_output=True,
                            text=True, check=False, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n"
                           f"{result.stdout}\n{result.stderr}")
    return result.stdout


class Sample(NamedTuple):
    wall: float  # seconds, start to exit
    cpu: float  # user + system seconds of the process and everything it started


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: Sequence[str | Path], env: dict[str, str], cwd: Path | None = None) -> Sample:
    """Wall clock and CPU time of one whole process, start to exit."""
    cpu, start = children_cpu(), time.perf_counter()
    run(cmd, env, cwd)
    return Sample(time.perf_counter() - start, children_cpu() - cpu)


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def base_python() -> str:
    """The interpreter MediaConduit makes environments from; the floor uses it too."""
    return os.path.realpath(sys.executable)


def uv_bin() -> str:
    from uv import find_uv_bin

    return str(find_uv_bin())


def tool_version(*cmd: str) -> str | None:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False,
                              timeout=60).stdout.strip() or None
    except OSError:
        return None


def pre_commit_bin() -> str | None:
    beside = Path(sys.executable).with_name("pre-commit")
    return str(beside) if beside.exists() else shutil.which("pre-commit")


# --- the world: git server, repositories, environment variables ------------------------------


class World:
    """The loopback git server with the provider and the hook repo, and a scratch folder."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.server = GitServer(tmp / "repos").start()
        gitconfig = self.server.git_config(tmp / "gitconfig")
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("MEDIACONDUIT_", "PRE_COMMIT")) and k != "VIRTUAL_ENV"}
        # insteadOf twice: in the config file, and in GIT_CONFIG_* variables, which
        # pre-commit passes on to git (it drops GIT_CONFIG_GLOBAL).
        self.env.update(GIT_CONFIG_GLOBAL=str(gitconfig), GIT_CONFIG_NOSYSTEM="1",
                        GIT_TERMINAL_PROMPT="0", GIT_CONFIG_COUNT="1",
                        GIT_CONFIG_KEY_0=f"url.{self.server.url}.insteadOf",
                        GIT_CONFIG_VALUE_0="https://github.com/")
        self.server.publish(PROVIDER_DIR, PROVIDER_REPO)
        self.hook_commit = self.server.publish(self._hook_folder(), HOOK_REPO)
        self.project = self._pre_commit_project()
        self.warm_cache, self.floor_dir = tmp / "mc-warm", tmp / "floor-warm"
        self._count = 0

    def fresh(self, name: str) -> Path:
        """A new, not yet existing path under the scratch folder."""
        self._count += 1
        return self.tmp / f"{name}-{self._count}"

    def with_env(self, **extra: str) -> dict[str, str]:
        return {**self.env, **extra}

    def _hook_folder(self) -> Path:
        folder = self.tmp / "hook-src"
        folder.mkdir()
        (folder / ".pre-commit-hooks.yaml").write_text(HOOKS_YAML)
        (folder / "setup.py").write_text(HOOK_SETUP)
        (folder / "bench_hook.py").write_text(HOOK_MODULE)
        return folder

    def _pre_commit_project(self) -> Path:
        """A git repo whose `.pre-commit-config.yaml` uses the hook, pinned to its commit."""
        project = self.tmp / "pc-project"
        project.mkdir()
        (project / ".pre-commit-config.yaml").write_text(textwrap.dedent(f"""\
            repos:
              - repo: https://github.com/{HOOK_REPO}
                rev: {self.hook_commit}
                hooks:
                  - id: bench-{DEPENDENCY}
            """))
        (project / "README.md").write_text("bench\n")
        for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
            run(["git", *cmd], self.env, project)
        return project


# --- the contenders --------------------------------------------------------------------------


def mc_load(world: World, cache: Path) -> Sample:
    """MediaConduit: a new process loads the provider and prints the first answer."""
    env = world.with_env(MEDIACONDUIT_CACHE_DIR=str(cache))
    return timed([sys.executable, "-c", LOAD, PROVIDER], env, world.tmp)


def floor_cold(world: World, folder: Path) -> Sample:
    """By hand: git clone, uv venv, uv pip install, import the dependency."""
    venv, python = folder / ".venv", folder / ".venv" / "bin" / "python"
    uv = shlex.quote(uv_bin())
    script = " && ".join([
        f"git clone -q {PROVIDER} {shlex.quote(str(folder))}",
        f"{uv} venv -q --python {shlex.quote(base_python())} {shlex.quote(str(venv))}",
        f"{uv} pip install -q --python {shlex.quote(str(python))} {DEPENDENCY}",
        f"{shlex.quote(str(python))} -c 'import {DEPENDENCY}'",
    ])
    return timed(["sh", "-c", script], world.env, world.tmp)


def floor_warm(world: World, folder: Path) -> Sample:
    """By hand, warm: the ready venv imports the dependency."""
    python = folder / ".venv" / "bin" / "python"
    return timed([python, "-c", f"import {DEPENDENCY}"], world.env, world.tmp)


def pre_commit(world: World, home: Path) -> Sample:
    """pre-commit: clone the hook repo, build its env (pip), run the hook (imports httpx)."""
    tool = pre_commit_bin()
    assert tool is not None
    env = world.with_env(PRE_COMMIT_HOME=str(home))
    return timed([tool, "run", "--all-files"], env, world.project)


# --- the measurements ------------------------------------------------------------------------


Contenders = dict[str, Callable[[], Sample]]


def interleaved(runs: int, contenders: Contenders) -> dict[str, list[Sample]]:
    """Run each contender once per round, so drifting noise hits them alike."""
    samples: dict[str, list[Sample]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, once in contenders.items():
            samples[name].append(once())
    return samples


def cold(world: World, settings: Settings) -> dict[str, list[Sample]]:
    contenders: Contenders = {
        "mediaconduit": lambda: mc_load(world, world.fresh("mc-cold")),
        "floor": lambda: floor_cold(world, world.fresh("floor-cold")),
    }
    if settings.pre_commit:
        contenders["pre_commit"] = lambda: pre_commit(world, world.fresh("pc-cold"))
    if not settings.quick:
        interleaved(1, contenders)  # warm-up: fills uv's and pip's caches
    return interleaved(settings.runs, contenders)


def warm(world: World, settings: Settings) -> dict[str, list[Sample]]:
    mc_cache, floor_dir, pc_home = world.warm_cache, world.floor_dir, world.fresh("pc-warm")
    mc_load(world, mc_cache)
    floor_cold(world, floor_dir)
    contenders: Contenders = {
        "mediaconduit": lambda: mc_load(world, mc_cache),
        "floor": lambda: floor_warm(world, floor_dir),
    }
    if settings.pre_commit:
        pre_commit(world, pc_home)
        contenders["pre_commit"] = lambda: pre_commit(world, pc_home)
    interleaved(1, contenders)  # warm-up
    return interleaved(settings.runs, contenders)


def race(world: World, settings: Settings) -> tuple[list[float], int, int, int]:
    """RACERS processes load one cold provider at once; wall time until the last answers."""
    walls, envs, requests = [], 0, 0
    before = world.server.requests
    single = world.fresh("mc-single")
    mc_load(world, single)
    single_requests = world.server.requests - before
    for _ in range(settings.runs):
        cache = world.fresh("mc-race")
        env = world.with_env(MEDIACONDUIT_CACHE_DIR=str(cache))
        before = world.server.requests
        start = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", LOAD, PROVIDER], env=env, cwd=world.tmp,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(RACERS)]
        outs = [p.communicate(timeout=600) for p in procs]
        walls.append(time.perf_counter() - start)
        bad = [(p.returncode, err) for p, (_, err) in zip(procs, outs, strict=True) if p.returncode]
        if bad:
            raise RuntimeError(f"a racing load failed: {bad[0]}")
        requests = world.server.requests - before
        envs = len(list((cache / "envs").iterdir()))
    return walls, envs, requests, single_requests


def in_process(world: World, settings: Settings) -> dict[str, Any]:
    env = world.with_env(MEDIACONDUIT_CACHE_DIR=str(world.warm_cache))
    out = run([sys.executable, "-c", IN_PROCESS, PROVIDER, str(settings.batches),
               str(settings.calls), str(settings.chunks)], env, world.tmp)
    data: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return data


def floor_rss(world: World) -> float | None:
    python = world.floor_dir / ".venv" / "bin" / "python"
    try:
        return int(run([python, "-c", FLOOR_RSS], world.env, world.tmp).strip()) * 1024 / MB
    except (RuntimeError, ValueError):
        return None


# --- putting it together ---------------------------------------------------------------------


def measure(world: World, settings: Settings) -> tuple[dict[str, Any], dict[str, list[float]]]:
    c = cold(world, settings)
    w = warm(world, settings)
    walls, envs, requests, single_requests = race(world, settings)
    inner = in_process(world, settings)
    samples: dict[str, list[float]] = {}
    for phase, result in (("cold", c), ("warm", w)):
        for name, runs in result.items():
            samples[f"{phase}_{name}_s"] = [r.wall for r in runs]
            samples[f"{phase}_{name}_cpu_s"] = [r.cpu for r in runs]
    samples["race_s"] = walls
    samples["repeat_get_provider_us"] = [s * 1e6 for s in inner["repeat_s"]]
    samples["round_trip_us"] = [s * 1e6 for s in inner["round_trip_s"]]
    samples["stream_chunks_per_s"] = list(inner["stream_per_s"])
    m: dict[str, Any] = {name: median(values) for name, values in samples.items()}
    for phase in ("cold", "warm"):
        m.setdefault(f"{phase}_pre_commit_s", None)
        m.setdefault(f"{phase}_pre_commit_cpu_s", None)
        m[f"{phase}_cpu_ratio"] = ratio(m[f"{phase}_mediaconduit_cpu_s"],
                                        m[f"{phase}_floor_cpu_s"])
        m[f"{phase}_ratio"] = ratio(m[f"{phase}_mediaconduit_s"], m[f"{phase}_floor_s"])
        m[f"{phase}_pre_commit_ratio"] = ratio(m[f"{phase}_pre_commit_s"], m[f"{phase}_floor_s"])
    m["race_vs_cold"] = ratio(m["race_s"], m["cold_mediaconduit_s"])
    m.update(race_envs=envs, race_git_requests=requests, cold_git_requests=single_requests)
    rss = inner["worker_rss_bytes"]
    m["worker_rss_mb"] = rss / MB if rss else None
    m["floor_rss_mb"] = floor_rss(world)
    heavy = [name for name in ("git", "pydantic") if inner["imports"].get(name)]
    m["warm_imports_heavy"] = len(heavy)
    m["warm_imports"] = inner["imports"]
    return m, samples


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "git": tool_version("git", "--version"),
        "uv": tool_version(uv_bin(), "--version"),
        "pre_commit": tool_version(pre_commit_bin() or "pre-commit", "--version"),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def report(metrics: dict[str, Any], samples: dict[str, list[float]], settings: Settings,
           started: dict[str, Any], seconds: float) -> dict[str, Any]:
    for name in METRICS:
        metrics.setdefault(name, None)
    targets = {t.metric: {"target": t.text, "value": metrics.get(t.metric),
                          "met": t.met(metrics.get(t.metric))} for t in TARGETS}
    return {
        "version": 1, "quick": settings.quick, "runs": settings.runs, "machine": started,
        "load_average_after": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "seconds": seconds, "metrics": metrics, "samples": samples, "targets": targets,
    }


# --- the table -------------------------------------------------------------------------------


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.0f} ms"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "/s":
        return f"{value:,.0f}/s"
    return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"


def verdict(data: dict[str, Any], metric: str) -> str:
    target = data["targets"].get(metric)
    if target is None:
        return ""
    met = {True: "met", False: "MISSED", None: "-"}[target["met"]]
    return f"{target['target']}: {met}"


def table(data: dict[str, Any]) -> str:
    m = data["metrics"]
    rows = [
        ("cold load, to first answer", fmt(m["cold_mediaconduit_s"], "s"),
         fmt(m["cold_floor_s"], "s"), fmt(m["cold_pre_commit_s"], "s"),
         fmt(m["cold_ratio"], "x"), fmt(m["cold_pre_commit_ratio"], "x"),
         verdict(data, "cold_ratio")),
        ("warm load, new process", fmt(m["warm_mediaconduit_s"], "s"),
         fmt(m["warm_floor_s"], "s"), fmt(m["warm_pre_commit_s"], "s"),
         fmt(m["warm_ratio"], "x"), fmt(m["warm_pre_commit_ratio"], "x"),
         verdict(data, "warm_ratio")),
        ("cold load, CPU (user+sys)", fmt(m["cold_mediaconduit_cpu_s"], "s"),
         fmt(m["cold_floor_cpu_s"], "s"), fmt(m["cold_pre_commit_cpu_s"], "s"),
         fmt(m["cold_cpu_ratio"], "x"),
         fmt(ratio(m["cold_pre_commit_cpu_s"], m["cold_floor_cpu_s"]), "x"), ""),
        ("warm load, CPU (user+sys)", fmt(m["warm_mediaconduit_cpu_s"], "s"),
         fmt(m["warm_floor_cpu_s"], "s"), fmt(m["warm_pre_commit_cpu_s"], "s"),
         fmt(m["warm_cpu_ratio"], "x"),
         fmt(ratio(m["warm_pre_commit_cpu_s"], m["warm_floor_cpu_s"]), "x"), ""),
        ("repeat get_provider", fmt(m["repeat_get_provider_us"], "us"), "", "", "", "",
         verdict(data, "repeat_get_provider_us")),
        ("round trip, no-op transform", fmt(m["round_trip_us"], "us"), "", "", "", "",
         verdict(data, "round_trip_us")),
        ("streaming through the worker", fmt(m["stream_chunks_per_s"], "/s"), "", "", "", "",
         verdict(data, "stream_chunks_per_s")),
        (f"{RACERS} processes race, one cold provider", fmt(m["race_s"], "s"), "", "",
         f"{fmt(m['race_vs_cold'], 'x')} of one cold", "",
         f"{m['race_envs']} env, {m['race_git_requests']} git requests "
         f"(one load: {m['cold_git_requests']})"),
        ("worker RSS (httpx provider)", fmt(m["worker_rss_mb"], "MB"),
         fmt(m["floor_rss_mb"], "MB"), "", "", "", verdict(data, "worker_rss_mb")),
        ("warm path imports git / pydantic",
         " / ".join("yes" if m["warm_imports"].get(n) else "no" for n in ("git", "pydantic")),
         "", "", "", "", verdict(data, "warm_imports_heavy")),
    ]
    head = ("measure", "MediaConduit", "floor", "pre-commit", "MC / floor", "pre-commit / floor",
            "target")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> tuple[Settings, Path | None]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: one run each, no warm-up, no pre-commit")
    parser.add_argument("--runs", type=int, default=None, help="runs per measure (default 5)")
    parser.add_argument("--no-pre-commit", action="store_true", help="leave pre-commit out")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH",
                        help="also write the results as JSON to PATH")
    args = parser.parse_args(argv)
    runs = args.runs or (1 if args.quick else 5)
    with_pc = not (args.quick or args.no_pre_commit) and pre_commit_bin() is not None
    settings = Settings(runs=runs, quick=args.quick, pre_commit=with_pc,
                        batches=3 if args.quick else 9, calls=300 if args.quick else 2000,
                        chunks=5000 if args.quick else 50_000)
    return settings, args.json


@contextmanager
def scratch() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="mediaconduit-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def compile_host() -> None:
    """Byte-compile MediaConduit itself, as installing its wheel does.

    An editable install (this checkout) leaves that to the first import, and where
    PYTHONDONTWRITEBYTECODE is set (as on this project's machines) it would never
    happen, so every run would compile the host from source: a cost no installed
    user pays. The contenders' own code is left as their tools leave it.
    """
    import compileall

    compileall.compile_dir(str(ROOT / "mediaconduit"), quiet=1)


def part_two(quick: bool) -> dict[str, Any]:
    """Part two's figures (scripts/bench_part2.py): routing, chats, jobs, speech, batches,
    the ledger; in a quick run only the cheap ones, small."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench_part2

    results = bench_part2.measure(quick)
    print("\n## Part two\n\n" + bench_part2.table(results))
    return results


def main(argv: list[str] | None = None) -> int:
    settings, json_path = parse_args(argv)
    compile_host()
    started, clock = machine(), time.perf_counter()
    with scratch() as tmp:
        world = World(tmp)
        try:
            metrics, samples = measure(world, settings)
        finally:
            world.server.stop()
    data = report(metrics, samples, settings, started, time.perf_counter() - clock)
    print(table(data))
    print(f"\n{settings.runs} run(s) each, medians; {data['seconds']:.0f} s in all; "
          f"load average {started['load_average']} -> {data['load_average_after']}")
    data["part_two"] = part_two(settings.quick)
    if json_path is not None:
        json_path.write_text(json.dumps(data, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
