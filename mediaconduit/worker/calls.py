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
import os
import queue
import time
from collections.abc import Callable, Iterator
from typing import Any

from mediaconduit.sdk.calls import Progress
from mediaconduit.sdk.errors import (
    MediaConduitError,
    ProviderBugError,
    ProviderCrashedError,
    TransformTimeoutError,
    error_from_dict,
)
from mediaconduit.sdk.usage import Cost, Usage

ProgressCallback = Callable[[Progress], object]
_ABANDONED: dict[str, Any] = {"abandoned": True}
_REPLY_KINDS = {"result": object, "error": dict, "chunk": str, "end": object, "progress": dict,
                "job": dict}
ASSET_OPS = frozenset({"transform", "fetch_job"})
_KINDS = frozenset({"text", "image", "audio", "video"})


def reply_problem(message: dict[str, Any]) -> str | None:
    """What makes a frame from a serving worker unusable, or None when it is a reply."""
    rid = message.get("id")
    if type(rid) is not int:
        return f"a frame whose id is {type(rid).__name__}, not an integer"
    kinds = [key for key in _REPLY_KINDS if key in message]
    if len(kinds) != 1:
        return f"a reply to request {rid} with {' and '.join(kinds) or 'no result'}"
    value = message[kinds[0]]
    if not isinstance(value, _REPLY_KINDS[kinds[0]]):
        return f"a reply to request {rid} whose {kinds[0]} is a {type(value).__name__}"
    return None


def asset_problem(data: object) -> str | None:
    """What makes a transform's result unreadable, or None; media paths are checked by
    `path_problem`, a `ProviderBugError` rather than a broken protocol."""
    items = data.get("assets") if isinstance(data, dict) and "assets" in data else [data]
    if not isinstance(items, list) or not items:
        return "a result whose assets are not a non-empty list"
    for item in items:
        if not isinstance(item, dict) or item.get("kind") not in _KINDS:
            kind = item.get("kind") if isinstance(item, dict) else type(item).__name__
            return f"a result of unknown asset kind {kind!r}"
        if item["kind"] == "text":
            if not isinstance(item.get("text"), str):
                return "a text result without text"
        elif not isinstance(item.get("path") or item.get("url"), str):
            return f"an {item['kind']} result with neither a path nor a URL"
    return None


def path_problem(data: dict[str, Any], outputs: str) -> str | None:
    """A media path outside the call's output folder (`<outputs>/call-*/`), or missing."""
    for item in data.get("assets", [data]):
        path = item.get("path")
        if not path:
            continue
        real = os.path.realpath(path)
        inside = os.path.relpath(real, outputs).split(os.sep)
        if len(inside) < 2 or not inside[0].startswith("call-"):
            return (f"returned the path {path!r}, which is not inside its call's output "
                    f"folder under {outputs}")
        if not os.path.isfile(real):
            return f"returned the path {path!r}, which does not exist"
    return None


class Abandoned(Exception):
    """The caller cancelled the call while a thread still waited for it."""


class Call:
    """A sent request: read its replies until the result, an error, the deadline or a cancel."""

    def __init__(self, label: str, op: str, replies: queue.SimpleQueue[dict[str, Any]],
                 send_cancel: Callable[[], None], forget: Callable[[], None], *,
                 timeout: float | None = None, on_progress: ProgressCallback | None = None,
                 on_job: Callable[[dict[str, Any]], object] | None = None,
                 outputs: str | None = None,
                 violated: Callable[[str], ProviderCrashedError] | None = None) -> None:
        self.label, self.op = label, op
        self.outputs, self._violated = outputs, violated
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
        reply = self.next_reply()
        if "result" not in reply:
            self._broken(f"a {next(iter(reply.keys() - {'id'}), 'reply')} where the result "
                         f"of {self.op!r} was expected")
        value = reply["result"]
        if self.op in ASSET_OPS and self.outputs is not None:
            self._check_assets(value, self.outputs)
        return value

    def _check_assets(self, value: Any, outputs: str) -> None:
        problem = asset_problem(value)
        if problem is not None:
            self._broken(problem)
        if "path" in value or "assets" in value:
            problem = path_problem(value, outputs)
            if problem is not None:
                raise ProviderBugError(f"{self.label}: {self.op} {problem}")

    def _broken(self, violation: str) -> None:
        if self._violated is None:
            raise ProviderCrashedError(f"the worker of {self.label} sent {violation}")
        raise self._violated(f"sent {violation}")

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
        if "chunk" not in reply:
            self._end()
            self._call._broken("a result where a stream's chunk was expected")
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
