"""Candidates: the configured providers' models that fit one step, and the policy's order.

A model fits a step from kind A to kind B when it has the capability `A-to-B`
and does the step's task: the task asked for, or, when none is, the natural
task of that capability (`audio-to-text` -> `automatic-speech-recognition`), so
FFmpeg's `probe` (video-to-text, task `probe`) never passes for a transcript.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from mediaconduit.project.settings import RoutingPolicy
from mediaconduit.sdk.models import ModelInfo, derived_task

if TYPE_CHECKING:
    from mediaconduit.handles import ProviderHandle


@dataclasses.dataclass(frozen=True)
class Candidate:
    """One model of one provider, able to do one step."""

    provider: ProviderHandle
    model: ModelInfo
    task: str
    pinned: bool = False

    @property
    def label(self) -> str:
        return f"{self.provider.id}:{self.model.id}"

    def describe(self) -> dict[str, Any]:
        return {"provider": self.provider.id, "model": self.model.id, "task": self.task,
                "type": self.provider.type, "free": bool(self.model.free),
                "pinned": self.pinned, "price": _text(price(self.model))}


@dataclasses.dataclass(frozen=True)
class Rejected:
    """A model that fits a step but was passed over, and why."""

    provider: str
    model: str
    reason: str

    def describe(self) -> dict[str, str]:
        return {"provider": self.provider, "model": self.model, "reason": self.reason}


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def fits(info: ModelInfo, source: str, target: str, task: str | None) -> str | None:
    """The task `info` does for the step `source` -> `target`, or None when it does not fit."""
    capability = f"{source}-to-{target}"
    if capability not in info.capabilities:
        return None
    wanted = task or derived_task(capability)
    return wanted if wanted in info.tasks else None


def price(info: ModelInfo) -> Decimal | None:
    """A comparable price: a call of 1,000 tokens each way, plus per request and per image.
    None when nothing is listed or a price is variable."""
    pricing = info.pricing
    if pricing is None:
        return Decimal(0) if info.free else None
    parts = [pricing.prompt, pricing.completion, pricing.request, pricing.image]
    if not any(p is not None for p in parts) or any(p is not None and p < 0 for p in parts):
        return Decimal(0) if info.free else None
    tokens = (pricing.prompt or 0) * 1000 + (pricing.completion or 0) * 1000
    return Decimal(tokens) + (pricing.request or 0) + (pricing.image or 0)


class Latency:
    """Observed seconds per call of each candidate (an exponential moving average)."""

    def __init__(self, weight: float = 0.3) -> None:
        self.weight = weight
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def record(self, label: str, seconds: float) -> None:
        with self._lock:
            old = self._seen.get(label)
            self._seen[label] = seconds if old is None else old + self.weight * (seconds - old)

    def get(self, label: str) -> float | None:
        return self._seen.get(label)


def sort_key(candidate: Candidate, policy: RoutingPolicy, latency: Latency) -> tuple[Any, ...]:
    """Pinned first, then each preference of the policy in turn."""
    return (not candidate.pinned,
            *(_score(preference, candidate, latency) for preference in policy.prefer))


def order(candidates: Iterable[Candidate], policy: RoutingPolicy,
          latency: Latency) -> list[Candidate]:
    """Best first by `sort_key`; ties keep the project's order."""
    return sorted(candidates, key=lambda c: sort_key(c, policy, latency))


def _score(preference: str, candidate: Candidate, latency: Latency) -> Any:
    if preference == "local":
        return candidate.provider.type != "local"
    if preference == "free":
        return is_paid(candidate.provider, candidate.model)
    if preference == "cheapest":
        cost = price(candidate.model)
        return math.inf if cost is None else float(cost)
    seconds = latency.get(candidate.label)  # "fastest"
    return math.inf if seconds is None else seconds


def gather(handles: Iterable[tuple[ProviderHandle, list[ModelInfo]]], source: str, target: str,
           *, task: str | None, policy: RoutingPolicy, model: str | None = None,
           ) -> tuple[list[Candidate], list[Rejected]]:
    """Every model that fits the step, split into candidates and those the policy refuses."""
    pinned = policy.pinned(task or derived_task(f"{source}-to-{target}"))
    found: list[Candidate] = []
    rejected: list[Rejected] = []
    for handle, infos in handles:
        for info in infos:
            did = fits(info, source, target, task)
            if did is None or not _named(model, handle.id, info.id):
                continue
            is_pinned = pinned == (handle.id, info.id)
            if is_paid(handle, info) and not policy.allow_paid and not is_pinned:
                rejected.append(Rejected(handle.id, info.id,
                                         "paid, and routing.allow_paid is false"))
                continue
            found.append(Candidate(handle, info, did, is_pinned))
    return found, rejected


def is_paid(handle: ProviderHandle, info: ModelInfo) -> bool:
    """A remote model not marked free may cost money; a local provider's models run here."""
    return not info.free and handle.type != "local"


def _named(model: str | None, provider_id: str, model_id: str) -> bool:
    """`model=` may name `MODEL` or `PROVIDER:MODEL`."""
    return model is None or model in (model_id, f"{provider_id}:{model_id}")
