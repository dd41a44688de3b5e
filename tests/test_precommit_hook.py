"""`.pre-commit-hooks.yaml`: the hook other repositories list to validate their manifest."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

HOOK_ID = "validate-mediaconduit-manifest"
BAD_MANIFEST = """\
id: hooked
name: Hooked
version: 0.1.0
type: local
capabilities: [TEXT_TO_TEXT]
entry: hooked:Hooked
"""
PROVIDER = "from mediaconduit.sdk import Provider\n\n\nclass Hooked(Provider):\n    pass\n"


def hook() -> dict[str, object]:
    (found,) = [h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
                if h["id"] == HOOK_ID]
    return dict(found)


def test_the_hook_runs_validate_in_a_python_env() -> None:
    found = hook()
    assert (found["entry"], found["language"]) == ("mediaconduit validate", "python")


@pytest.mark.parametrize(("path", "selected"), [
    ("MediaConduit.provider.yml", True),
    ("providers/ffmpeg/MediaConduit.provider.yml", True),
    ("MediaConduit.provider.yaml", True),
    ("notMediaConduit.provider.yml", False),
    ("MediaConduit.provider.yml.bak", False),
    ("MediaConduit_provider.yml", False),
    ("pyproject.toml", False),
])
def test_the_hook_selects_only_manifests(path: str, selected: bool) -> None:
    assert bool(re.search(str(hook()["files"]), path)) is selected


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=t@example.invalid", *args],
                   cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This project as pre-commit sees it: a git repository of what the package build needs
    (a copy, so it works whether or not the working tree is committed)."""
    pytest.importorskip("pre_commit")
    copy = tmp_path_factory.mktemp("hook-repo")
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, copy)
    for name in ("mediaconduit", "provider-template"):
        shutil.copytree(ROOT / name, copy / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "hook repo")
    return copy


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(hook_repo: Path, home: Path, provider: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), HOOK_ID, "--all-files"],
        cwd=provider, env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
def test_try_repo_fails_on_a_bad_manifest_and_prints_the_fix(
        hook_repo: Path, pre_commit_home: Path, tmp_path: Path) -> None:
    provider = tmp_path / "provider"
    provider.mkdir()
    (provider / "MediaConduit.provider.yml").write_text(BAD_MANIFEST)
    (provider / "hooked.py").write_text(PROVIDER)
    git(provider, "init", "-q")
    git(provider, "add", "-A")

    failed = try_repo(hook_repo, pre_commit_home, provider)
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0, output
    assert "MediaConduit.provider.yml:5: error: capabilities[0]" in output
    assert "'TEXT_TO_TEXT' is not a capability; write it as 'text-to-text'" in output

    manifest = provider / "MediaConduit.provider.yml"
    manifest.write_text(BAD_MANIFEST.replace("TEXT_TO_TEXT", "text-to-text"))
    git(provider, "add", "-A")
    fixed = try_repo(hook_repo, pre_commit_home, provider)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Passed" in fixed.stdout
