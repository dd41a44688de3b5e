"""`mediaconduit do | plan` and `schema --project`, as a user runs them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mediaconduit.cli import main
from tests.conftest import ROOT, TEST_PROVIDERS
from tests.helpers import route_providers

CLIP = ROOT / "examples" / "clip.mp4"


def test_do_runs_the_best_route_and_explains(tmp_path: Path, module_cache: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    down = route_providers.write(tmp_path, "down", "down")
    good = route_providers.write(tmp_path, "good", "good")
    project = tmp_path / "mediaconduit.yaml"
    project.write_text(f"providers:\n  - {down}\n  - {good}\n")
    args = ["--project", str(project), "--cache-dir", str(module_cache)]
    assert main(["do", "hello", "--to", "text", "--explain", *args]) == 0
    captured = capsys.readouterr()
    assert captured.out == "good:hello\n"
    assert "down:echo" in captured.err and "fallback 1" in captured.err
    assert main(["plan", "hello", "--to", "text", "--json", *args]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert [c["provider"] for c in plan["steps"][0]["candidates"]] == ["down", "good"]


def test_do_finds_the_project_file_above_the_working_directory(
        tmp_path: Path, module_cache: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    good = route_providers.write(tmp_path, "good", "good")
    (tmp_path / "mediaconduit.yaml").write_text(f"providers: [{good}]\n")
    deeper = tmp_path / "src" / "app"
    deeper.mkdir(parents=True)
    monkeypatch.chdir(deeper)
    assert main(["do", "hi", "--to", "text", "--cache-dir", str(module_cache)]) == 0
    assert capsys.readouterr().out == "good:hi\n"


def test_a_bad_project_file_names_the_line(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "mediaconduit.yaml"
    project.write_text("providers: []\nrouting:\n  prefer: [free, quickest]\n")
    assert main(["plan", "hi", "--to", "text", "--project", str(project)]) == 1
    err = capsys.readouterr().err
    assert f"{project}:3: routing.prefer[1]:" in err
    assert "Traceback" not in err


def test_schema_of_the_project_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--project"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "mediaconduit.yaml"
    assert {"providers", "routing", "budget", "ledger"} <= set(schema["properties"])


@pytest.mark.slow
def test_do_turns_the_sample_clip_into_text_through_two_providers(
        tmp_path: Path, module_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "mediaconduit.yaml"
    project.write_text(f"providers:\n  - {ROOT / 'providers' / 'ffmpeg-provider'}\n"
                       f"  - {TEST_PROVIDERS / 'toolkit'}\n")
    env_before = dict(os.environ)
    assert main(["do", str(CLIP), "--to", "text", "--explain", "--project", str(project),
                 "--cache-dir", str(module_cache)]) == 0
    captured = capsys.readouterr()
    assert int(captured.out.strip()) > 1000  # the toolkit's `measure`: bytes of audio heard
    assert "ffmpeg:extract-audio" in captured.err and "toolkit:measure" in captured.err
    assert dict(os.environ) == env_before
