"""Running a plan: each step's candidates in order, falling back before any output.

A candidate that fails with a transient error (unavailable, rate limited, crashed,
timed out, a budget refusal, anything of the error family but the ones below) is
replaced by the next. `RateLimitError` also puts the candidate in a cooldown until
its `retry_after` passes. `AuthenticationError`, `PaymentRequiredError` and a
provider that cannot load skip every model of that provider. `InvalidInputError`
stops: the input is wrong everywhere. A stream is never switched once it has given
output. Intermediate files of a chain are removed once the next step is done,
unless kept.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mediaconduit.errors import EnvironmentBuildError, GitError, ManifestError, OfflineError
from mediaconduit.routing.candidates import Candidate, Latency
from mediaconduit.routing.errors import NoRouteError
from mediaconduit.routing.planner import Plan, Step
from mediaconduit.sdk.assets import Asset, Media
from mediaconduit.sdk.errors import (
    AuthenticationError,
    InvalidInputError,
    MediaConduitError,
    PaymentRequiredError,
    ProviderLoadError,
    RateLimitError,
)
from mediaconduit.sdk.usage import Cost, Usage
from mediaconduit.worker.calls import TextStream

SKIP_PROVIDER = (AuthenticationError, PaymentRequiredError, ProviderLoadError, ManifestError,
                 EnvironmentBuildError, GitError, OfflineError)
DEFAULT_COOLDOWN = 30.0  # seconds, when a rate limit gives no retry_after


class Cooldowns:
    """Candidates resting after a rate limit, until a moment (monotonic seconds)."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def rest(self, label: str, seconds: float | None) -> None:
        with self._lock:
            self._until[label] = time.monotonic() + (seconds or DEFAULT_COOLDOWN)

    def left(self, label: str) -> float:
        return max(0.0, self._until.get(label, 0.0) - time.monotonic())


@dataclasses.dataclass
class Attempts:
    """What one routed call tried: every attempt, and the providers it gave up on."""

    tried: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    skipped_providers: set[str] = dataclasses.field(default_factory=set)

    def add(self, step: int, candidate: Candidate, reason: str, error: str | None = None,
            seconds: float | None = None) -> None:
        self.tried.append({"step": step, "provider": candidate.provider.id,
                           "model": candidate.model.id, "reason": reason, "error": error,
                           "seconds": seconds})


