"""Environments built by uv: shared per dependency set, checked, rebuilt when stale."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mediaconduit import cache, environment
from mediaconduit.errors import EnvironmentBuildError
from mediaconduit.registry import ProviderRegistry
from tests.conftest import TEST_PROVIDERS


@pytest.fixture
def layout(cache_dir: Path) -> cache.Layout:
    return cache.Layout(cache_dir)


def run_in(env: environment.Environment, code: str) -> str:
    return subprocess.run([str(env.python), "-I", "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_same_dependency_set_shares_one_environment(layout: cache.Layout) -> None:
    first = environment.ensure_environment(layout, ["text-unidecode==1.3"])
    second = environment.ensure_environment(layout, [" text-unidecode==1.3"])
    other = environment.ensure_environment(layout, [])
    assert first == second
    assert other.key != first.key
    assert run_in(first, "import text_unidecode; print(text_unidecode.unidecode('é'))") == "e"
    assert sorted(p.name for p in (layout.root / "envs").iterdir()) == sorted(
        [first.key, other.key])


def test_the_host_does_not_get_the_dependencies(layout: cache.Layout) -> None:
    environment.ensure_environment(layout, ["text-unidecode==1.3"])
    assert importlib.util.find_spec("text_unidecode") is None


def test_mediaconduit_requirement_is_checked_never_installed(layout: cache.Layout) -> None:
    env = environment.ensure_environment(layout, ["mediaconduit>=0.1,<1"])
    assert "mediaconduit" not in run_in(env, "import sys; print(sys.modules.keys())")
    code = "import importlib.util as u; print(u.find_spec('mediaconduit') is None)"
    assert run_in(env, code) == "True"
    with pytest.raises(EnvironmentBuildError, match="upgrade mediaconduit"):
        environment.ensure_environment(layout, ["mediaconduit>=99"], label="Owner/future")


def test_python_requirement_is_checked(layout: cache.Layout) -> None:
    with pytest.raises(EnvironmentBuildError, match=r"needs Python <3\.0"):
        environment.ensure_environment(layout, ["six"], python="<3.0", label="old")


def test_unresolvable_dependency_says_what_uv_said(layout: cache.Layout) -> None:
    with pytest.raises(EnvironmentBuildError) as info:
        environment.ensure_environment(layout, ["text-unidecode==0.0.0.404"], label="Owner/x")
    assert "Owner/x" in str(info.value)
    assert "text-unidecode" in str(info.value)
    assert not (layout.root / "envs").exists() or list((layout.root / "envs").iterdir()) == []


def test_offline_install_fails_clearly_for_uncached_packages(layout: cache.Layout) -> None:
    with pytest.raises(EnvironmentBuildError, match="MEDIACONDUIT_OFFLINE=1 allows only"):
        environment.ensure_environment(
            layout, ["surely-not-a-real-package-mc-404==1"], offline=True, label="x")


def test_offline_install_from_uv_cache(layout: cache.Layout) -> None:
    environment.ensure_environment(layout, ["text-unidecode==1.3"])
    cache.remove(layout.root / "envs")
    env = environment.ensure_environment(layout, ["text-unidecode==1.3"], offline=True)
    assert run_in(env, "import text_unidecode; print('ok')") == "ok"


def _marker(env: environment.Environment) -> dict[str, object]:
    return json.loads((env.path / environment.MARKER).read_text())


@pytest.mark.parametrize("damage", ["no-marker", "base-changed", "no-interpreter"])
def test_incomplete_or_stale_environment_is_rebuilt(layout: cache.Layout, damage: str) -> None:
    env = environment.ensure_environment(layout, [])
    build = _marker(env)["build_id"]
    if damage == "no-marker":
        (env.path / environment.MARKER).unlink()
    elif damage == "base-changed":
        marker = _marker(env)
        marker["base_stamp"] = [1, 2]
        cache.write_json(env.path / environment.MARKER, marker)
    else:
        environment.venv_python(env.path).unlink()
    assert not environment.is_complete(env.path)
    again = environment.ensure_environment(layout, [])
    assert again.path == env.path
    assert _marker(again)["build_id"] != build
    assert run_in(again, "print(1)") == "1"


def test_complete_environment_is_reused(layout: cache.Layout) -> None:
    env = environment.ensure_environment(layout, [])
    build = _marker(env)["build_id"]
    assert _marker(environment.ensure_environment(layout, []))["build_id"] == build


def test_sdk_copy_holds_only_the_sdk(layout: cache.Layout) -> None:
    sdk = environment.ensure_sdk(layout)
    assert environment.ensure_sdk(layout) == sdk
    package = sdk / "mediaconduit"
    assert sorted(p.name for p in package.iterdir()) == ["__init__.py", "sdk"]
    assert (package / "sdk" / "_worker.py").is_file()
    env = environment.ensure_environment(layout, [])
    code = (f"import sys; sys.path.insert(0, {str(sdk)!r}); import mediaconduit; "
            "from mediaconduit import Text, Provider; print(mediaconduit.__version__, "
            "'pydantic' in sys.modules)")
    assert run_in(env, code).split() == [environment.__version__, "False"]


def test_conflicting_dependency_with_the_host_still_runs(cache_dir: Path) -> None:
    """The provider needs pydantic 1; the host runs pydantic 2."""
    import pydantic

    assert pydantic.VERSION.startswith("2")
    with ProviderRegistry(cache_dir) as registry:
        provider = registry.get_provider(str(TEST_PROVIDERS / "oldpydantic"))
        answer = provider.get_model("version").transform("Ada").text
    version, name = answer.split()
    assert version.startswith("1.")
    assert name == "Ada"


def test_environment_stamps_its_build(cache_dir: Path) -> None:
    env = environment.ensure_environment(cache.Layout(cache_dir), [])
    marker = cache.read_json(env.path / environment.MARKER)
    assert len(marker["build_id"]) == 32
    assert os.path.realpath(sys.executable) == marker["base_python"]
