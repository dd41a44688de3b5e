"""Findings 13 (a damaged environment) and 6 (logs): what `cache verify` and `gc` see."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mediaconduit import cache
from mediaconduit.cache import maintenance
from mediaconduit.cli import main
from mediaconduit.registry import ProviderRegistry
from tests.conftest import TEST_PROVIDERS

REVERSE = str(TEST_PROVIDERS / "reverse")  # depends on text-unidecode


def _reverse(cache_dir: Path) -> str:
    with ProviderRegistry(cache_dir) as registry:
        result = registry.get_provider(REVERSE).get_model("reverse").transform("abc")
        return result.text  # type: ignore[union-attr]


@pytest.mark.slow
def test_finding13_verify_finds_a_deleted_site_packages_file_and_repair_rebuilds(
        cache_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _reverse(cache_dir) == "cba"
    layout = cache.Layout(cache_dir)
    [module] = (layout.root / "envs").glob("*/lib/python*/site-packages/text_unidecode/"
                                           "__init__.py")
    module.unlink()
    problems = maintenance.verify(layout)
    assert [p.message for p in problems] == [
        "text_unidecode/__init__.py is missing (listed in text_unidecode-1.3.dist-info/RECORD)"]
    assert main(["cache", "verify", "--cache-dir", str(cache_dir)]) == 1
    assert "text_unidecode/__init__.py is missing" in capsys.readouterr().out
    assert main(["cache", "verify", "--repair", "--cache-dir", str(cache_dir)]) == 0
    assert _reverse(cache_dir) == "cba"  # the next load rebuilt it
    assert maintenance.verify(layout) == []


def test_finding13_a_changed_installed_file_is_damage(tmp_path: Path) -> None:
    site = tmp_path / "env" / "lib" / "python3.11" / "site-packages"
    (site / "pkg-1.0.dist-info").mkdir(parents=True)
    (site / "pkg").mkdir()
    (site / "pkg" / "__init__.py").write_text("x = 1\n")
    (site / "pkg-1.0.dist-info" / "RECORD").write_text(
        "pkg/__init__.py,sha256=abc,6\npkg-1.0.dist-info/RECORD,,\n")
    assert maintenance.installed_files_problem(tmp_path / "env") is None
    (site / "pkg" / "__init__.py").write_text("x = 100\n")
    assert maintenance.installed_files_problem(tmp_path / "env") == (
        "pkg/__init__.py has changed (listed in pkg-1.0.dist-info/RECORD)")


def test_finding6_gc_prunes_logs_by_size_oldest_first(
        cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layout = cache.Layout(cache_dir)
    logs = layout.logs("some-provider")
    logs.mkdir(parents=True)
    now = time.time()
    for i in range(5):  # 1 MiB each, the first the oldest
        path = logs / f"worker-{i}.log"
        path.write_bytes(b"x" * 1024 * 1024)
        os.utime(path, (now - 100 + i, now - 100 + i))
    monkeypatch.setattr(maintenance, "LOG_BUDGET", int(2.5 * 1024 * 1024))
    removed = maintenance.gc(layout)
    assert sorted(p.name for p in removed) == ["worker-0.log", "worker-1.log", "worker-2.log"]
    assert sorted(p.name for p in logs.iterdir()) == ["worker-3.log", "worker-4.log"]
