"""Resolve and checkout over real git, against the loopback git server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from mediaconduit import cache, git
from mediaconduit.cache import refs
from mediaconduit.errors import GitError, ManifestError, OfflineError
from mediaconduit.specifier import parse_specifier
from tests.conftest import TEST_PROVIDERS, publish
from tests.helpers.gitserver import GitServer


@pytest.fixture
def layout(cache_dir: Path) -> cache.Layout:
    return cache.Layout(cache_dir)


def checkout(layout: cache.Layout, spec: str, **kwargs: bool) -> git.Checkout:
    return git.ensure_checkout(layout, parse_specifier(spec), **kwargs)


def test_default_branch_resolves_to_its_commit(git_server: GitServer, layout: cache.Layout) -> None:
    commit = publish(git_server, "reverse", "Owner/default-branch")
    found = checkout(layout, "https://github.com/Owner/default-branch")
    assert found.commit == commit
    dirname = parse_specifier("https://github.com/Owner/default-branch").dirname
    assert found.path == layout.root / "providers" / dirname / commit
    assert (found.path / "MediaConduit.provider.yml").is_file()
    assert not (found.path / ".git").exists()
    assert found.facts.id == "reverse"
    assert found.dependencies == ["text-unidecode==1.3", "mediaconduit>=0.1"]


@pytest.mark.parametrize("form", [
    "https://github.com/Owner/refs-repo@{ref}",
    "https://github.com/Owner/refs-repo/tree/{ref}",
    "github:Owner/refs-repo@{ref}",
    "https://github.com/owner/REFS-REPO.git@{ref}",
])
def test_tag_branch_and_commits(git_server: GitServer, layout: cache.Layout, form: str) -> None:
    tagged = publish(git_server, "reverse", "Owner/refs-repo", tag="v1.0.0")
    newer = publish(git_server, "toolkit", "Owner/refs-repo", message="second")
    publish(git_server, "toolkit", "Owner/refs-repo", branch="feature/x", message="branch")
    assert checkout(layout, form.format(ref="v1.0.0")).commit == tagged
    assert checkout(layout, form.format(ref="main")).commit == newer
    assert checkout(layout, form.format(ref=tagged)).commit == tagged
    assert checkout(layout, form.format(ref=tagged[:8])).commit == tagged
    branch = checkout(layout, form.format(ref="feature/x"))
    assert branch.facts.id == "toolkit"
    assert branch.commit not in (tagged, newer)


def test_short_commit_not_advertised_by_any_ref(git_server: GitServer,
                                                 layout: cache.Layout) -> None:
    old = publish(git_server, "reverse", "Owner/history")
    publish(git_server, "toolkit", "Owner/history", message="later")
    found = checkout(layout, f"github:Owner/history@{old[:10]}")
    assert found.commit == old
    assert found.facts.id == "reverse"


def test_cache_answers_with_the_server_stopped(git_server: GitServer,
                                               layout: cache.Layout) -> None:
    commit = publish(git_server, "reverse", "Owner/cached", tag="v1")
    for spec in ("github:Owner/cached", "github:Owner/cached@v1", f"github:Owner/cached@{commit}"):
        checkout(layout, spec)
    git_server.stop()
    try:
        requests = git_server.requests
        for spec in ("github:Owner/cached", "github:Owner/cached@v1",
                     f"github:Owner/cached@{commit}", f"github:Owner/cached@{commit[:7]}"):
            assert checkout(layout, spec).commit == commit
        assert git_server.requests == requests
        with pytest.raises(GitError, match=r"did not answer.*MEDIACONDUIT_OFFLINE=1"):
            checkout(layout, "github:Owner/cached@v1", update=True)
    finally:
        git_server.start()


def test_update_resolves_again(git_server: GitServer, layout: cache.Layout) -> None:
    first = publish(git_server, "reverse", "Owner/moving")
    assert checkout(layout, "github:Owner/moving").commit == first
    second = publish(git_server, "toolkit", "Owner/moving", message="moved")
    assert checkout(layout, "github:Owner/moving").commit == first
    assert checkout(layout, "github:Owner/moving", update=True).commit == second
    assert checkout(layout, "github:Owner/moving").commit == second
    dirname = parse_specifier("https://github.com/Owner/moving").dirname
    assert refs.refs_file(layout, dirname)["refs"]["HEAD"] == second


def test_offline_uses_the_cache_and_says_what_is_missing(git_server: GitServer,
                                                         layout: cache.Layout) -> None:
    commit = publish(git_server, "reverse", "Owner/offline")
    checkout(layout, "github:Owner/offline")
    requests = git_server.requests
    assert checkout(layout, "github:Owner/offline", offline=True).commit == commit
    with pytest.raises(OfflineError, match=r"Owner/offline@v9 is not in the cache.*OFFLINE"):
        checkout(layout, "github:Owner/offline@v9", offline=True)
    assert git_server.requests == requests


def test_missing_repository_is_named(git_server: GitServer, layout: cache.Layout) -> None:
    with pytest.raises(GitError) as info:
        checkout(layout, "https://github.com/Nobody/no-such-provider")
    assert "https://github.com/Nobody/no-such-provider" in str(info.value)
    assert "not found" in str(info.value)
    assert list((layout.root / "providers").glob("*")) == []


def test_missing_ref_is_named(git_server: GitServer, layout: cache.Layout) -> None:
    publish(git_server, "reverse", "Owner/refless")
    with pytest.raises(GitError, match="no branch, tag or commit 'v404'"):
        checkout(layout, "github:Owner/refless@v404")


def test_credentials_stay_out_of_errors(git_server: GitServer, layout: cache.Layout) -> None:
    with pytest.raises(GitError) as info:
        checkout(layout, "https://user:hunter2@github.com/Nobody/secret-repo")
    assert "hunter2" not in str(info.value)


def test_invalid_manifest_is_cached_with_its_error(git_server: GitServer, layout: cache.Layout,
                                                   tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(TEST_PROVIDERS / "reverse", broken)
    (broken / "MediaConduit.provider.yml").write_text("id: Bad Id\n")
    publish(git_server, str(broken), "Owner/broken")
    found = checkout(layout, "github:Owner/broken")
    assert found.error is not None
    assert "id" in found.error
    assert found.facts is None
    git_server.stop()
    try:
        assert checkout(layout, "github:Owner/broken").error == found.error
    finally:
        git_server.start()


@pytest.mark.parametrize("damage", ["marker", "file", "all-files", "facts"])
def test_damaged_checkout_is_fetched_again(git_server: GitServer, layout: cache.Layout,
                                           damage: str) -> None:
    publish(git_server, "reverse", f"Owner/damaged-{damage}")
    spec = f"github:Owner/damaged-{damage}"
    found = checkout(layout, spec)
    if damage == "marker":
        (found.path / refs.MARKER).unlink()
    elif damage == "file":
        (found.path / "pyproject.toml").unlink()
    elif damage == "facts":
        marker = cache.read_json(found.path / refs.MARKER)
        cache.write_json(found.path / refs.MARKER, {**marker, "facts": {"id": "half"}})
    else:
        for child in found.path.iterdir():
            if child.name != refs.MARKER:
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    assert git.read_checkout(layout, found.path.parent.name, found.commit) is None
    again = checkout(layout, spec)
    assert again.commit == found.commit
    assert (again.path / "pyproject.toml").is_file()
    assert (again.path / "src" / "reverse_provider" / "__init__.py").is_file()


def test_leftover_staging_is_never_mistaken_for_an_entry(git_server: GitServer,
                                                         layout: cache.Layout) -> None:
    commit = publish(git_server, "reverse", "Owner/staged")
    half = layout.staging / "owner-staged-interrupted" / "repo"
    half.mkdir(parents=True)
    (half / "MediaConduit.provider.yml").write_text("id: half\n")
    assert checkout(layout, "github:Owner/staged").commit == commit
    assert checkout(layout, "github:Owner/staged").facts.id == "reverse"


def test_upgraded_host_reads_the_manifest_again(git_server: GitServer, layout: cache.Layout,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    publish(git_server, "reverse", "Owner/upgrade")
    found = checkout(layout, "github:Owner/upgrade")
    monkeypatch.setattr(git, "__version__", "9.9.9")
    git_server.stop()
    try:
        again = checkout(layout, "github:Owner/upgrade")
    finally:
        git_server.start()
    assert again.facts == found.facts
    assert cache.read_json(found.path / refs.MARKER)["host_version"] == "9.9.9"


def test_git_configuration_applies(git_server: GitServer, layout: cache.Layout,
                                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """insteadOf from the user's git config sends any host to the loopback server."""
    commit = publish(git_server, "reverse", "Owner/elsewhere")
    config = tmp_path / "gitconfig"
    git_server.git_config(config, base="https://git.example.invalid/")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    found = checkout(layout, "https://git.example.invalid/Owner/elsewhere.git")
    assert found.commit == commit
    assert found.path.parent.name == parse_specifier(
        "https://git.example.invalid/Owner/elsewhere.git").dirname
    assert found.path.parent.name.startswith("git.example.invalid-Owner-elsewhere-")


