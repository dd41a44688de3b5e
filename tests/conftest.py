"""Shared fixtures: the loopback git server, provider repos, a registry on a fresh cache."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from mediaconduit.registry import ProviderRegistry
from tests.helpers.gitserver import GitServer

ROOT = Path(__file__).resolve().parents[1]
TEST_PROVIDERS = Path(__file__).parent / "providers"


@pytest.fixture(scope="session")
def git_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitServer]:
    """A git smart-HTTP server on loopback that answers for https://github.com/."""
    base = tmp_path_factory.mktemp("git")
    server = GitServer(base / "repos").start()
    patch = pytest.MonkeyPatch()
    patch.setenv("GIT_CONFIG_GLOBAL", str(server.git_config(base / "gitconfig")))
    patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    yield server
    server.stop()
    patch.undo()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's MediaConduit settings; each has its own cache."""
    for name in list(os.environ):
        if name.startswith("MEDIACONDUIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("MEDIACONDUIT_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def _module_cache_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def module_cache(_module_cache_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One cache for a whole test module (its tests share environments), as the default."""
    monkeypatch.setenv("MEDIACONDUIT_CACHE_DIR", str(_module_cache_root))
    return _module_cache_root


@pytest.fixture
def registry(cache_dir: Path) -> Iterator[ProviderRegistry]:
    with ProviderRegistry(cache_dir) as reg:
        yield reg


def publish(server: GitServer, provider: str, name: str, **kwargs: str) -> str:
    """Publish `tests/providers/<provider>` (or any folder) as `name`; returns the commit."""
    folder = Path(provider) if os.sep in provider else TEST_PROVIDERS / provider
    return server.publish(folder, name, **kwargs)
