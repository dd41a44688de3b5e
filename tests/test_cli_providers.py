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


def test_models_by_task(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", TOOLKIT, "--task", "text-to-image", "--json"]) == 0
    assert [m["id"] for m in json.loads(capsys.readouterr().out)] == ["several"]
    assert main(["models", TOOLKIT, "--task", "text-generation", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert "echo" in [m["id"] for m in found] and "flip" not in [m["id"] for m in found]
    assert all(m["tasks"] == ["text-generation"] for m in found)
    assert main(["models", TOOLKIT, "--task", "text-generaton"]) == 2
    assert "did you mean 'text-generation'?" in capsys.readouterr().err


def test_run_writes_several_outputs_into_a_folder(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "images"
    assert main(["run", TOOLKIT, "several", "3", "-o", str(out)]) == 0
    written = sorted(out.iterdir())
    assert len(written) == 3
    assert sorted(p.read_bytes() for p in written) == [b"image 0", b"image 1", b"image 2"]
    assert capsys.readouterr().err.count("wrote ") == 3


def _run_on_a_terminal(args: list[str]) -> tuple[int, str, str]:
    """`mediaconduit ARGS` with stderr on a pseudo-terminal (as a person runs it)."""
    import pty

    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    child = subprocess.Popen([sys.executable, "-m", "mediaconduit", *args], stdout=subprocess.PIPE,
                             stderr=follower, stdin=subprocess.DEVNULL, env=env, text=True)
    os.close(follower)
    screen = bytearray()
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed its end
            break
        if not data:
            break
        screen += data
    os.close(leader)
    out = child.stdout.read() if child.stdout else ""
    return child.wait(timeout=60), out, screen.decode(errors="replace")


def test_run_draws_the_providers_progress_on_a_terminal() -> None:
    code, out, screen = _run_on_a_terminal(["run", TOOLKIT, "steps", "40", "-p", "pause=0.03",
                                           "--no-stream"])
    assert code == 0
    assert out == "40 steps\n"
    assert "toolkit/steps: step" in screen  # the provider's messages, drawn by rich
    assert "━" in screen  # the bar


def test_run_prints_nothing_extra_when_piped() -> None:
    done = subprocess.run([sys.executable, "-m", "mediaconduit", "run", TOOLKIT, "steps", "40",
                           "--no-stream"], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "40 steps\n"
    assert done.stderr == ""
