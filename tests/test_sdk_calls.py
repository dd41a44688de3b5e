"""The current call's progress, cancellation, job reports and interruptible waits."""

from __future__ import annotations

import threading
import time

from mediaconduit.sdk import calls
from mediaconduit.sdk.calls import CallContext, JobUpdate, Progress


def in_call(context: CallContext, fn: object) -> None:
    token = calls.enter_call(context)
    try:
        fn()  # type: ignore[operator]
    finally:
        calls.leave_call(token)


def test_progress_and_jobs_reach_their_sinks_in_order() -> None:
    seen: list[object] = []
    jobs: list[object] = []
    context = CallContext(seen.append, jobs.append)
    in_call(context, lambda: (calls.report_progress(0.5, "half"), calls.report_progress(2),
                              calls.report_job("p-1", "starting", url="u")))
    assert seen == [Progress(0.5, "half"), Progress(1.0, None)]
    assert jobs == [JobUpdate("p-1", "starting", {"url": "u"})] and context.job_reported


def test_outside_a_call_nothing_is_reported_or_cancelled() -> None:
    calls.report_progress(0.5)
    calls.on_cancel(lambda: (_ for _ in ()).throw(AssertionError("never runs")))
    assert calls.cancelled() is False
    assert calls.wait(0.01) is False


def test_cancel_runs_each_hook_once_and_a_failing_hook_stops_no_other() -> None:
    ran: list[str] = []
    context = CallContext()
    context.on_cancel(lambda: 1 / 0)
    context.on_cancel(lambda: ran.append("second"))
    context.cancel()
    context.cancel()
    assert ran == ["second"] and context.cancelled
    context.on_cancel(lambda: ran.append("late"))  # registered after: runs at once
    assert ran == ["second", "late"]


def test_wait_wakes_at_once_on_cancel() -> None:
    context = CallContext()
    woke: list[float] = []

    def sleeper() -> None:
        started = time.monotonic()
        in_call(context, lambda: woke.append(calls.wait(30) and time.monotonic() - started))

    thread = threading.Thread(target=sleeper)
    thread.start()
    time.sleep(0.05)
    context.cancel()
    thread.join(5)
    assert woke and 0 < woke[0] < 1.0


def test_progress_after_cancel_is_dropped_but_job_reports_still_go() -> None:
    seen: list[object] = []
    context = CallContext(seen.append, seen.append)
    context.cancel()
    in_call(context, lambda: (calls.report_progress(0.1), calls.report_job("j", "canceled")))
    assert seen == [JobUpdate("j", "canceled", {})]
