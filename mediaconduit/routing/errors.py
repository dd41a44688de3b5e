"""Routing's errors: no candidate could do the job."""

from __future__ import annotations

from mediaconduit.sdk.errors import MediaConduitError


class NoRouteError(MediaConduitError):
    """Nothing could do the job: `attempts` and `rejected` say, for each candidate, why.

    Each entry is a dict with `provider`, `model`, `step` and `reason` (and
    `error`, the error type, for an attempt that failed).
    """

    attrs = ("attempts", "rejected")

    def __init__(self, message: str = "no route", attempts: list[dict[str, str]] | None = None,
                 rejected: list[dict[str, str]] | None = None) -> None:
        self.attempts = list(attempts or [])
        self.rejected = list(rejected or [])
        super().__init__(message + _report(self.attempts, self.rejected))


def _report(attempts: list[dict[str, str]], rejected: list[dict[str, str]]) -> str:
    lines = [f"\n  tried {a['provider']}:{a['model']}: {a['reason']}" for a in attempts]
    lines += [f"\n  passed over {r['provider']}:{r['model']}: {r['reason']}" for r in rejected]
    return "".join(lines)
