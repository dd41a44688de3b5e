"""The one way MediaConduit runs a subprocess: report the command and its output on failure.

Every command (git, uv, an interpreter's health check) dies with the thread that started
it: on Linux each child asks the kernel for SIGKILL when its parent goes
(`prctl(PR_SET_PDEATHSIG)`), so a host killed with `kill -9` leaves no git or uv running
on in the cache (an orphaned uv once kept installing into a folder being rebuilt). The
commands are waited for on the thread that starts them, so a thread's end is their end.
"""

from __future__ import annotations

import functools
import io
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mediaconduit.sdk.errors import MediaConduitError

_URL = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<rest>[^\s'\"]+)")
_HOST_AFTER_AT = re.compile(
    r"@(?:(?:[A-Za-z0-9-]+\.)+[A-Za-z][A-Za-z0-9-]*|\d+\.\d+\.\d+\.\d+|localhost"
    r"|\[[0-9A-Fa-f:.]+\])(?=[/:?#]|$)")


def redact(text: str) -> str:
    """Hide credentials written into URLs: `https://user:token@host` -> `https://***@host`.

    The credential runs to the last `@` that a host name follows, so a password holding
    an unencoded `@` or `/` (`https://u:p@ss/w@github.com`) is hidden whole, while a
    ref written after the path (`https://github.com/o/r@v1`) is not taken for one.
    """
    return _URL.sub(_redact_url, text)


def _userinfo(text: str) -> bool:
    """Could `text` be what precedes the host: no path in it, unless a password holds it."""
    slash = text.find("/")
    return slash < 0 or ":" in text[:slash]


def _redact_url(match: re.Match[str]) -> str:
    scheme, rest = match["scheme"], match["rest"]
    hosts = [h for h in _HOST_AFTER_AT.finditer(rest) if _userinfo(rest[:h.start()])]
    if hosts:
        return f"{scheme}***{rest[hosts[-1].start():]}"
    at = rest.find("@")
    if at > 0 and "/" not in rest[:at]:
        return f"{scheme}***{rest[at:]}"
    return match[0]


_PR_SET_PDEATHSIG = 1


@functools.cache
def _prctl() -> Any:
    import ctypes

    return ctypes.CDLL(None, use_errno=True).prctl


def die_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` that makes the child die when its parent does (Linux), else None.

    A `preexec_fn` runs Python between fork and exec, which the docs call unsafe when
    threads run; CPython takes the import lock around the fork and this one only calls
    a C function loaded beforehand, and the commands it serves are the cold path's (a
    vfork is lost there, about a millisecond per command).
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl, parent = _prctl(), os.getpid()  # loaded before the fork

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, 9, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request was made
            os._exit(137)

    return preexec


class CommandError(MediaConduitError):
    """A command exited non-zero; the message holds the command and what it printed."""

    attrs = ("returncode", "output")

    def __init__(self, cmd: Sequence[str], returncode: int, output: str) -> None:
        self.cmd = [redact(str(part)) for part in cmd]
        self.returncode = returncode
        self.output = redact(output.strip())
        super().__init__(
            f"command failed (exit {returncode}): {' '.join(self.cmd)}\n{self.output}".rstrip()
        )


def cmd_output(
    *cmd: str | Path,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    timeout: float | None = None,
) -> str:
    """Run `cmd` and return its stdout; raise `CommandError` with stdout and stderr on failure."""
    args = [str(part) for part in cmd]
    try:
        result = subprocess.run(
            args, cwd=cwd, env=dict(env) if env is not None else None, input=input,
            capture_output=True, text=True, timeout=timeout, check=False,
            preexec_fn=die_with_parent(),
        )
    except FileNotFoundError:
        raise CommandError(args, 127, f"{args[0]}: command not found") from None
    except subprocess.TimeoutExpired as e:
        stderr = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else e.stderr
        raise CommandError(args, -1, f"timed out after {timeout} s\n{stderr or ''}") from None
    if result.returncode != 0:
        raise CommandError(args, result.returncode, f"{result.stdout}\n{result.stderr}")
    return result.stdout


Watch = Callable[[], "str | None"]
"""Asked a few times a second while a command runs: a reason to stop it, or None."""


def cmd_progress(
    *cmd: str | Path, on_line: Callable[[str], None], cwd: Path | None = None,
    env: Mapping[str, str] | None = None, timeout: float | None = None,
    watch: Watch | None = None,
) -> None:
    """Run `cmd` (stdout ignored), giving each stderr line to `on_line` as it comes.

    Carriage returns end lines too, so progress meters arrive step by step. Raises
    `CommandError` with everything it wrote on failure. A command still running after
    `timeout` seconds, or one `watch` finds a reason to stop, is killed; the error's
    output then ends with that reason.
    """
    args = [str(part) for part in cmd]
    # A session of its own, so that stopping it stops what it started too (git's
    # git-remote-https would otherwise keep the pipe open and the read below waiting).
    process = subprocess.Popen(args, cwd=cwd, env=dict(env) if env is not None else None,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, start_new_session=True,
                               preexec_fn=die_with_parent())  # noqa: PLW1509
    assert process.stderr is not None
    stopped: list[str] = []
    guard = None
    if timeout is not None or watch is not None:
        guard = threading.Thread(target=_guard, args=(process, timeout, watch, stopped),
                                 daemon=True)
        guard.start()
    said = []
    try:
        for line in io.TextIOWrapper(process.stderr, errors="replace"):  # \r ends lines too
            said.append(line.rstrip("\n"))
            on_line(said[-1])
    except BaseException:  # Ctrl-C, or on_line failed: stop the command with us
        _stop(process)
        raise
    code = process.wait()
    if guard is not None:
        guard.join()
    if code != 0 or stopped:
        raise CommandError(args, code, "\n".join(said + stopped))


def _guard(process: subprocess.Popen[bytes], timeout: float | None, watch: Watch | None,
           stopped: list[str]) -> None:
    """Kill `process` at its deadline or when `watch` says so; the reason goes in `stopped`."""
    import time

    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            process.wait(timeout=0.2)
            return
        except subprocess.TimeoutExpired:
            pass
        reason = watch() if watch is not None else None
        if reason is None and deadline is not None and time.monotonic() > deadline:
            reason = f"stopped: still running after the deadline of {timeout:g} s"
        if reason is not None:
            stopped.append(reason)
            _stop(process)
            return


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill a command started in a session of its own, and everything in that session."""
    try:
        os.killpg(process.pid, 9)
    except OSError:
        process.kill()


def cmd_output_later(*cmd: str | Path) -> Callable[[], str]:
    """Start `cmd` now; the returned function waits and gives its stdout (or raises)."""
    args = [str(part) for part in cmd]
    try:
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, preexec_fn=die_with_parent())  # noqa: PLW1509
    except FileNotFoundError:
        raise CommandError(args, 127, f"{args[0]}: command not found") from None

    def wait() -> str:
        out, err = process.communicate()
        if process.returncode != 0:
            raise CommandError(args, process.returncode, f"{out}\n{err}")
        return out

    return wait
