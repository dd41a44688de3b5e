"""Reading an upstream's error answers, for any provider (with or without httpx).

- `parse_retry_after(value)`: a `Retry-After` header as seconds (a number or an HTTP date).
- `did_you_mean(name, names)`: "; did you mean a, b?" for the close ones (or "").
- `ErrorContext(model_id, listed, secret)`: what a typed error's message needs beyond
  the vendor's answer; `scrub(text)` masks the secret (a vendor may echo the key),
  `not_found(vendor, text)` words a missing model with the close listed ones.

Standard library only (`mediaconduit.sdk.http` re-exports `parse_retry_after`).
"""

from __future__ import annotations

import difflib
import email.utils
from collections.abc import Iterable
from datetime import datetime, timezone


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds from now: delay-seconds or an HTTP date; None when absent."""
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def did_you_mean(name: str, names: Iterable[str], cutoff: float = 0.5) -> str:
    """`"; did you mean a, b?"` for up to three of `names` close to `name`, else `""`."""
    close = difflib.get_close_matches(name, list(names), n=3, cutoff=cutoff)
    return f"; did you mean {', '.join(close)}?" if close else ""


class ErrorContext:
    """What a message needs beyond the exception: the model, the listed ids, the key."""

    def __init__(self, model_id: str, listed: Iterable[str], secret: str | None) -> None:
        self.model_id = model_id
        self.listed = list(listed)
        self.secret = secret

    def scrub(self, text: str) -> str:
        """`text` with the secret replaced by `***`."""
        return text.replace(self.secret, "***") if self.secret else text

    def not_found(self, vendor: str, text: str) -> str:
        """`"<vendor> has no model 'x' (<text>); did you mean ...?"`."""
        others = [i for i in self.listed if i != self.model_id]
        hint = did_you_mean(self.model_id, others)
        return f"{vendor} has no model {self.model_id!r} ({text}){hint}"


__all__ = ["ErrorContext", "did_you_mean", "parse_retry_after"]
