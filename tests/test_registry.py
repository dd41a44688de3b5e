"""The registry and handles: one handle per repository, sync ready, the disk catalog."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mediaconduit import ModelInfo, get_provider_registry
from mediaconduit.handles import ProviderHandle
from mediaconduit.registry import ProviderRegistry
from mediaconduit.sdk.errors import ModelNotFoundError, ProviderBugError
from tests.conftest import ROOT, TEST_PROVIDERS, publish
from tests.helpers.gitserver import GitServer

STRANGER = "https://github.com/Stranger/reverse-provider"


def test_a_strangers_provider_loads_by_url_and_runs(git_server: GitServer,
                                                    registry: ProviderRegistry) -> None:
    commit = publish(git_server, "reverse", "Stranger/reverse-provider")
    provider = registry.get_provider(STRANGER)
    assert (provider.id, provider.name, provider.version, provider.type) == (
        "reverse", "Reverse", "0.1.0", "local")
    assert provider.capabilities == ["text-to-text"]
    assert provider.commit == commit
    assert provider.get_model("reverse").transform("stressed").text == "desserts"  # type: ignore[union-attr]
    assert provider.get_model("ascii").transform("Ünïcödé").text == "Unicode"  # type: ignore[union-attr]
    assert importlib.util.find_spec("text_unidecode") is None


def test_same_repository_two_ways_is_one_handle(git_server: GitServer,
                                                registry: ProviderRegistry) -> None:
    publish(git_server, "reverse", "Stranger/reverse-provider")
    handles = {id(registry.get_provider(spec)) for spec in (
        STRANGER, STRANGER + ".git", STRANGER + "/", "github:Stranger/reverse-provider",
        "https://github.com/stranger/REVERSE-provider")}
    assert len(handles) == 1
    assert registry.get_provider(STRANGER) is registry.get_provider(STRANGER)


def test_ref_keyword_and_config_make_distinct_handles(git_server: GitServer,
                                                      registry: ProviderRegistry) -> None:
    first = publish(git_server, "reverse", "Stranger/versions", tag="v1")
    publish(git_server, "toolkit", "Stranger/versions", message="v2")
    v1 = registry.get_provider("github:Stranger/versions", ref="v1")
    assert v1.commit == first
    assert v1 is registry.get_provider("github:Stranger/versions@v1")
    assert v1 is registry.get_provider(f"github:Stranger/versions@{first}")
    head = registry.get_provider("github:Stranger/versions")
    assert head.id == "toolkit"
    assert registry.get_provider("github:Stranger/versions", config={"a": 1}) is not head


def test_handle_is_sync_ready(registry: ProviderRegistry) -> None:
    provider = registry.get_provider(str(TEST_PROVIDERS / "toolkit"))
    assert provider.id == "toolkit"
    assert [m.id for m in provider.models] == ["echo"]  # from the manifest, at once
    assert {m.id for m in provider.wait_for_models()} >= {"echo", "crash", "rendezvous"}
    assert {m.id for m in provider.models} >= {"echo", "crash"}


def test_async_get_provider(registry: ProviderRegistry) -> None:
    async def main() -> ProviderHandle:
        return await registry.aget_provider(str(TEST_PROVIDERS / "toolkit"))

    assert asyncio.run(main()) is registry.get_provider(str(TEST_PROVIDERS / "toolkit"))


def test_free_models_and_lookup(registry: ProviderRegistry) -> None:
    provider = registry.get_provider(str(TEST_PROVIDERS / "toolkit"), config={"extra_models": 3})
    free = provider.get_free_models()
    assert [m.id for m in free] == ["extra-0", "extra-1", "extra-2"]
    assert provider.is_model_free("extra-1")
    assert not provider.is_model_free("echo")
    with pytest.raises(ModelNotFoundError):
        provider.is_model_free("nope")


def test_catalog_on_disk_serves_the_next_load(cache_dir: Path) -> None:
    spec = str(TEST_PROVIDERS / "toolkit")
    with ProviderRegistry(cache_dir) as first:
        models = first.get_provider(spec, config={"extra_models": 40}).wait_for_models()
    assert sum(m.id.startswith("extra-") for m in models) == 40
    with ProviderRegistry(cache_dir) as second:
        handle = second.get_provider(spec, config={"extra_models": 40})
        assert len(handle.models) == len(models)  # at once, before any worker answered
        assert handle.models == models


def test_stale_catalog_is_rediscovered_and_failure_keeps_the_last_list(
        cache_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = tmp_path / "toolkit"
    shutil.copytree(TEST_PROVIDERS / "toolkit", folder)
    with ProviderRegistry(cache_dir) as reg:
        good = reg.get_provider(str(folder)).wait_for_models()
    monkeypatch.setenv("MEDIACONDUIT_CATALOG_TTL", "0")
    with ProviderRegistry(cache_dir) as reg:
        handle = reg.get_provider(str(folder), config={"fail_discovery": True})
        handle.wait_ready()
        assert handle.models == [ModelInfo(id="echo", name="Echo", capabilities=("text-to-text",))]
        with pytest.raises(ProviderBugError, match="discovery broke"):
            handle.refresh_models()
    with ProviderRegistry(cache_dir) as reg:
        handle = reg.get_provider(str(folder))
        assert handle.models == good
        handle.wait_ready()
        _wait_until(handle._discovered.is_set)
        assert handle.models == good


def _wait_until(condition: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.02)


def test_dev_mode_picks_up_changes(registry: ProviderRegistry, tmp_path: Path) -> None:
    folder = tmp_path / "dev"
    shutil.copytree(TEST_PROVIDERS / "toolkit", folder)
    handle = registry.get_provider(str(folder))
    assert handle.get_model("echo").transform("a").text == "a"  # type: ignore[union-attr]
    manifest = folder / "MediaConduit.provider.yml"
    manifest.write_text(manifest.read_text().replace("name: Toolkit", "name: Toolkit Two"))
    module = folder / "toolkit_provider" / "__init__.py"
    module.write_text(module.read_text().replace(
        "return Text(input.text, metadata", "return Text(input.text * 2, metadata"))
    assert registry.get_provider(str(folder)) is handle
    fresh = registry.get_provider(str(folder), update=True)
    assert fresh.name == "Toolkit Two"
    assert fresh.get_model("echo").transform("a").text == "aa"  # type: ignore[union-attr]


def test_process_wide_registry() -> None:
    assert get_provider_registry() is get_provider_registry()
    assert get_provider_registry().layout.root == Path(os.environ["MEDIACONDUIT_CACHE_DIR"])


def test_warm_load_in_a_new_process_without_network(git_server: GitServer,
                                                     cache_dir: Path) -> None:
    publish(git_server, "reverse", "Stranger/reverse-provider")
    with ProviderRegistry(cache_dir) as reg:
        reg.get_provider(STRANGER).wait_for_models()
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from mediaconduit import get_provider_registry
        p = get_provider_registry().get_provider({STRANGER!r})
        print(len(p.models), p.get_model("reverse").transform("abc").text)
        print("git" in sys.modules, "pydantic" in sys.modules)
    """)
    git_server.stop()
    try:
        env = {**os.environ, "MEDIACONDUIT_CACHE_DIR": str(cache_dir),
               "MEDIACONDUIT_OFFLINE": "1"}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True, timeout=120).stdout.split()
    finally:
        git_server.start()
    assert out == ["2", "cba", "False", "False"]


def test_catalog_survives_a_different_path_but_not_a_different_declared_value(
        cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = str(TEST_PROVIDERS / "toolkit")
    with ProviderRegistry(cache_dir) as first:
        path = first.get_provider(spec)._catalog_path
    monkeypatch.setenv("PATH", "/opt/elsewhere/bin:" + os.environ["PATH"])
    with ProviderRegistry(cache_dir) as second:
        assert second.get_provider(spec)._catalog_path == path
    monkeypatch.setenv("TOOLKIT_TOKEN", "another account")
    with ProviderRegistry(cache_dir) as third:
        assert third.get_provider(spec)._catalog_path != path


def test_dev_mode_catalog_follows_the_working_tree(cache_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "dev-catalog"
    shutil.copytree(TEST_PROVIDERS / "toolkit", folder)
    with ProviderRegistry(cache_dir) as first:
        assert len(first.get_provider(str(folder)).wait_for_models()) > 1
    manifest = folder / "MediaConduit.provider.yml"
    manifest.write_text(manifest.read_text().replace("name: Toolkit", "name: Edited"))
    with ProviderRegistry(cache_dir) as second:
        assert [m.id for m in second.get_provider(str(folder)).models] == ["echo"]
