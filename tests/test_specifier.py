from __future__ import annotations

import re
from pathlib import Path

import pytest

from mediaconduit.errors import SpecifierError
from mediaconduit.specifier import parse_specifier

OPENROUTER = "github.com/mediaconduit/openrouter-provider"


@pytest.mark.parametrize("spec", [
    "https://github.com/MediaConduit/openrouter-provider",
    "https://github.com/MediaConduit/openrouter-provider.git",
    "https://github.com/MediaConduit/openrouter-provider/",
    "https://github.com/mediaconduit/OpenRouter-Provider",
    "github:MediaConduit/openrouter-provider",
    "git@github.com:MediaConduit/openrouter-provider.git",
    "  https://github.com/MediaConduit/openrouter-provider  ",
])
def test_one_key_per_repository(spec: str) -> None:
    parsed = parse_specifier(spec)
    assert parsed.key == OPENROUTER
    assert re.fullmatch(r"mediaconduit-openrouter-provider-[0-9a-f]{10}", parsed.dirname)
    assert parsed.ref is None
    assert parsed.kind == "git"


@pytest.mark.parametrize(("spec", "ref"), [
    ("https://github.com/MediaConduit/openrouter-provider@v1.2.0", "v1.2.0"),
    ("https://github.com/MediaConduit/openrouter-provider/tree/v1.2.0", "v1.2.0"),
    ("https://github.com/MediaConduit/openrouter-provider/tree/feature/x", "feature/x"),
    ("https://github.com/MediaConduit/openrouter-provider/commit/0123abcd", "0123abcd"),
    ("github:MediaConduit/openrouter-provider@main", "main"),
    ("git@github.com:MediaConduit/openrouter-provider.git@v2", "v2"),
])
def test_ref_in_the_specifier(spec: str, ref: str) -> None:
    parsed = parse_specifier(spec)
    assert parsed.ref == ref
    assert parsed.key == OPENROUTER


def test_ref_keyword_wins() -> None:
    parsed = parse_specifier("github:Owner/repo@v1", ref="v2")
    assert parsed.ref == "v2"


def test_full_and_short_commits() -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    assert parse_specifier(f"github:o/r@{sha}").is_full_commit
    assert parse_specifier("github:o/r@0123abc").is_short_commit
    assert not parse_specifier("github:o/r@main").is_full_commit


def test_url_handed_to_git_keeps_the_case_and_drops_suffixes() -> None:
    parsed = parse_specifier("https://github.com/MediaConduit/Openrouter-Provider.git/")
    assert parsed.url == "https://github.com/MediaConduit/Openrouter-Provider"
    assert parsed.key == OPENROUTER


def test_any_host_keeps_its_path_case() -> None:
    parsed = parse_specifier("https://git.example.com/Group/Sub/Repo.git@v1")
    assert parsed.url == "https://git.example.com/Group/Sub/Repo"
    assert parsed.key == "git.example.com/Group/Sub/Repo"
    assert re.fullmatch(r"git.example.com-Group-Sub-Repo-[0-9a-f]{10}", parsed.dirname)
    assert parsed.ref == "v1"


def test_ssh_url_form() -> None:
    parsed = parse_specifier("ssh://git@git.example.com/owner/repo.git")
    assert parsed.url == "ssh://git@git.example.com/owner/repo"
    assert parsed.display == "ssh://***@git.example.com/owner/repo"


def test_credentials_never_displayed() -> None:
    parsed = parse_specifier("https://user:s3cret@github.com/Owner/repo")
    assert "s3cret" not in parsed.display
    assert "s3cret" not in parsed.key
    assert "s3cret" in parsed.url  # git still needs them


def test_credentials_not_in_errors() -> None:
    with pytest.raises(SpecifierError) as info:
        parse_specifier("https://user:s3cret@github.com/Owner/repo/extra/parts")
    assert "s3cret" not in str(info.value)


