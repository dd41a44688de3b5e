"""`mediaconduit add | info | models | run`, in process and as a real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mediaconduit.cli import main
from tests.conftest import TEST_PROVIDERS, publish
from tests.helpers.gitserver import GitServer

TOOLKIT = str(TEST_PROVIDERS / "toolkit")


def test_add_json(git_server: GitServer, capsys: pytest.CaptureFixture[str]) -> None:
    commit = publish(git_server, "reverse", "Cli/reverse")
    assert main(["add", "https://github.com/Cli/reverse", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["id"] == "reverse"
    assert data["commit"] == commit
    assert data["models"] == 2
    assert data["capabilities"] == ["text-to-text"]


def test_add_text_and_info(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["add", TOOLKIT]) == 0
    out = capsys.readouterr().out
    assert "Toolkit (toolkit) 1.0.0  [local]  working tree" in out
    assert main(["info", TOOLKIT, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["env"] == ["TOOLKIT_TOKEN"]
    assert data["health"]["ok"] is True


def test_models_filters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", TOOLKIT, "--config", "extra_models=2", "--free", "--json"]) == 0
    assert [m["id"] for m in json.loads(capsys.readouterr().out)] == ["extra-0", "extra-1"]
    assert main(["models", TOOLKIT, "--capability", "image-to-image"]) == 0
    captured = capsys.readouterr()
    assert captured.out.split()[0] == "flip"
    assert "1 models" in captured.err
    assert main(["models", TOOLKIT, "--capability", "IMAGE_TO_IMAGE"]) == 2
    assert "write it as 'image-to-image'" in capsys.readouterr().err


def test_run_streams_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", TOOLKIT, "count", "4"]) == 0
    assert capsys.readouterr().out == "0,1,2,3,\n"
    assert main(["run", TOOLKIT, "echo", "hi", "-p", "temperature=0.2", "--no-stream"]) == 0
    assert capsys.readouterr().out == "hi\n"


def test_run_media_in_and_out(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "pic.png"
    source.write_bytes(b"0123456789")
    out = tmp_path / "flipped.png"
    assert main(["run", TOOLKIT, "flip", str(source), "-o", str(out)]) == 0
    assert out.read_bytes() == b"9876543210"
    monkeypatch.chdir(tmp_path)
    assert main(["run", TOOLKIT, "flip", str(source)]) == 0
    written = Path(capsys.readouterr().err.split("wrote ")[1].strip())
    assert written.parent == tmp_path
    assert written.read_bytes() == b"9876543210"
    assert main(["run", TOOLKIT, "measure", str(source)]) == 2
    assert "takes audio" in capsys.readouterr().err


def test_user_errors_have_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["add", "ext::sh -c id"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: provider specifier")
    assert "Traceback" not in err
    assert main(["run", TOOLKIT, "no-such-model", "x"]) == 1
    assert "no-such-model" in capsys.readouterr().err
    assert main(["add"]) == 2


def test_real_command_and_module_entry_points(git_server: GitServer) -> None:
    publish(git_server, "reverse", "Cli/real")
    env = dict(os.environ)
    bin_dir = Path(sys.executable).parent
    for cmd in ([str(bin_dir / "mediaconduit")], [sys.executable, "-m", "mediaconduit"]):
        result = subprocess.run([*cmd, "run", "github:Cli/real", "reverse", "abc"], env=env,
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr
        assert result.stdout == "cba\n"
    missing = subprocess.run([str(bin_dir / "mediaconduit"), "add", "github:Cli/missing"],
                             env=env, capture_output=True, text=True, timeout=120, check=False)
    assert missing.returncode == 1
    assert "https://github.com/Cli/missing" in missing.stderr
    assert "Traceback" not in missing.stderr
