"""Refs remembered per repository, and the checkout marker (`mediaconduit.cache.refs`)."""

from __future__ import annotations

from pathlib import Path

from mediaconduit import cache
from mediaconduit.cache import refs
from mediaconduit.specifier import parse_specifier

COMMIT = "0123456789abcdef0123456789abcdef01234567"
OTHER = "fedcba9876543210fedcba9876543210fedcba98"


def test_remembered_refs_answer_without_the_network(tmp_path: Path) -> None:
    layout = cache.Layout(tmp_path)
    default, tagged = parse_specifier("github:Owner/repo"), parse_specifier("github:Owner/repo@v1")
    assert refs.cached_commit(layout, default) is None
    refs.remember(layout, default, COMMIT)
    refs.remember(layout, tagged, OTHER)
    assert refs.cached_commit(layout, default) == COMMIT
    assert refs.cached_commit(layout, tagged) == OTHER
    assert refs.cached_commit(layout, parse_specifier(f"github:Owner/repo@{COMMIT[:9]}")) == COMMIT
    assert refs.cached_commit(layout, parse_specifier("github:Owner/repo@v2")) is None
    data = refs.refs_file(layout, default.dirname)
    assert data["refs"] == {refs.HEAD: COMMIT, "v1": OTHER}
    assert data["display"] == default.display


def test_a_full_commit_needs_no_refs(tmp_path: Path) -> None:
    spec = parse_specifier(f"github:Owner/repo@{COMMIT}")
    assert refs.cached_commit(cache.Layout(tmp_path), spec) == COMMIT


def test_credentials_in_the_url_are_not_remembered(tmp_path: Path) -> None:
    layout = cache.Layout(tmp_path)
    spec = parse_specifier("https://user:hunter2@github.com/Owner/repo")
    refs.remember(layout, spec, COMMIT)
    assert "hunter2" not in layout.refs(spec.dirname).read_text()


def test_a_damaged_refs_file_is_empty(tmp_path: Path) -> None:
    layout = cache.Layout(tmp_path)
    layout.refs_dir.mkdir(parents=True)
    layout.refs("owner-repo").write_text("[1, 2")
    assert refs.refs_file(layout, "owner-repo") == {}


def test_the_marker_counts_only_with_every_file_it_lists(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    assert refs.read_marker(checkout) is None
    (checkout / "a.py").write_text("")
    refs.write_marker(checkout, {"files": {"a.py": "sha"}, "facts": {}})
    assert refs.read_marker(checkout) == {"files": {"a.py": "sha"}, "facts": {}}
    (checkout / "a.py").unlink()
    assert refs.read_marker(checkout) is None