def test_file_url_and_local_ref(layout: cache.Layout, tmp_path: Path) -> None:
    repo = tmp_path / "local-repo"
    shutil.copytree(TEST_PROVIDERS / "reverse", repo)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e.invalid"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "x"],
                 ["tag", "v1"]):
        assert os.spawnvpe(os.P_WAIT, "git", ["git", "-C", str(repo), *args], env) == 0
    by_url = checkout(layout, f"file://{repo}")
    by_ref = git.ensure_checkout(layout, parse_specifier(str(repo) + "@v1"))
    assert by_url.commit == by_ref.commit
    assert by_url.facts.id == "reverse"


def test_manifest_error_raised_by_the_registry(git_server: GitServer, cache_dir: Path,
                                               tmp_path: Path) -> None:
    from mediaconduit.registry import ProviderRegistry

    broken = tmp_path / "broken2"
    shutil.copytree(TEST_PROVIDERS / "reverse", broken)
    (broken / "MediaConduit.provider.yml").write_text(
        "id: reverse\nname: R\nversion: 1.0.0\ntype: local\ncapabilities: [TEXT_TO_TEXT]\n"
        "entry: reverse_provider:ReverseProvider\n")
    publish(git_server, str(broken), "Owner/shouting")
    with ProviderRegistry(cache_dir) as registry, pytest.raises(ManifestError) as info:
        registry.get_provider("github:Owner/shouting")
    assert "text-to-text" in str(info.value)
    assert "MediaConduit.provider.yml" in str(info.value)


def test_progress_is_reported(git_server: GitServer, layout: cache.Layout) -> None:
    commit = publish(git_server, "reverse", "Owner/progress")
    events: list[git.Progress] = []
    git.ensure_checkout(layout, parse_specifier("github:Owner/progress"), progress=events.append)
    assert events[0].step == "clone" and not events[0].finished
    assert any(e.total and e.completed <= e.total and e.message for e in events[1:-1])
    assert events[-1].finished and events[-1].message == commit[:12]
