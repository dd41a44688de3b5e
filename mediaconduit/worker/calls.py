"""One request in flight to a worker: its replies, progress, deadline and cancellation.

A `Call` is made once its request is sent. `next_reply()` waits for the next reply
that is not a progress report (delivering those to `on_progress` on the way), and
gives up at the call's deadline with `TransformTimeoutError`. `cancel()` tells the
worker (the provider sees `cancelled()` and its `on_cancel` hooks run) and wakes
whoever waits. `finish()` cancels a call that has not ended, so Ctrl-C, a closed
stream or an abandoned asyncio task never leave work running in the worker.
"""

from __future__ import annotations

import contextlib
import queue
import time
from collections.abc import Callable, Iterator
from typing import Any

from mediaconduit.sdk.calls import Progress
from mediaconduit.sdk.errors import MediaConduitError, TransformTimeoutError, error_from_dict
from mediaconduit.sdk.usage import Cost, Usage

ProgressCallback = Callable[[Progress], object]
_ABANDONED: dict[str, Any] = {"abandoned": True}


class Abandoned(Exception):
    """The caller cancelled the call while a thread still waited for it."""


class Call:
    """A sent request: read its replies until the result, an error, the deadline or a cancel."""

    def __init__(self, label: str, op: str, replies: queue.SimpleQueue[dict[str, Any]],
                 send_cancel: Callable[[], None], forget: Callable[[], None], *,
                 timeout: float | None = None, on_progress: ProgressCallback | None = None,
                 on_job: Callable[[dict[str, Any]], object] | None = None) -> None:
        self.label, self.op = label, op
        self.replies = replies
        self.timeout = timeout
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.on_progress = on_progress
        self.on_job = on_job
        self._send_cancel, self._forget = send_cancel, forget
        self.ended = False

    def next_reply(self) -> dict[str, Any]:
        """The next result, chunk, end or error reply; typed errors are raised here."""
        while True:
            reply = self._get()
            if reply is _ABANDONED:
                raise Abandoned(self.op)
            if "progress" in reply:
                self._progress(reply["progress"])
                continue
            if "job" in reply:
                if self.on_job is not None:
                    self.on_job(reply["job"])
                continue
            if "error" in reply:
                self.ended = True
                raise error_from_dict(reply["error"])
            self.ended = self.ended or "result" in reply or "end" in reply
            return reply

    def _get(self) -> dict[str, Any]:
        if self.deadline is None:
            return self.replies.get()
        try:
            return self.replies.get(timeout=max(0.0, self.deadline - time.monotonic()))
        except queue.Empty:
            self.cancel()
            raise TransformTimeoutError(
                f"{self.label} did not finish {self.op!r} within {self.timeout:g} s; it was "
                "cancelled (give a larger timeout= if the job needs longer)",
                self.timeout) from None

    def _progress(self, data: dict[str, Any]) -> None:
        if self.on_progress is not None:
            self.on_progress(Progress(data.get("fraction"), data.get("message")))

    def result(self) -> Any:
        return self.next_reply().get("result")

    def cancel(self) -> None:
        """Tell the worker to stop this call and wake a thread that waits for it."""
        if self.ended:
            return
        self.ended = True
        with contextlib.suppress(OSError, MediaConduitError):  # the worker may be gone
            self._send_cancel()
        self.replies.put(_ABANDONED)

    def finish(self) -> None:
        """Done with this call: cancel it if it has not ended, stop routing its replies."""
        self.cancel()
        self._forget()


class TextStream:
    """The chunks of a streamed call; `.usage` and `.cost` are set once it has ended.

    Closing it early (`close()`, leaving a `with` block or a `for` loop with
    `break` then dropping it) cancels the call in the worker. An error that ends
    it after some output carries that output as `.partial`.
    """

    def __init__(self, call: Call) -> None:
        self._call = call
        self._done = False
        self._parts: list[str] = []
        self.usage = Usage()
        self.cost = Cost()

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self._done:
            raise StopIteration
        try:
            reply = self._call.next_reply()
        except MediaConduitError as error:
            self._end()
            error.partial = "".join(self._parts)
            raise
        except BaseException:
            self._end()
            raise
        if "end" in reply:
            self.usage = Usage.from_dict(reply.get("usage"))
            self.cost = Cost.from_dict(reply.get("cost"))
            self._end()
            raise StopIteration
        self._parts.append(reply["chunk"])
        return str(reply["chunk"])

    @property
    def text(self) -> str:
        """Everything streamed so far."""
        return "".join(self._parts)

    def _end(self) -> None:
        self._done = True
        self._call.finish()

    def close(self) -> None:
        """Stop the stream now; the worker is told to cancel it."""
        self._end()

    def __enter__(self) -> TextStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._call.finish()
