"""Plans: the steps from the input's kind to the kind asked for, each with its candidates.

The planner searches the graph of kinds whose edges are the configured models,
up to `MAX_STEPS` steps: the last step does the task asked for (or the natural
task of its capability), the steps before it their natural tasks, so a video
becomes text by `extract-audio` then `automatic-speech-recognition`. Fewer steps
win; among plans of one length, the one whose best candidates the policy ranks
first. Planning reads manifests and the models on disk and starts no worker.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import TYPE_CHECKING, Any

from mediaconduit.routing.candidates import (
    Candidate,
    Latency,
    Rejected,
    gather,
    order,
    sort_key,
)
from mediaconduit.routing.errors import NoRouteError
from mediaconduit.sdk.models import KINDS, ModelInfo

if TYPE_CHECKING:
    from mediaconduit.handles import ProviderHandle
    from mediaconduit.project.settings import RoutingPolicy

MAX_STEPS = 3
Offer = tuple["ProviderHandle", list[ModelInfo]]


@dataclasses.dataclass(frozen=True)
class Step:
    """One conversion, `source` kind to `target` kind, and who can do it, best first."""

    source: str
    target: str
    task: str | None
    candidates: tuple[Candidate, ...]

    def describe(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.target, "task": self.task,
                "candidates": [c.describe() for c in self.candidates]}


@dataclasses.dataclass(frozen=True)
class Plan:
    """The steps a routed call takes, and the models it passed over, with reasons."""

    source: str
    target: str
    task: str | None
    steps: tuple[Step, ...]
    rejected: tuple[Rejected, ...] = ()

    def describe(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.target, "task": self.task,
                "steps": [s.describe() for s in self.steps],
                "rejected": [r.describe() for r in self.rejected]}


def make_plan(offers: list[Offer], source: str, target: str, *, task: str | None,
              model: str | None, policy: RoutingPolicy, latency: Latency,
              extra_rejected: list[Rejected] | None = None) -> Plan:
    """The best plan, or `NoRouteError` saying what was passed over and why."""
    _check_kind(target)
    rejected = list(extra_rejected or [])
    for length in range(1, MAX_STEPS + 1):
        plans = [_plan(offers, path, (task, model), (policy, latency), rejected)
                 for path in _paths(source, target, length)]
        found = [p for p in plans if p is not None]
        if found:
            best = min(found, key=lambda p: _rank(p, policy, latency))
            return dataclasses.replace(best, rejected=tuple(_unique(rejected)))
    raise NoRouteError(_nothing(source, target, task, model), [],
                       [r.describe() for r in _unique(rejected)])


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        from mediaconduit.sdk.errors import InvalidInputError

        raise InvalidInputError(f"to={kind!r} is not a kind: use one of {', '.join(KINDS)}")


def _paths(source: str, target: str, length: int) -> list[tuple[str, ...]]:
    """Kind sequences source -> ... -> target with `length` steps, no kind twice."""
    if length == 1:
        return [(source, target)]
    middles = [k for k in KINDS if k not in (source, target)]
    shorter = _paths(source, target, length - 1)
    return [(*p[:-1], m, target) for p in shorter for m in middles if m not in p]


def _plan(offers: list[Offer], path: tuple[str, ...], wanted: tuple[str | None, str | None],
          how: tuple[RoutingPolicy, Latency], rejected: list[Rejected]) -> Plan | None:
    (task, model), (policy, latency), steps = wanted, how, []
    for index, (source, target) in enumerate(itertools.pairwise(path)):
        last = index == len(path) - 2
        found, passed = gather(offers, source, target, task=task if last else None,
                               policy=policy, model=model if last else None)
        rejected.extend(passed)
        if not found:
            return None
        steps.append(Step(source, target, task if last else None,
                          tuple(order(found, policy, latency))))
    return Plan(path[0], path[-1], task, tuple(steps))


def _rank(plan: Plan, policy: RoutingPolicy, latency: Latency) -> tuple[Any, ...]:
    """The policy's keys of each step's best candidate, worst step first."""
    keys = [sort_key(step.candidates[0], policy, latency) for step in plan.steps]
    return tuple(sorted(keys, reverse=True))


def _unique(rejected: list[Rejected]) -> list[Rejected]:
    return list(dict.fromkeys(rejected))


def _nothing(source: str, target: str, task: str | None, model: str | None) -> str:
    job = f"{source} to {target}" + (f" ({task})" if task else "")
    named = f" with model {model!r}" if model else ""
    return (f"no configured model turns {job}{named}, in up to {MAX_STEPS} steps: add a "
            "provider that does it to mediaconduit.yaml, or allow paid models "
            "(routing.allow_paid: true)")
