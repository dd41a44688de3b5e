"""The call a provider is serving: its progress reports and its cancellation.

Standard library only. Inside `Model.transform` or `Model.stream` a provider calls

    report_progress(0.5, "denoising")     # fraction in 0..1, or None when unknown
    if cancelled(): ...                   # true once the caller gave up
    on_cancel(response.close)             # run at once when the caller gives up

The worker gives every call its own `CallContext`, found through a context
variable, so these functions need no argument. A thread the provider starts
itself sees the call when it runs in a copy of the context
(`contextvars.copy_context().run(fn)`) or is handed `current_call()`.
Outside a call (a provider's own tests, say) progress goes nowhere and nothing
is ever cancelled.
"""

from __future__ import annotations

import contextvars
import dataclasses
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Any


@dataclasses.dataclass(frozen=True)
class Progress:
    """One progress report: `fraction` done (0..1, None when unknown) and a `message`."""

    fraction: float | None = None
    message: str | None = None

    def to_dict(self) -> dict[str, float | str | None]:
        return {"fraction": self.fraction, "message": self.message}


@dataclasses.dataclass(frozen=True)
class JobUpdate:
    """An upstream job the call submitted: its id there, its status, and what else helps
    find it again (URLs, the upstream model). The host keeps a record of it."""

    job_id: str
    status: str
    details: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"job_id": self.job_id, "status": self.status, "details": dict(self.details)}


ProgressSink = Callable[[Progress], None]
JobSink = Callable[[JobUpdate], None]


class CallContext:
    """One call's progress sink and cancellation flag, shared with its cancel hooks."""

    def __init__(self, sink: ProgressSink | None = None, jobs: JobSink | None = None) -> None:
        self._sink, self._jobs = sink, jobs
        self._cancelled = threading.Event()
        self._hooks: list[Callable[[], object]] = []
        self._lock = threading.Lock()
        self.job_reported = False  # an upstream job the host keeps a record of

    def report(self, progress: Progress) -> None:
        if self._sink is not None and not self.cancelled:
            self._sink(progress)

    def job(self, update: JobUpdate) -> None:
        """An upstream job of this call (reported even once cancelled: its record matters)."""
        self.job_reported = True
        if self._jobs is not None:
            self._jobs(update)

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Sleep until cancelled or `timeout` passes; True when cancelled."""
        return self._cancelled.wait(timeout)

    def on_cancel(self, hook: Callable[[], object]) -> None:
        """Run `hook` when the call is cancelled (at once if it already is)."""
        with self._lock:
            if not self._cancelled.is_set():
                self._hooks.append(hook)
                return
        _run(hook)

    def cancel(self) -> None:
        """Mark the call cancelled and run its hooks, once."""
        with self._lock:
            if self._cancelled.is_set():
                return
            self._cancelled.set()
            hooks, self._hooks = self._hooks, []
        for hook in hooks:
            _run(hook)


def _run(hook: Callable[[], object]) -> None:
    """A failing hook must not stop the others, nor the worker."""
    try:
        hook()
    except Exception as error:
        print(f"mediaconduit: a cancel hook failed: {error!r}", file=sys.stderr, flush=True)


_NO_CALL = CallContext()
_current: contextvars.ContextVar[CallContext] = contextvars.ContextVar(
    "mediaconduit_call", default=_NO_CALL)


def current_call() -> CallContext:
    """The call being served (a context that never reports nor cancels outside one)."""
    return _current.get()


def enter_call(context: CallContext) -> contextvars.Token[CallContext]:
    return _current.set(context)


def leave_call(token: contextvars.Token[CallContext]) -> None:
    _current.reset(token)


def report_progress(fraction: float | None = None, message: str | None = None) -> None:
    """Tell the caller how far the current call is; `fraction` in 0..1 or None."""
    if fraction is not None:
        fraction = min(1.0, max(0.0, float(fraction)))
    current_call().report(Progress(fraction, None if message is None else str(message)))


def report_job(job_id: str, status: str, **details: Any) -> None:
    """Tell the host about an upstream job this call submitted (call it as soon as the job
    exists, and again when its status changes). The host writes a record to its cache at
    once, so a job outlives a host that dies mid-call: `mediaconduit jobs list` shows it,
    `jobs cancel` and `jobs fetch` reach it through `Provider.cancel_job`/`fetch_job`."""
    current_call().job(JobUpdate(str(job_id), str(status), details))


def wait(seconds: float) -> bool:
    """Sleep up to `seconds`, waking at once if the current call is cancelled; True then.
    Use it for backoff and polling delays, so a cancel never waits out a sleep."""
    context = current_call()
    if context is _NO_CALL:
        import time

        time.sleep(max(0.0, seconds))
        return False
    return context.wait(max(0.0, seconds))


def cancelled() -> bool:
    """True once the caller has cancelled the current call (timeout, Ctrl-C, closed stream)."""
    return current_call().cancelled


def on_cancel(hook: Callable[[], object]) -> None:
    """Run `hook` (no arguments) when the current call is cancelled: close a connection,
    cancel an upstream job. It runs on another thread, at once if already cancelled."""
    context = current_call()
    if context is not _NO_CALL:  # outside a call nothing is ever cancelled: keep nothing
        context.on_cancel(hook)
