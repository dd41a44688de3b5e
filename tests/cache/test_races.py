"""The cache under stress: racing processes, loads killed at many points, per-entry locks."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from mediaconduit import cache
from mediaconduit.cache import maintenance
from mediaconduit.registry import ProviderRegistry
from mediaconduit.specifier import parse_specifier
from tests.conftest import ROOT, TEST_PROVIDERS, publish
from tests.helpers.gitserver import GitServer

LOADER = textwrap.dedent("""
    import json, sys, time
    sys.path.insert(0, {root!r})
    start = float(sys.argv[2])
    while time.time() < start:
        time.sleep(0.001)
    from mediaconduit.registry import ProviderRegistry
    with ProviderRegistry({cache!r}) as registry:
        provider = registry.get_provider(sys.argv[1])
        answer = provider.get_model("reverse").transform("abc").text
        env = provider.worker().spec.python.parent.parent
        marker = json.loads((env / ".mediaconduit-env.json").read_text())
    print(json.dumps({{"answer": answer, "commit": provider.commit,
                      "build": marker["build_id"]}}))
""")


def _loader(cache_dir: Path) -> str:
    return LOADER.format(root=str(ROOT), cache=str(cache_dir))


def _run_loaders(code: str, spec: str, count: int) -> list[dict[str, str]]:
    start = str(time.time() + 1.5)
    procs = [subprocess.Popen([sys.executable, "-c", code, spec, start], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(count)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    return results


def _variant(tmp_path: Path, name: str, marker: str) -> Path:
    """The reverse provider with a dependency line of its own (so its own environment)."""
    folder = tmp_path / name
    shutil.copytree(TEST_PROVIDERS / "reverse", folder)
    pyproject = folder / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        '"text-unidecode==1.3"', f'"text-unidecode==1.3; python_version > \'{marker}\'"'))
    return folder


def test_racing_processes_clone_once_and_build_once(git_server: GitServer, cache_dir: Path,
                                                    tmp_path: Path) -> None:
    publish(git_server, str(_variant(tmp_path, "solo", "2.1")), "Race/solo")
    _run_loaders(_loader(tmp_path / "solo-cache"), "github:Race/solo", 1)
    publish(git_server, str(_variant(tmp_path, "race", "2.2")), "Race/race")
    results = _run_loaders(_loader(cache_dir), "github:Race/race", 6)
    assert {r["answer"] for r in results} == {"cba"}
    assert len({r["commit"] for r in results}) == 1
    assert len({r["build"] for r in results}) == 1, "the environment was built more than once"
    assert git_server.fetches("Race/race") == git_server.fetches("Race/solo")
    assert len(list((cache_dir / "envs").iterdir())) == 1
    dirname = parse_specifier("https://github.com/Race/race").dirname
    assert len(list((cache_dir / "providers" / dirname).iterdir())) == 1
    assert maintenance.verify(cache.Layout(cache_dir)) == []


KILL_AFTER = [0.05, 0.15, 0.3, 0.45, 0.6, 0.8, 1.0, 1.3, 1.7, 2.2]


def test_loads_killed_at_many_points_are_repaired(git_server: GitServer, cache_dir: Path,
                                                  tmp_path: Path) -> None:
    code = _loader(cache_dir)
    for i, delay in enumerate(KILL_AFTER):
        spec = f"github:Killed/provider-{i}"
        publish(git_server, str(_variant(tmp_path, f"k{i}", f"2.{i}")), f"Killed/provider-{i}")
        proc = subprocess.Popen([sys.executable, "-c", code, spec, "0"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with ProviderRegistry(cache_dir) as registry:
        for i in range(len(KILL_AFTER)):
            provider = registry.get_provider(f"github:Killed/provider-{i}")
            assert provider.get_model("reverse").transform("xy").text == "yx"  # type: ignore[union-attr]
    problems = maintenance.verify(cache.Layout(cache_dir))
    assert problems == []


def test_different_providers_do_not_wait_for_each_other(git_server: GitServer,
                                                         cache_dir: Path) -> None:
    publish(git_server, "reverse", "Locks/held")
    publish(git_server, "reverse", "Locks/free")
    layout = cache.Layout(cache_dir)
    done: dict[str, bool] = {}
    with ProviderRegistry(cache_dir) as registry:
        def load(name: str) -> None:
            registry.get_provider(f"github:Locks/{name}")
            done[name] = True

        held = threading.Thread(target=load, args=("held",))
        dirname = parse_specifier("github:Locks/held").dirname
        with cache.locked(layout.lock(f"repo-{dirname}")):
            held.start()
            load("free")
            assert done == {"free": True}
            assert held.is_alive()
        held.join(60)
    assert done == {"free": True, "held": True}
