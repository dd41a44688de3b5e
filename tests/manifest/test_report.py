"""The formats of `mediaconduit validate`: text, JSON and GitHub annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mediaconduit.cli import main
from mediaconduit.manifest import Issue, ManifestReport, check_manifest_text
from mediaconduit.manifest.report import format_github, format_json, format_text

MINIMAL = """\
id: reverse
name: Reverse
version: 0.1.0
type: local
capabilities: [text-to-text]
entry: reverse_provider:ReverseProvider
"""


def write(folder: Path, text: str, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_text_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("local", "cloud") + "extra: 1\n", "m.yml")
    assert main(["validate", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"{path}:4: error: type must be 'remote' or 'local', not 'cloud'",
        f"{path}:7: warning: extra: unknown key 'extra': manifest v1 does not read it; "
        "remove it, or see `mediaconduit schema`",
        "checked 1 manifest: 0 valid, 1 invalid (1 error, 1 warning)",
    ]


def test_strict_turns_warnings_into_errors(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "extra: 1\n", "m.yml")
    assert main(["validate", str(path)]) == 0
    assert main(["validate", "--strict", str(path)]) == 1
    assert f"{path}:7: error: extra: unknown key" in capsys.readouterr().out


def test_github_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("local", "cloud") + "extra: 1\n", "m.yml")
    assert main(["validate", "--format", "github", str(path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"::error file={path},line=4::type must be 'remote' or 'local', not 'cloud'",
        f"::warning file={path},line=7::extra: unknown key 'extra': manifest v1 does not read it; "
        "remove it, or see `mediaconduit schema`",
    ]


def test_github_format_escapes_workflow_command_characters() -> None:
    report = ManifestReport(
        Path("odd,name:here%.yml"), None,
        (Issue("a", "50% off\r\nnext line", 3), Issue("", "whole file")),
    )
    assert format_github([report]).splitlines() == [
        "::error file=odd%2Cname%3Ahere%25.yml,line=3::a: 50%25 off%0D%0Anext line",
        "::error file=odd%2Cname%3Ahere%25.yml::whole file",
    ]


def test_formats_of_an_empty_run_and_of_a_valid_file() -> None:
    report = check_manifest_text(MINIMAL, Path("ok.yml"))
    assert format_github([report]) == ""
    assert format_text([report]) == "checked 1 manifest: 1 valid, 0 invalid (0 errors, 0 warnings)"
    assert json.loads(format_json([report])) == {
        "files": [{"path": "ok.yml", "valid": True, "errors": [], "warnings": []}],
    }
