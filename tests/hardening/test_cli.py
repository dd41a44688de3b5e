"""Findings 7 and 8: what `mediaconduit run` writes, and one-line errors instead of tracebacks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mediaconduit.cli import main
from mediaconduit.registry import ProviderRegistry
from mediaconduit.sdk.errors import ProviderBugError

Hostile = Callable[..., str]

RETURNS_OUTSIDE = """
import mediaconduit.sdk._worker as w
w.Server.checked = lambda self, what, result: {{"kind": "image", "path": {path!r},
                                               "mime_type": "image/png"}}
return Text("x")
"""

NAMES_ITS_OUTPUT = """
from mediaconduit.sdk.assets import output_dir
path = output_dir() / ".bashrc"
path.write_bytes(b"rm -rf ~  # written by the worker")
return Image(path=path, mime_type="image/png")
"""


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def _run(*args: str) -> int:
    return main(["run", *args])


def test_finding7_a_path_outside_the_call_output_folder_is_a_provider_bug(
        registry: ProviderRegistry, hostile: Hostile, tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$hash")
    handle = registry.get_provider(hostile(RETURNS_OUTSIDE.format(path=str(secret)),
                                           caps="text-to-image"))
    with pytest.raises(ProviderBugError, match="not inside its call's output folder"):
        handle.get_model("m").transform("x")


def test_finding7_run_never_copies_a_file_from_outside_the_output_folder(
        hostile: Hostile, tmp_path: Path, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$hash")
    folder = hostile(RETURNS_OUTSIDE.format(path=str(secret)), caps="text-to-image")
    assert _run(folder, "m", "x") == 1
    assert "not inside its call's output folder" in capsys.readouterr().err
    assert list(in_tmp.iterdir()) == []


def test_finding7_run_names_outputs_itself_and_refuses_to_overwrite_without_force(
        hostile: Hostile, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / ".bashrc").write_text("my own settings")
    folder = hostile(NAMES_ITS_OUTPUT, caps="text-to-image")
    assert _run(folder, "m", "x") == 0
    assert (in_tmp / ".bashrc").read_text() == "my own settings"
    assert (in_tmp / "output.png").read_bytes().startswith(b"rm -rf")
    (in_tmp / "output.png").write_text("kept")
    assert _run(folder, "m", "x") == 2
    refused = capsys.readouterr().err
    assert "output.png exists" in refused and "--force" in refused
    assert (in_tmp / "output.png").read_text() == "kept"
    assert _run(folder, "m", "x", "--force") == 0
    assert (in_tmp / "output.png").read_bytes().startswith(b"rm -rf")


ECHO = "return Text(input.text)"


def _one_line_error(capsys: pytest.CaptureFixture[str], says: str) -> None:
    err = capsys.readouterr().err
    assert says in err
    assert "Traceback" not in err


@pytest.mark.parametrize("param", ["input=1", "self=1", "on_progress=1"])
def test_finding8_a_param_named_like_a_host_argument_is_a_clear_error(
        hostile: Hostile, in_tmp: Path, capsys: pytest.CaptureFixture[str], param: str) -> None:
    assert _run(hostile(ECHO), "m", "x", "-p", param) == 2
    _one_line_error(capsys, "names an argument of the host's own")


def test_finding8_a_deeply_nested_json_param_is_a_clear_error(
        hostile: Hostile, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(hostile(ECHO), "m", "x", "-p", "deep=" + "[" * 100_000) == 2
    _one_line_error(capsys, "nested too deeply")


def test_finding8_output_into_a_missing_folder_or_onto_a_folder(
        hostile: Hostile, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = hostile(ECHO)
    assert _run(folder, "m", "x", "-o", str(in_tmp / "missing" / "out.txt")) == 2
    _one_line_error(capsys, "does not exist")
    (in_tmp / "a-folder").mkdir()
    assert _run(folder, "m", "x", "-o", str(in_tmp / "a-folder")) == 2
    _one_line_error(capsys, "is a folder")


def test_finding8_a_worker_returning_a_missing_path(
        hostile: Hostile, in_tmp: Path, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    folder = hostile(RETURNS_OUTSIDE.format(path=str(tmp_path / "cache" / "outputs" /
                                                     "call-x" / "gone.png")),
                     caps="text-to-image")
    assert _run(folder, "m", "x") == 1
    _one_line_error(capsys, "does not exist")


def test_finding8_an_honest_sdk_result_naming_a_missing_file(
        hostile: Hostile, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = "return Image(path='/nonexistent/picture.png', mime_type='image/png')"
    assert _run(hostile(body, caps="text-to-image"), "m", "x") == 1
    _one_line_error(capsys, "does not exist")


@pytest.mark.parametrize("where", ["file", "under a file", "unwritable"])
def test_finding8_a_cache_dir_that_cannot_be_one(
        hostile: Hostile, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        where: str) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    cache_dir = {"file": a_file, "under a file": a_file / "cache",
                 "unwritable": Path("/sys/mediaconduit-cache")}[where]
    assert _run(hostile(ECHO), "m", "x", "--cache-dir", str(cache_dir)) == 2
    _one_line_error(capsys, "--cache-dir")


def test_finding8_cache_verify_of_a_file_does_not_say_ok(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    assert main(["cache", "verify", "--cache-dir", str(a_file)]) == 2
    out = capsys.readouterr()
    assert "cache ok" not in out.out
    assert "is a file, not a folder" in out.err


def test_finding8_a_cache_dir_variable_naming_a_file(
        hostile: Hostile, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    monkeypatch.setenv("MEDIACONDUIT_CACHE_DIR", str(a_file))
    assert _run(hostile(ECHO), "m", "x") == 2
    _one_line_error(capsys, "MEDIACONDUIT_CACHE_DIR")
