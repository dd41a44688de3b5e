"""Findings 4, 5, 11, 13 (line ends) and 14: what a repository or its server does to a load."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mediaconduit import cache, git
from mediaconduit.cache import maintenance
from mediaconduit.errors import GitError
from mediaconduit.specifier import parse_specifier
from tests.conftest import ROOT, TEST_PROVIDERS, publish
from tests.helpers.gitserver import GitServer


@pytest.fixture
def layout(cache_dir: Path) -> cache.Layout:
    return cache.Layout(cache_dir)


def _repo(tmp_path: Path, files: dict[str, str | bytes]) -> str:
    folder = tmp_path / "repo"
    shutil.copytree(TEST_PROVIDERS / "reverse", folder)
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return str(folder)


def _published(layout: cache.Layout) -> list[Path]:
    return [p for p in (layout.root / "providers").glob("*/*") if p.is_dir()]


# --- 4: file names git would quote ------------------------------------------------------

def test_finding4_non_ascii_and_quoted_file_names_load_and_verify_clean(
        git_server: GitServer, layout: cache.Layout, tmp_path: Path) -> None:
    names = {"docs/café.md": "# café\n", 'it\'s "quoted".txt': "q\n", "tab\there.txt": "t\n",
             "日本/語.txt": "ja\n"}
    publish(git_server, _repo(tmp_path, names), "Hard/names")
    found = git.ensure_checkout(layout, parse_specifier("github:Hard/names"))
    assert found.error is None
    for name in names:
        assert (found.path / name).is_file()
    assert maintenance.verify(layout) == []


# --- 13: a checkout git converted (eol=crlf) is not damaged ------------------------------

def test_finding13_checkout_under_eol_crlf_verifies_clean(
        git_server: GitServer, layout: cache.Layout, tmp_path: Path) -> None:
    files = {".gitattributes": "*.txt text eol=crlf\n", "notes.txt": "one\ntwo\n"}
    publish(git_server, _repo(tmp_path, files), "Hard/crlf")
    found = git.ensure_checkout(layout, parse_specifier("github:Hard/crlf"))
    assert (found.path / "notes.txt").read_bytes() == b"one\r\ntwo\r\n"  # git converted it
    assert maintenance.verify(layout) == []
    (found.path / "notes.txt").write_bytes(b"one\r\nTWO\r\n")
    assert [p.message for p in maintenance.verify(layout)] == [
        "notes.txt is missing or changed since checkout"]


# --- 5: a server that accepts and never answers --------------------------------------------

@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never says a word; yields its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    server.close()
    for conn in held:
        conn.close()


@pytest.fixture
def plain_git_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "gitconfig"
    config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return config


def test_finding5_a_stalled_server_fails_the_load_naming_the_stall_and_the_redacted_url(
        silent_server: int, layout: cache.Layout, plain_git_config: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIACONDUIT_GIT_STALL_SECONDS", "1")
    url = f"http://user:hunter2@127.0.0.1:{silent_server}/Hard/stall.git"
    started = time.monotonic()
    with pytest.raises(GitError, match="stalled") as info:
        git.ensure_checkout(layout, parse_specifier(url))
    assert time.monotonic() - started < 15
    assert f"http://***@127.0.0.1:{silent_server}/Hard/stall" in str(info.value)
    assert "hunter2" not in str(info.value)
    assert _published(layout) == []


def test_finding5_an_overall_deadline_stops_git(
        silent_server: int, layout: cache.Layout, plain_git_config: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIACONDUIT_GIT_STALL_SECONDS", "600")
    monkeypatch.setenv("MEDIACONDUIT_GIT_TIMEOUT", "1")
    started = time.monotonic()
    with pytest.raises(GitError, match="deadline of 1 s"):
        git.ensure_checkout(layout, parse_specifier(f"http://127.0.0.1:{silent_server}/H/d.git"))
    assert time.monotonic() - started < 10


def test_finding5_the_users_own_low_speed_settings_win(plain_git_config: Path) -> None:
    assert git._stall_options() == ["-c", "http.lowSpeedLimit=1000", "-c", "http.lowSpeedTime=30"]
    plain_git_config.write_text("[http]\n\tlowSpeedTime = 5\n")
    assert git._stall_options() == ["-c", "http.lowSpeedLimit=1000"]
    plain_git_config.write_text("[http]\n\tlowSpeedTime = 5\n\tlowSpeedLimit = 10\n")
    assert git._stall_options() == []


# --- 11: a checkout size limit -------------------------------------------------------------

def test_finding11_a_small_pack_that_expands_past_the_limit_is_refused_before_checkout(
        git_server: GitServer, layout: cache.Layout, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    publish(git_server, _repo(tmp_path, {"zeros.bin": bytes(3 * 1024 * 1024)}), "Hard/bomb")
    monkeypatch.setenv("MEDIACONDUIT_MAX_CHECKOUT_MB", "1")
    with pytest.raises(GitError, match=r"too big \(3 MiB, more than MEDIACONDUIT_MAX_CHECKOUT"):
        git.ensure_checkout(layout, parse_specifier("github:Hard/bomb"))
    assert _published(layout) == []
    monkeypatch.setenv("MEDIACONDUIT_MAX_CHECKOUT_MB", "8")
    assert git.ensure_checkout(layout, parse_specifier("github:Hard/bomb")).error is None


def test_finding11_a_fetch_is_stopped_while_it_grows_past_the_limit(
        git_server: GitServer, layout: cache.Layout, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    publish(git_server, _repo(tmp_path, {"noise.bin": os.urandom(6 * 1024 * 1024)}),
            "Hard/big-pack")
    monkeypatch.setenv("MEDIACONDUIT_MAX_CHECKOUT_MB", "1")
    with pytest.raises(GitError, match="the repository is too big"):
        git.ensure_checkout(layout, parse_specifier("github:Hard/big-pack"))
    assert _published(layout) == []


def test_finding11_the_default_limit_is_sane() -> None:
    assert git.max_checkout_bytes() == 256 * 1024 * 1024


# --- 14: children of a load die with its host -----------------------------------------------

HOST = """
import sys
sys.path.insert(0, {root!r})
from mediaconduit.process import cmd_output, cmd_progress
child = [sys.executable, "-c", "import os, sys, time; print(os.getpid(), flush=True); "
         "print(os.getpid(), file=sys.stderr, flush=True); time.sleep(60)"]