def test_local_path_is_dev_mode(tmp_path: Path) -> None:
    (tmp_path / "prov").mkdir()
    parsed = parse_specifier("./prov", cwd=tmp_path)
    assert parsed.kind == "local"
    assert parsed.url == str(tmp_path / "prov")
    assert parse_specifier(str(tmp_path / "prov")).key == parsed.key


def test_local_path_with_ref_goes_through_git(tmp_path: Path) -> None:
    (tmp_path / "prov").mkdir()
    parsed = parse_specifier("./prov@v1", cwd=tmp_path)
    assert parsed.kind == "git"
    assert parsed.url == (tmp_path / "prov").as_uri()
    assert parsed.ref == "v1"


def test_file_url(tmp_path: Path) -> None:
    parsed = parse_specifier(f"file://{tmp_path}")
    assert parsed.kind == "git"
    assert parsed.url == tmp_path.as_uri()


def test_missing_local_folder() -> None:
    with pytest.raises(SpecifierError, match="does not exist"):
        parse_specifier("./no/such/provider")


@pytest.mark.parametrize(("spec", "says"), [
    ("ext::sh -c touch% /tmp/pwned", "remote-helper"),
    ("fd::17", "remote-helper"),
    ("-uhttps://github.com/o/r", "must not begin with '-'"),
    ("--upload-pack=touch /tmp/x", "must not begin with '-'"),
    ("https://github.com/o/r\n", "control characters"),
    ("https://github.com/o/r\x00", "control characters"),
    ("https://github.com/../etc/passwd", "bad segment"),
    ("https://github.com/owner/..", "bad segment"),
    ("github:owner/../../x", "bad segment"),
    ("git@github.com:../../etc/passwd", "bad segment"),
    ("https://github.com/owner/repo/extra", "Owner/repo"),
    ("https://github.com/owner/repo@-x", "not a valid"),
    ("https://github.com/owner/repo@a..b", "not a valid"),
    ("https://github.com/owner/repo?x=1", "query"),
    ("", "empty"),
    ("just-words", "cannot read"),
    ("file://relative/path", "absolute"),
])
def test_hostile_and_malformed_specifiers(spec: str, says: str) -> None:
    with pytest.raises(SpecifierError, match=says):
        parse_specifier(spec)


@pytest.mark.parametrize(("one", "other"), [
    ("https://github.com/acme/foo-bar", "https://github.com/acme-foo/bar"),
    ("https://gitlab.com/group/sub-proj", "https://gitlab.com/group-sub/proj"),
    ("https://github.com/o/" + "a" * 90, "https://github.com/o/" + "a" * 91),
])
def test_repositories_whose_names_read_alike_never_share_a_cache_folder(one: str,
                                                                        other: str) -> None:
    assert parse_specifier(one).dirname != parse_specifier(other).dirname
    assert len(parse_specifier(other).dirname) <= 80


def test_a_huge_specifier_is_refused_at_once_and_not_echoed_whole() -> None:
    import time

    started = time.monotonic()
    with pytest.raises(SpecifierError, match="at most 2048 are allowed") as caught:
        parse_specifier("https://github.com/" + "a" * 100_000)
    assert time.monotonic() - started < 0.1
    assert len(str(caught.value)) < 300


@pytest.mark.parametrize("url", [
    "https://user:ss@ghp_SECRET@github.com/o/r", "https://ghp_SECRET@github.com/o/r@v1",
])
def test_credentials_with_an_unencoded_at_are_hidden_whole(url: str) -> None:
    parsed = parse_specifier(url)
    assert "SECRET" not in parsed.display and "SECRET" not in repr(parsed)
    assert parsed.display.startswith("https://***@github.com/o/r")


def test_credentials_with_an_unencoded_slash_are_refused_without_showing_them() -> None:
    with pytest.raises(SpecifierError, match="percent-encode it as %2F") as caught:
        parse_specifier("https://user:p/ss@ghp_SECRET@github.com/o/r")
    assert "SECRET" not in str(caught.value) and "p/ss" not in str(caught.value)
