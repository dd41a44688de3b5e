"""Run FFmpeg: the one subprocess helper, and the error it raises."""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Sequence

from mediaconduit.sdk import ProviderUnavailableError

#: Flags for every conversion: no prompts, overwrite our own temp file, errors only.
QUIET = ("-nostdin", "-y", "-hide_banner", "-loglevel", "error")

_PREFIXES = re.compile(r"^(?:\[[^\]]*\]\s*)+")
_WRAPPERS = re.compile(r"^Error (?:opening|while opening|initializing) [\w ]+?: ")
_NOISE = (
    "At least one output file must be specified",
    "Error opening input file ",
    "Error opening output file ",
    "Conversion failed!",
    "Could not open encoder before EOF",
    "Nothing was written into output file",
    "Error sending frames to consumers",
    "Task finished with error code",
    "Terminating thread with return code",
)


class FFmpegError(Exception):
    """FFmpeg failed; `reason` is its own explanation in a line or two."""

    def __init__(self, reason: str, command: Sequence[str] = (), stderr: str = "") -> None:
        self.reason = reason
        self.command = tuple(command)
        self.stderr = stderr
        where = f" (command: {shlex.join(self.command)})" if self.command else ""
        super().__init__(f"{reason}{where}")


def execute(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Run `command`, capturing its output; a binary that cannot start is unavailable."""
    try:
        return subprocess.run(
            list(command), capture_output=True, text=True, errors="replace", check=False
        )
    except OSError as error:
        raise ProviderUnavailableError(f"cannot run FFmpeg ({command[0]}): {error}") from error


def run_ffmpeg(binary: str, args: Sequence[str]) -> str:
    """Run `ffmpeg QUIET args`; returns what it logged, raises `FFmpegError` on failure."""
    command = [binary, *QUIET, *args]
    result = execute(command)
    if result.returncode != 0:
        raise FFmpegError(explain(result.stderr), command, result.stderr)
    return result.stderr


def explain(stderr: str, default: str = "FFmpeg gave no reason", limit: int = 2) -> str:
    """The last `limit` meaningful lines of FFmpeg's log, joined."""
    return "; ".join(meaningful_lines(stderr)[-limit:]) or default


def meaningful_lines(stderr: str) -> list[str]:
    """Log lines without component tags, boilerplate and repeats."""
    kept: list[str] = []
    for raw in stderr.splitlines():
        line = _WRAPPERS.sub("", _PREFIXES.sub("", raw.strip()))
        if line and not line.startswith(_NOISE):
            if line in kept:
                kept.remove(line)
            kept.append(line)
    return kept


def number_arg(value: float) -> str:
    """A number as FFmpeg reads it: plain decimals, no exponent."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def input_arg(path: object) -> str:
    """A file path FFmpeg never mistakes for a protocol or an option."""
    return f"file:{path}"
