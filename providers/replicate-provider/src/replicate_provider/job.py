"""One prediction followed to its end: created (with `Prefer: wait`), polled with backoff,
its logs reported as progress, cancelled upstream when the caller gives up."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk import (
    MediaConduitError,
    ProviderError,
    on_cancel,
    report_job,
    report_progress,
)
from mediaconduit.sdk.calls import current_call
from replicate_provider.api import ReplicateAPI
from replicate_provider.catalog import Spec
from replicate_provider.errors import PredictionFailedError
from replicate_provider.logs import LogFollower
from replicate_provider.settings import JobSettings

TERMINAL = frozenset({"succeeded", "failed", "canceled"})


class CancelledCall(ProviderError):
    """The caller gave up; the prediction was cancelled upstream."""


class Job:
    """A prediction and what has been seen of it. `cancel_upstream` is thread-safe."""

    def __init__(self, api: ReplicateAPI, spec: Spec, settings: JobSettings) -> None:
        self.api, self.spec, self.settings = api, spec, settings
        self.body: dict[str, Any] = {}
        self.logs = LogFollower()
        self.status = ""
        self.early = False
        self._cancel_lock = threading.Lock()
        self._seen_lock = threading.Lock()
        self._cancel_sent = False

    @property
    def id(self) -> str:
        return str(self.body.get("id") or "")

    def url(self, name: str) -> str | None:
        urls = self.body.get("urls")
        value = urls.get(name) if isinstance(urls, Mapping) else None
        return str(value) if value else None

    def start(self, input: Mapping[str, Any], *, wait: int, stream: bool = False) -> None:
        """Create the prediction and arrange its upstream cancel."""
        if current_call().cancelled:
            raise CancelledCall(f"cancelled before {self.spec.info.id} was started")
        self.seen(self.api.create(self.spec, input, wait=wait, stream=stream))
        # Done within the hold, Replicate answers `processing` with the output (and the
        # official client takes that as the end). Files are whole then; text may not be.
        self.early = (self.status == "processing" and self.body.get("output") is not None
                      and self.spec.output != "text")
        on_cancel(self.cancel_upstream)  # at once if the caller gave up while we waited

    def seen(self, body: dict[str, Any]) -> None:
        """Take in a prediction body: report a new status and the new log lines."""
        with self._seen_lock:  # the cancel hook calls this from another thread
            self.body = body
            self.logs.update(body.get("logs"))
            status = str(body.get("status") or "")
            if status != self.status:
                self.status = status
                report_progress(message=f"replicate prediction {self.id} {status}")
                if self.id:  # the host records it: `mediaconduit jobs` finds it later
                    report_job(self.id, status, model=self.spec.info.id,
                               get=self.url("get"), cancel=self.url("cancel"))

    def follow(self) -> dict[str, Any]:
        """Poll until the prediction ends (or a `Prefer: wait` answer already has output)."""
        delay = self.settings.poll_interval
        while not (self.early or self.status in TERMINAL):
            if current_call().wait(delay):
                self.cancel_upstream()
                raise CancelledCall(f"cancelled; Replicate prediction {self.id} was "
                                    "cancelled upstream")
            self.seen(self.api.get(self.url("get") or f"v1/predictions/{self.id}"))
            delay = min(delay * 2, self.settings.max_poll_interval)
        return self.body

    def finish(self) -> dict[str, Any]:
        """The last body after a download: one more look if it was not terminal yet."""
        if self.status not in TERMINAL and self.id:
            with contextlib.suppress(MediaConduitError):  # the outputs are in hand already
                self.seen(self.api.get(self.url("get") or f"v1/predictions/{self.id}"))
        return self.body

    def check(self) -> None:
        """Raise the typed error of a failed or canceled prediction."""
        if self.status == "failed":
            raise self.failure(self.body.get("error"))
        if self.status == "canceled" and self._cancel_sent:
            raise CancelledCall(f"cancelled; Replicate prediction {self.id} was cancelled "
                                "upstream")
        if self.status == "canceled":
            raise ProviderError(f"Replicate prediction {self.id} of {self.spec.info.id} "
                                "was canceled")

    def failure(self, error: Any) -> PredictionFailedError:
        lines = self.logs.tail(self.settings.log_lines)
        tail = "".join(f"\n  | {line}" for line in lines)
        logs = f"\nlast log lines:{tail}" if tail else " (no logs)"
        return PredictionFailedError(
            f"Replicate prediction {self.id} of {self.spec.info.id} failed: "
            f"{error or 'no error message'}{logs}")

    def cancel_upstream(self) -> None:
        """`POST urls.cancel`, once (the cancel hook; also called after a cancelled wait)."""
        with self._cancel_lock:  # a second caller waits until the cancel is delivered
            if self._cancel_sent or not self.id or self.status in TERMINAL:
                return
            self._cancel_sent = True
            self.seen(self.api.cancel(self.url("cancel") or f"v1/predictions/{self.id}/cancel"))

    def metadata(self) -> dict[str, Any]:
        """The upstream prediction id and status (what a host-side job record needs),
        and the rest of what Replicate said about it under `replicate`."""
        keys = ("model", "version", "created_at", "started_at", "completed_at", "metrics",
                "urls")
        data = {k: self.body.get(k) for k in keys if self.body.get(k) is not None}
        return {"provider": "replicate", "prediction_id": self.id,
                "prediction_status": self.status, "replicate": data}