if sys.argv[1] == "progress":
    cmd_progress(*child, on_line=lambda line: print(line, flush=True))
else:
    # cmd_output captures stdout: the child reports its pid through a file instead
    child[2] = child[2].replace("print(os.getpid(), flush=True)",
                                "open(sys.argv[1], 'w').write(str(os.getpid()))")
    cmd_output(*child, sys.argv[2])
"""


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("how", ["progress", "output"])
def test_finding14_a_command_of_a_load_dies_with_a_host_killed_by_sigkill(
        tmp_path: Path, how: str) -> None:
    pid_file = tmp_path / "child.pid"
    code = textwrap.dedent(HOST.format(root=str(ROOT)))
    host = subprocess.Popen([sys.executable, "-c", code, how, str(pid_file)],
                            stdout=subprocess.PIPE, text=True)
    try:
        if how == "progress":
            assert host.stdout is not None
            child = int(host.stdout.readline())
        else:
            for _ in range(200):
                if pid_file.exists() and pid_file.read_text():
                    break
                time.sleep(0.05)
            child = int(pid_file.read_text())
        assert _alive(child)
        host.send_signal(signal.SIGKILL)
        host.wait()
        for _ in range(100):
            if not _alive(child):
                break
            time.sleep(0.05)
        assert not _alive(child), "the command outlived its host"
    finally:
        host.kill()
        host.wait()


def test_finding4_a_checkout_that_cannot_be_read_back_is_not_left_published(
        git_server: GitServer, layout: cache.Layout, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    publish(git_server, _repo(tmp_path, {}), "Hard/unreadable")
    monkeypatch.setattr(git, "read_checkout", lambda *args: None)
    with pytest.raises(GitError, match="vanished while loading"):
        git.ensure_checkout(layout, parse_specifier("github:Hard/unreadable"))
    assert _published(layout) == []
