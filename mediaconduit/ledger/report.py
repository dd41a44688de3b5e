"""The `mediaconduit usage` report: the ledger's rows grouped, counted, summed, timed.

Per group (provider, `provider:model`, task or UTC day): calls, failures (errors,
cancels, lost calls), budget refusals, each usage unit that any call used, the
cost (with `~` when any part is estimated, and how many calls' cost is unknown)
and latency percentiles of the calls that ran.
"""

from __future__ import annotations

import calendar
import dataclasses
import math
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from mediaconduit.ledger.money import from_pusd
from mediaconduit.ledger.schema import USAGE_UNITS

GROUPS = ("provider", "model", "task", "day")
_SPANS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_FAILED = ("error", "cancelled", "lost")
UNIT_LABELS = {"input_tokens": "in tokens", "output_tokens": "out tokens",
               "audio_seconds": "audio s", "images": "images", "characters": "chars",
               "requests": "requests", "compute_seconds": "compute s"}


def parse_since(text: str, now: float | None = None) -> float:
    """`30m`, `24h`, `7d`, `2w` ago, or a UTC date `2026-12-01`: a unix time."""
    now = time.time() if now is None else now
    span = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*", text)
    if span:
        return now - float(span.group(1)) * _SPANS[span.group(2)]
    try:
        return float(calendar.timegm(time.strptime(text.strip(), "%Y-%m-%d")))
    except ValueError:
        raise ValueError(f"--since {text!r}: write a span such as 30m, 24h, 7d, 2w, or a UTC "
                         "date such as 2026-12-01") from None


@dataclasses.dataclass
class Group:
    """One line of the report."""

    key: str
    calls: int = 0
    failures: int = 0
    refused: int = 0
    units: dict[str, float] = dataclasses.field(default_factory=dict)
    cost_pusd: int = 0
    estimated: bool = False
    unknown_cost: int = 0
    durations: list[float] = dataclasses.field(default_factory=list)

    def add(self, row: Mapping[str, Any]) -> None:
        self.calls += 1
        self.failures += row["status"] in _FAILED
        self.refused += row["status"] == "refused"
        for unit in USAGE_UNITS:
            if row.get(unit) is not None:
                self.units[unit] = self.units.get(unit, 0) + row[unit]
        self._add_cost(row)
        if row["status"] != "refused" and row.get("duration") is not None:
            self.durations.append(float(row["duration"]))

    def _add_cost(self, row: Mapping[str, Any]) -> None:
        if row.get("cost_pusd") is not None:
            self.cost_pusd += int(row["cost_pusd"])
            self.estimated = self.estimated or bool(row.get("estimated"))
        elif row["status"] == "ok":
            self.unknown_cost += 1

    @property
    def cost_usd(self) -> Decimal:
        return from_pusd(self.cost_pusd) or Decimal(0)

    def latency_ms(self, percent: float) -> float | None:
        """The nearest-rank percentile of the durations, in milliseconds."""
        if not self.durations:
            return None
        ordered = sorted(self.durations)
        rank = max(1, math.ceil(percent / 100 * len(ordered)))
        return ordered[rank - 1] * 1000

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "calls": self.calls, "failures": self.failures,
                "refused": self.refused, "usage": dict(self.units),
                "cost_usd": str(self.cost_usd), "estimated": self.estimated,
                "unknown_cost_calls": self.unknown_cost,
                "latency_ms": {"p50": self.latency_ms(50), "p95": self.latency_ms(95),
                               "p99": self.latency_ms(99)}}


def key_of(row: Mapping[str, Any], by: str) -> str:
    if by == "model":
        return f"{row['provider']}:{row['model']}"
    if by == "day":
        return time.strftime("%Y-%m-%d", time.gmtime(row["started"]))
    return str(row.get(by) or "-")


def summarize(rows: Iterable[Mapping[str, Any]], by: str) -> tuple[list[Group], Group]:
    """The groups, ordered by key, and the total over all rows."""
    if by not in GROUPS:
        raise ValueError(f"--by {by!r}: use one of {', '.join(GROUPS)}")
    groups: dict[str, Group] = {}
    total = Group("total")
    for row in rows:
        key = key_of(row, by)
        groups.setdefault(key, Group(key)).add(row)
        total.add(row)
    return [groups[k] for k in sorted(groups)], total


def table(groups: Sequence[Group], total: Group, by: str) -> str:
    """A plain-text table, one line per group and a total."""
    units = [u for u in USAGE_UNITS if u in total.units]
    header = [by, "calls", "failed", "refused", *(UNIT_LABELS[u] for u in units), "cost",
              "p50 ms", "p95 ms"]
    lines = [header] + [_cells(g, units) for g in [*groups, total]]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                     for i, (c, w) in enumerate(zip(line, widths, strict=True)))
           for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    out.insert(len(out) - 1, out[1])
    return "\n".join(line.rstrip() for line in out)


def _cells(group: Group, units: Sequence[str]) -> list[str]:
    return [group.key, str(group.calls), str(group.failures), str(group.refused),
            *(_number(group.units.get(u)) for u in units), _money(group),
            _ms(group.latency_ms(50)), _ms(group.latency_ms(95))]


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _money(group: Group) -> str:
    text = ("~" if group.estimated else "") + f"${group.cost_usd}"
    return text + (f" (+{group.unknown_cost} unknown)" if group.unknown_cost else "")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
