"""The benchmark script runs and reports every number; the warm path stays light.

No timing is asserted here, ever: timings live in `scripts/bench.py`'s table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mediaconduit.registry import ProviderRegistry
from tests.conftest import ROOT
from tests.helpers.gitserver import GitServer

BENCH = ROOT / "scripts" / "bench.py"
BENCH_PROVIDER = ROOT / "scripts" / "bench_providers" / "httpx-provider"
METRICS = [
    f"{phase}_{who}{kind}" for phase in ("cold", "warm") for kind in ("_s", "_cpu_s")
    for who in ("mediaconduit", "floor", "pre_commit")
] + [
    f"{phase}_{kind}" for phase in ("cold", "warm")
    for kind in ("ratio", "pre_commit_ratio", "cpu_ratio")
] + [
    "repeat_get_provider_us", "round_trip_us", "stream_chunks_per_s", "race_s", "race_vs_cold",
    "race_envs", "race_git_requests", "cold_git_requests", "worker_rss_mb", "floor_rss_mb",
    "warm_imports_heavy", "warm_imports",
]
TARGETS = ["cold_ratio", "warm_ratio", "repeat_get_provider_us", "round_trip_us",
           "stream_chunks_per_s", "worker_rss_mb", "warm_imports_heavy"]
# What a warm load must not import: they are for fetching and validating, done once.
COLD_ONLY = ("git", "pydantic", "pydantic_core", "yaml", "packaging", "filelock", "shutil",
             "tempfile", "ray")


@pytest.mark.slow
def test_quick_bench_runs_and_writes_every_key(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIACONDUIT_")}
    result = subprocess.run([sys.executable, str(BENCH), "--quick", "--json", str(out)],
                            env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| cold load, to first answer |" in result.stdout
    data = json.loads(out.read_text())
    assert data["quick"] is True and data["runs"] == 1
    assert set(METRICS) <= set(data["metrics"])
    assert set(TARGETS) == set(data["targets"])
    for target in data["targets"].values():
        assert set(target) == {"target", "value", "met"}
    assert {"platform", "python", "cpus", "git", "uv", "load_average"} <= set(data["machine"])
    metrics = data["metrics"]
    assert metrics["cold_pre_commit_s"] is None  # --quick leaves pre-commit out
    assert metrics["race_envs"] == 1  # six racing processes built one environment
    assert metrics["warm_imports"]["git"] is False
    assert metrics["warm_imports"]["pydantic"] is False


@pytest.mark.slow
def test_warm_load_imports_neither_gitpython_nor_pydantic(git_server: GitServer,
                                                          cache_dir: Path) -> None:
    git_server.publish(BENCH_PROVIDER, "BenchTest/httpx-provider")
    spec = "https://github.com/BenchTest/httpx-provider"
    with ProviderRegistry(cache_dir) as registry:  # the cold load
        assert registry.get_provider(spec).get_model("noop").transform("hi").text == "hi"  # type: ignore[union-attr]
    code = textwrap.dedent(f"""
        import json, sys
        from mediaconduit import get_provider_registry
        provider = get_provider_registry().get_provider({spec!r})
        answer = provider.get_model("noop").transform("hello").text
        print(json.dumps([answer, sorted(m for m in {COLD_ONLY!r} if m in sys.modules)]))
    """)
    env = {**os.environ, "MEDIACONDUIT_CACHE_DIR": str(cache_dir)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, timeout=120).stdout
    answer, loaded = json.loads(out.strip().splitlines()[-1])
    assert answer == "hello"
    assert loaded == [], f"a warm load imported {loaded}: keep these imports on the cold path"
