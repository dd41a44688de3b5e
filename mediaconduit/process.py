"""The one way MediaConduit runs a subprocess: report the command and its output on failure."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

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
        )
    except FileNotFoundError:
        raise CommandError(args, 127, f"{args[0]}: command not found") from None
    except subprocess.TimeoutExpired as e:
        stderr = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else e.stderr
        raise CommandError(args, -1, f"timed out after {timeout} s\n{stderr or ''}") from None
    if result.returncode != 0:
        raise CommandError(args, result.returncode, f"{result.stdout}\n{result.stderr}")
    return result.stdout


def cmd_progress(
    *cmd: str | Path, on_line: Callable[[str], None], cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Run `cmd` (stdout ignored), giving each stderr line to `on_line` as it comes.

    Carriage returns end lines too, so progress meters arrive step by step. Raises
    `CommandError` with everything it wrote on failure.
    """
    args = [str(part) for part in cmd]
    process = subprocess.Popen(args, cwd=cwd, env=dict(env) if env is not None else None,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    assert process.stderr is not None
    said = []
    for line in io.TextIOWrapper(process.stderr, errors="replace"):  # \r counts as an end
        said.append(line.rstrip("\n"))
        on_line(said[-1])
    if process.wait() != 0:
        raise CommandError(args, process.returncode, "\n".join(said))


def cmd_output_later(*cmd: str | Path) -> Callable[[], str]:
    """Start `cmd` now; the returned function waits and gives its stdout (or raises)."""
    args = [str(part) for part in cmd]
    try:
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
    except FileNotFoundError:
        raise CommandError(args, 127, f"{args[0]}: command not found") from None

    def wait() -> str:
        out, err = process.communicate()
        if process.returncode != 0:
            raise CommandError(args, process.returncode, f"{out}\n{err}")
        return out

    return wait
