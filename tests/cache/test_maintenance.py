"""What the cache holds, verify, gc and clean: in the library and through the CLI."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from mediaconduit import cache, environment, git
from mediaconduit.cache import maintenance, refs
from mediaconduit.cli import main
from mediaconduit.registry import ProviderRegistry
from mediaconduit.specifier import parse_specifier
from tests.conftest import publish
from tests.helpers.gitserver import GitServer


@pytest.fixture
def loaded(git_server: GitServer, cache_dir: Path) -> cache.Layout:
    """Two commits of one repo cached (the older one unreferenced after an update)."""
    publish(git_server, "reverse", "Inv/repo")
    with ProviderRegistry(cache_dir) as registry:
        registry.get_provider("github:Inv/repo").wait_ready()
        publish(git_server, "toolkit", "Inv/repo", message="next")
        registry.get_provider("github:Inv/repo", update=True).wait_ready()
    return cache.Layout(cache_dir)


def test_list(loaded: cache.Layout) -> None:
    entries = maintenance.checkouts(loaded)
    dirname = parse_specifier("https://github.com/Inv/repo").dirname
    assert [e.dirname for e in entries] == [dirname, dirname]
    assert sorted(len(e.refs) for e in entries) == [0, 1]
    assert all(e.size > 0 for e in entries)
    envs = maintenance.environments(loaded)
    assert len(envs) == 2
    assert all(e.complete for e in envs)


def test_verify_finds_and_repairs_damage(loaded: cache.Layout) -> None:
    assert maintenance.verify(loaded) == []
    entry = maintenance.checkouts(loaded)[0]
    (entry.path / "MediaConduit.provider.yml").write_text("tampered")
    env = maintenance.environments(loaded)[0]
    (env.path / environment.MARKER).unlink()
    problems = maintenance.verify(loaded)
    assert {p.path for p in problems} == {entry.path, env.path}
    assert "MediaConduit.provider.yml is missing or changed" in " ".join(
        p.message for p in problems)
    assert maintenance.verify(loaded, repair=True) == problems
    assert not entry.path.exists() and not env.path.exists()
    assert maintenance.verify(loaded) == []


def test_gc_removes_what_nothing_points_at(loaded: cache.Layout) -> None:
    old_log = next((loaded.root / "logs").iterdir()) / "ancient.log"
    old_log.write_text("x")
    os.utime(old_log, (time.time() - 30 * 86400,) * 2)
    kept = [e for e in maintenance.checkouts(loaded) if e.refs]
    dry = maintenance.gc(loaded, dry_run=True)
    assert len(dry) == 3  # the old checkout, its environment, the old log
    assert all(p.exists() for p in dry)
    assert maintenance.gc(loaded) == dry
    assert not any(p.exists() for p in dry)
    assert [e.path for e in maintenance.checkouts(loaded)] == [e.path for e in kept]
    assert [e.key for e in maintenance.environments(loaded)] == [kept[0].env_key]


def test_clean_keeps_the_ledger_and_job_records_unless_all(tmp_path: Path) -> None:
    layout = cache.Layout(tmp_path / "c")
    for name in ("providers/x/f", "envs/e/f", "jobs/j.json", "ledger.sqlite3", "locks/l.lock"):
        (layout.root / name).parent.mkdir(parents=True, exist_ok=True)
        (layout.root / name).write_text("data")
    assert maintenance.clean(layout) == 8
    assert sorted(p.name for p in layout.root.iterdir()) == ["jobs", "ledger.sqlite3", "locks"]
    assert maintenance.clean(layout, everything=True) == 8
    assert sorted(p.name for p in layout.root.iterdir()) == ["locks"]


def test_clean(loaded: cache.Layout) -> None:
    assert maintenance.clean(loaded) > 0
    assert maintenance.checkouts(loaded) == []
    assert maintenance.environments(loaded) == []


def test_cli_cache_commands(loaded: cache.Layout, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(loaded.root)
    assert main(["cache", "list", "--cache-dir", root, "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert len(listing["checkouts"]) == 2
    assert main(["cache", "verify", "--cache-dir", root]) == 0
    assert "cache ok" in capsys.readouterr().out
    env = maintenance.environments(loaded)[0]
    (env.path / environment.MARKER).unlink()
    assert main(["cache", "verify", "--cache-dir", root, "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["problems"][0]["path"] == str(env.path)
    assert main(["cache", "gc", "--cache-dir", root, "--dry-run"]) == 0
    assert "would remove" in capsys.readouterr().out
    assert main(["cache", "clean", "--cache-dir", root, "--yes"]) == 0
    assert "freed" in capsys.readouterr().out
    assert maintenance.checkouts(loaded) == []


def test_cli_update(git_server: GitServer, cache_dir: Path,
                    capsys: pytest.CaptureFixture[str]) -> None:
    first = publish(git_server, "reverse", "Inv/updated", tag="v1")
    layout = cache.Layout(cache_dir)
    for spec in ("github:Inv/updated", "github:Inv/updated@v1"):
        git.ensure_checkout(layout, parse_specifier(spec))
    second = publish(git_server, "toolkit", "Inv/updated", message="new")
    assert main(["update", "--cache-dir", str(cache_dir)]) == 0
    out = capsys.readouterr().out
    assert f"{first[:12]} -> {second[:12]}" in out
    assert f"@v1: unchanged {first[:12]}" in out
    dirname = parse_specifier("https://github.com/Inv/updated").dirname
    assert refs.refs_file(layout, dirname)["refs"]["HEAD"] == second
