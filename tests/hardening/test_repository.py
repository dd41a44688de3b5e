"""Findings 10 and 15: links out of a repository, and files named like the standard library."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from mediaconduit.cli import main
from mediaconduit.manifest.repo import check_path, read_repo_manifest
from mediaconduit.registry import ProviderRegistry
from tests.hardening.conftest import write_provider

Hostile = Callable[..., str]
SECRET = "root:x:0:0:secret-token:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin\n"


@pytest.fixture
def outside_file(tmp_path: Path) -> Path:
    path = tmp_path / "elsewhere" / "passwd"
    path.parent.mkdir()
    path.write_text(SECRET)
    return path


def test_finding10_a_manifest_linked_out_of_the_repository_is_refused_unread(
        tmp_path: Path, outside_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = write_provider(tmp_path / "repo", "return Text('x')")
    (repo / "MediaConduit.provider.yml").unlink()
    (repo / "MediaConduit.provider.yml").symlink_to(outside_file)
    assert main(["validate", str(repo)]) == 1
    out = capsys.readouterr()
    assert "link to a place outside the repository" in out.out + out.err
    assert "secret-token" not in out.out + out.err
    facts, _deps, error = read_repo_manifest(repo)
    assert facts is None and error is not None and "outside the repository" in error


def test_finding10_an_outside_manifest_that_is_valid_does_not_load(
        tmp_path: Path, registry: ProviderRegistry) -> None:
    real = write_provider(tmp_path / "real", "return Text('x')")
    repo = write_provider(tmp_path / "repo", "return Text('x')")
    (repo / "MediaConduit.provider.yml").unlink()
    (repo / "MediaConduit.provider.yml").symlink_to(real / "MediaConduit.provider.yml")
    with pytest.raises(Exception, match="outside the repository"):
        registry.get_provider(str(repo))


@pytest.mark.parametrize("link", ["entry", "src"])
def test_finding10_an_entry_module_or_src_linked_outside_is_refused(
        tmp_path: Path, link: str) -> None:
    elsewhere = write_provider(tmp_path / "elsewhere", "return Text('x')")
    repo = write_provider(tmp_path / "repo", "return Text('x')")
    (repo / "hostile_provider.py").unlink()
    if link == "entry":
        (repo / "hostile_provider.py").symlink_to(elsewhere / "hostile_provider.py")
    else:
        (repo / "src").symlink_to(elsewhere)
    report = check_path(repo)
    assert not report.ok
    assert any("outside the repository" in issue.message for issue in report.errors)
    assert "outside the repository" in str(read_repo_manifest(repo).error)


def test_finding10_a_file_that_is_not_a_manifest_is_never_echoed(
        outside_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(outside_file)]) == 1
    out = capsys.readouterr()
    assert "not text" in out.out + out.err
    assert "secret-token" not in out.out + out.err


@pytest.mark.parametrize("name", ["json.py", "signal.py", "types.py", "src/typing.py"])
def test_finding15_validate_reports_a_module_named_like_the_standard_library(
        tmp_path: Path, name: str) -> None:
    repo = write_provider(tmp_path / "repo", "return Text('x')", files={name: "raise SystemExit"})
    report = check_path(repo)
    assert not report.ok
    assert any(f"{name} has the name of a standard-library module" in issue.message
               for issue in report.errors)


SHADOWS = dict.fromkeys(("json.py", "signal.py", "types.py"),
                        "raise RuntimeError('the repository shadowed the standard library')\n")


def test_finding15_root_json_signal_types_do_not_shadow_the_stdlib_in_the_worker(
        registry: ProviderRegistry, hostile: Hostile) -> None:
    body = "import json; return Text(json.dumps({'ok': input.text}))"
    handle = registry.get_provider(hostile(body, files=SHADOWS))
    result = handle.get_model("m").transform("yes")
    assert json.loads(result.text) == {"ok": "yes"}  # type: ignore[union-attr]
