"""A fake paid upstream for cancellation tests: jobs that finish only when told.

`GET /wait/<job>` holds the request open until `POST /cancel/<job>` (the client
giving up, as a provider's cancel hook does) or `POST /finish/<job>`, at most
`hold` seconds. The server records when each cancel arrived, so a test can
prove that the upstream saw it, and how soon.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from tests.helpers.loopback import LoopbackServer, QuietHandler


class JobUpstream:
    def __init__(self, hold: float = 20.0) -> None:
        self.hold = hold
        self.cancelled: dict[str, float] = {}  # job -> monotonic time the cancel arrived
        self.waiting: set[str] = set()
        self._released: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self.server = LoopbackServer(self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> JobUpstream:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _event(self, job: str) -> threading.Event:
        with self._lock:
            return self._released.setdefault(job, threading.Event())

    def wait_for_cancel(self, job: str, timeout: float = 5.0) -> float | None:
        """When the cancel of `job` arrived (monotonic), waiting up to `timeout`; else None."""
        deadline = time.monotonic() + timeout
        while job not in self.cancelled and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.cancelled.get(job)

    def wait_for_job(self, job: str, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while job not in self.waiting and time.monotonic() < deadline:
            time.sleep(0.01)
        return job in self.waiting

    def _handler(self) -> type[QuietHandler]:
        upstream = self

        class Handler(QuietHandler):
            def serve(self) -> None:
                _, verb, job = self.path.split("/", 2)
                if verb == "wait":
                    upstream.waiting.add(job)
                    finished = upstream._event(job).wait(upstream.hold)
                    body = b"finished" if finished and job not in upstream.cancelled else b"late"
                else:
                    if verb == "cancel":
                        upstream.cancelled.setdefault(job, time.monotonic())
                    upstream._event(job).set()
                    body = b"ok"
                self._reply(body)

            def _reply(self, body: bytes, **_: Any) -> None:
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
