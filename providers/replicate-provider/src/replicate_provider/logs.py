"""A prediction's `logs` as progress reports: new lines only, tqdm bars as fractions."""

from __future__ import annotations

import re

from mediaconduit.sdk import report_progress

#: the tqdm line Replicate's own client reads progress from: ` 40%|████ | 20/50 [...]`
TQDM = re.compile(r"^\s*(\d+)%\s*\|.+?\|\s*(\d+)/(\d+)")


def fraction_of(line: str) -> float | None:
    """The fraction done a tqdm progress line shows, else None."""
    match = TQDM.match(line)
    if match is None:
        return None
    current, total = int(match[2]), int(match[3])
    return current / total if total > 0 else None


class LogFollower:
    """Reports each log line once, in order, as it appears in successive `logs` texts.

    tqdm redraws a bar with carriage returns; only the last drawing of a line counts.
    """

    def __init__(self) -> None:
        self.seen = 0
        self.lines: list[str] = []

    def update(self, logs: object) -> None:
        if not isinstance(logs, str):
            return
        complete = logs.split("\n")[:-1] if not logs.endswith("\n") else logs.split("\n")
        lines = [line.rsplit("\r", 1)[-1].rstrip() for line in complete]
        lines = [line for line in lines if line]
        for line in lines[self.seen:]:
            report_progress(fraction_of(line), line)
        self.seen = max(self.seen, len(lines))
        self.lines = lines

    def push(self, line: str) -> None:
        """One line from a stream's `logs` event."""
        for raw in line.split("\n"):
            part = raw.rsplit("\r", 1)[-1].rstrip()
            if part:
                self.lines.append(part)
                report_progress(fraction_of(part), part)

    def tail(self, count: int) -> list[str]:
        return self.lines[-count:] if count > 0 else []