class Runner:
    """Runs plans with fallback, learning latencies and rate limits as it goes."""

    def __init__(self, latency: Latency, cooldowns: Cooldowns, outputs: Path) -> None:
        self.latency, self.cooldowns, self.outputs = latency, cooldowns, outputs

    def transform(self, plan: Plan, input: Asset, params: dict[str, Any], *,
                  timeout: float | None = None, on_progress: Callable[..., object] | None = None,
                  keep_intermediates: bool = False) -> Asset | list[Asset]:
        attempts, route, current = Attempts(), [], input
        spent: list[Asset] = []
        for index, step in enumerate(plan.steps, 1):
            last = index == len(plan.steps)
            kwargs = {**(params if last else {}), "timeout": timeout, "on_progress": on_progress}
            result, used = self._first_that_works(index, step, attempts, current, kwargs)
            route.append(_hop(index, step, used))
            previous, current = current, _single(result, last)
            spent.append(current)
            if not keep_intermediates and index > 1:
                self._drop(previous)
        return _annotated(result, route, attempts, spent)

    def _first_that_works(self, index: int, step: Step, attempts: Attempts, value: Asset,
                          kwargs: dict[str, Any]) -> tuple[Asset | list[Asset], Candidate]:
        for candidate in step.candidates:
            if self._passes(index, candidate, attempts):
                def run(c: Candidate = candidate) -> Asset | list[Asset]:
                    return c.provider.get_model(c.model.id).transform(value, **kwargs)

                outcome = self._try(index, candidate, attempts, run)
                if outcome is not None:
                    return outcome, candidate
        raise _no_route(step, attempts)

    def _passes(self, index: int, candidate: Candidate, attempts: Attempts) -> bool:
        if candidate.provider.id in attempts.skipped_providers:
            attempts.add(index, candidate, "skipped: its provider failed earlier in this call")
            return False
        resting = self.cooldowns.left(candidate.label)
        if resting > 0:
            attempts.add(index, candidate, f"cooling down after a rate limit ({resting:.0f} s)")
            return False
        return True

    def _try(self, index: int, candidate: Candidate, attempts: Attempts,
             call: Callable[[], Any]) -> Any:
        from mediaconduit.ledger.tags import tagged

        started = time.monotonic()
        try:
            with tagged(route=f"step {index}: {candidate.label}",
                        attempt=len(attempts.tried) + 1, task=candidate.task):
                result = call()
        except InvalidInputError:
            raise
        except MediaConduitError as error:
            self._failed(index, candidate, attempts, error, time.monotonic() - started)
            return None
        seconds = time.monotonic() - started
        self.latency.record(candidate.label, seconds)
        attempts.add(index, candidate, "ok", seconds=round(seconds, 6))
        return result

    def _failed(self, index: int, candidate: Candidate, attempts: Attempts,
                error: MediaConduitError, seconds: float) -> None:
        if isinstance(error, RateLimitError):
            self.cooldowns.rest(candidate.label, error.retry_after)
        if isinstance(error, SKIP_PROVIDER):
            attempts.skipped_providers.add(candidate.provider.id)
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        attempts.add(index, candidate, first_line, type(error).__name__, round(seconds, 6))

    def _drop(self, asset: Asset) -> None:
        """Remove an intermediate file this host made (never the user's own input)."""
        path = asset.path if isinstance(asset, Media) else None
        if path is not None and path.is_relative_to(self.outputs):
            path.unlink(missing_ok=True)

    def stream(self, plan: Plan, input: Asset, params: dict[str, Any], *,
               timeout: float | None = None,
               on_progress: Callable[..., object] | None = None) -> RoutedStream:
        """Earlier steps as transforms; the last one streamed from the first candidate
        that gives a first chunk."""
        head = dataclasses.replace(plan, steps=plan.steps[:-1])
        value = input
        if head.steps:
            done = self.transform(head, input, {}, timeout=timeout, on_progress=on_progress)
            value = _single(done, False)
        step, attempts = plan.steps[-1], Attempts()
        for candidate in step.candidates:
            if not self._passes(len(plan.steps), candidate, attempts):
                continue
            def start(c: Candidate = candidate) -> tuple[TextStream, str | None]:
                model = c.provider.get_model(c.model.id)
                return _opened(model.stream(value, timeout=timeout, on_progress=on_progress,
                                            **params))

            opened = self._try(len(plan.steps), candidate, attempts, start)
            if opened is not None:
                return RoutedStream(*opened, route=[_hop(len(plan.steps), step, candidate)],
                                    attempts=attempts.tried)
        raise _no_route(step, attempts)


def _opened(stream: TextStream) -> tuple[TextStream, str | None]:
    """A stream and its first chunk (None when it is empty): errors before it can fall back."""
    return stream, next(stream, None)


class RoutedStream:
    """The text of a routed stream; `.route`, `.attempts`, `.usage`, `.cost` as a result's."""

    def __init__(self, stream: TextStream, first: str | None, *, route: list[dict[str, Any]],
                 attempts: list[dict[str, Any]]) -> None:
        self._stream, self._first = stream, first
        self.route, self.attempts = route, attempts

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        return next(self._stream)

    @property
    def usage(self) -> Usage:
        return self._stream.usage

    @property
    def cost(self) -> Cost:
        return self._stream.cost

    @property
    def text(self) -> str:
        return self._stream.text

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> RoutedStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _hop(index: int, step: Step, candidate: Candidate) -> dict[str, Any]:
    return {"step": index, "provider": candidate.provider.id, "model": candidate.model.id,
            "task": candidate.task, "from": step.source, "to": step.target}


def _single(result: Asset | list[Asset], last: bool) -> Any:
    """An intermediate result of several outputs goes on as its first one."""
    return result[0] if isinstance(result, list) and not last else result


def _annotated(result: Asset | list[Asset], route: list[dict[str, Any]], attempts: Attempts,
               spent: list[Asset]) -> Asset | list[Asset]:
    """The result with its route and attempts in metadata, and a chain's total cost/usage."""
    items = result if isinstance(result, list) else [result]
    usage = sum((a.usage for a in spent[:-1]), Usage()) if len(route) > 1 else None
    cost = sum((a.cost for a in spent[:-1]), Cost()) if len(route) > 1 else None
    out = [dataclasses.replace(item, metadata={**item.metadata, "route": route,
                                                "attempts": attempts.tried},
                               usage=item.usage + usage if usage is not None else item.usage,
                               cost=item.cost + cost if cost is not None else item.cost)
           for item in items]
    return out if isinstance(result, list) else out[0]


def _no_route(step: Step, attempts: Attempts) -> NoRouteError:
    job = f"{step.source} to {step.target}" + (f" ({step.task})" if step.task else "")
    return NoRouteError(f"every candidate for {job} failed", attempts.tried, [])
