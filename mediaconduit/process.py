"""The one way MediaConduit runs a subprocess: report the command and its output on failure."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from mediaconduit.sdk.errors import MediaConduitError

_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")


def redact(text: str) -> str:
    """Hide credentials written into URLs: `https://user:token@host` -> `https://***@host`."""
    return _CREDENTIALS.sub(r"\g<scheme>***@", text)


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


def child_env(**overrides: str) -> dict[str, str]:
    """This process's environment with `overrides` applied (for tools like git and uv)."""
    return {**os.environ, **overrides}
