"""A local fal.ai: the queue API, the storage upload flow and the CDN on 127.0.0.1.

Faithful to the documented and recorded behaviour (MediaConduit's protocols.md,
sections 0, 6 and 12):

- `POST /{owner}/{app}[/{subpath}]` submits (`Authorization: Key ...`) and answers
  `{request_id, response_url, status_url, cancel_url, status: "IN_QUEUE"}`; the
  URLs name only owner/app, and only those URLs answer (polling under the subpath
  is a 404, as on fal).
- `GET .../requests/{id}/status?logs=1`: 202 `IN_QUEUE` with `queue_position`, 202
  `IN_PROGRESS` with `logs` (a list, `null` without `logs=1`), then 200 `COMPLETED`
  with `logs` and `metrics` (and `error`, `error_type` for a failed run). Each
  status poll moves a job one step, so tests never wait on a clock.
- `GET .../requests/{id}/status/stream?logs=1`: SSE, `data: <status JSON>` each
  time the status changes (a job moves one step per `fake.tick`), until
  `COMPLETED`; `: ping` comments between changes (unless `fake.pings` is False).
- `GET .../requests/{id}`: the result (model-specific JSON; headers
  `x-fal-request-id`, `x-fal-billable-units`), or the model's error with its status;
  400 while the job is not done.
- `PUT .../requests/{id}/cancel`: 202 `{"status": "CANCELLATION_REQUESTED"}`, 400
  `{"status": "ALREADY_COMPLETED"}` once done. Every cancel is recorded.
- `POST /storage/auth/token?storage_type=fal-cdn-v3` (key) gives `{token, token_type,
  base_url, expires_at}`; `POST /files/upload` (`Authorization: Bearer <token>`,
  raw body, `Content-Type`, `X-Fal-File-Name`) gives `{"access_url"}`.
- `GET /files/{name}` serves the outputs (made by the fake: real PNG and WAV
  bytes, an MP4 `ftyp` box) and the uploads, in chunks.
- Errors: 401 `{"detail": "Unauthorized"}`, 422 `{"detail": [{loc, msg, type}]}` for a
  missing required field, 404 `text/plain` for an unknown path; any answer can be
  scripted (`fake.script("submit", Reply(...))`).

No pytest in here: the host's tests import this file by path. The server
plumbing and the media files are the SDK's toolkit for fake upstreams
(`mediaconduit.sdk.fakes`).
"""

from __future__ import annotations

import dataclasses
import json
import struct
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mediaconduit.sdk.fakes import FakeHandler, FakeServer, RecordedRequest, png, wav

CATALOG = Path(__file__).resolve().parents[1] / "src" / "fal_provider" / "catalog.json"
DEFAULT_KEY = "fake-key-id:fake-key-secret-0123456789abcdef"
NOT_DONE = {"detail": "Request is still in progress"}
CHUNK = 64 * 1024


@dataclasses.dataclass(frozen=True)
class Reply:
    """A scripted answer: `status`, a JSON `body` (or `text`), extra `headers`."""

    status: int = 200
    body: Any = None
    text: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


def error_reply(status: int, detail: Any, **headers: str) -> Reply:
    named = tuple((name.replace("_", "-"), value) for name, value in headers.items())
    return Reply(status=status, body={"detail": detail}, headers=named)


@dataclasses.dataclass
class Plan:
    """How a job runs: queue positions, log lines, then done (or held until cancelled).

    `hold`: stay `IN_PROGRESS` until cancelled (or `fake.release(id)`). `result`:
    the result body instead of the default one; `error`: `(status, body)` of a
    failed run; `video_bytes`: the size of a video output.
    """

    positions: tuple[int, ...] = (1, 0)
    logs: tuple[str, ...] = ("Loading model", "Step 1/2", "Step 2/2")
    hold: bool = False
    result: Any = None
    error: tuple[int, Any] | None = None
    video_bytes: int = 2048
    inference_time: float = 1.25


@dataclasses.dataclass
class Job:
    request_id: str
    app: str
    model_id: str
    args: Mapping[str, Any]
    plan: Plan
    step: int = 0
    cancelled: bool = False
    released: bool = False

    @property
    def steps(self) -> int:
        return len(self.plan.positions) + len(self.plan.logs)

    @property
    def done(self) -> bool:
        if self.cancelled:
            return True
        return self.step >= self.steps and (not self.plan.hold or self.released)


class FakeFal(FakeServer):
    """The server. `start()`/`stop()` or a `with` block; `base_url` serves every host.

    A request's `body` is its JSON, else the raw bytes.
    """

    def __init__(self, key: str = DEFAULT_KEY, catalog: Path = CATALOG) -> None:
        super().__init__(_Handler)
        self.key = key
        self.entries: dict[str, Any] = json.loads(catalog.read_text(encoding="utf-8"))
        self.jobs: dict[str, Job] = {}
        self.cancels: dict[str, float] = {}
        self.files: dict[str, tuple[bytes, str]] = {}
        self.tokens: set[str] = set()
        self.plans: dict[str, Plan] = {}
        #: seconds between the steps of a job followed on its status stream
        self.tick = 0.01
        #: the longest a status stream stays open
        self.stream_limit = 30.0
        #: send `: ping` comments while the status stays the same (False: stay silent)
        self.pings = True

    def env(self) -> dict[str, str]:
        """The provider's declared variables pointing at this server."""
        return {"FAL_KEY": self.key, "FAL_QUEUE_URL": self.base_url,
                "FAL_RUN_URL": self.base_url, "FAL_REST_URL": self.base_url}

    def reset(self) -> None:
        with self._lock:
            super().reset()
            self.jobs.clear()
            self.cancels.clear()
            self.plans.clear()
            self.pings = True

    def script(self, endpoint: str, *replies: Reply) -> None:
        """Answer the next requests to `endpoint` (submit, status, result, cancel, token,
        upload, file) with these replies, in order."""
        super().script(endpoint, *replies)

    def plan(self, model_id: str, plan: Plan) -> None:
        """How the next jobs of `model_id` run."""
        self.plans[model_id] = plan

    def release(self, request_id: str) -> None:
        self.jobs[request_id].released = True

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        return [r for r in self.requests if endpoint_of(r.method, r.path) == endpoint]

    def wait_for_cancel(self, request_id: str, timeout: float = 5.0) -> float | None:
        self.wait_for(lambda: request_id in self.cancels, timeout=timeout)
        return self.cancels.get(request_id)

    def wait_for_status(self, state: str, timeout: float = 10.0) -> Job | None:
        """The first job seen in `state` (IN_PROGRESS, ...), waiting up to `timeout`."""
        def seen() -> Job | None:
            return next((j for j in list(self.jobs.values()) if _state(j) == state), None)

        self.wait_for(seen, timeout=timeout)
        return seen()

    def add_file(self, name: str, data: bytes, content_type: str) -> str:
        self.files[name] = (data, content_type)
        return f"{self.base_url}/files/{name}"


def endpoint_of(method: str, path: str) -> str:
    """The endpoint a request went to: submit, status, stream, result, cancel, token,
    upload, file (or unknown)."""
    parts = [p for p in path.split("/") if p]
    if path.startswith("/storage/auth/token"):
        return "token"
    if path == "/files/upload":
        return "upload"
    if parts[:1] == ["files"]:
        return "file"
    if "requests" in parts:
        tail = parts[parts.index("requests") + 2:]
        if tail == ["status", "stream"]:
            return "stream"
        return {"status": "status", "cancel": "cancel"}.get(tail[0] if tail else "", "result")
    return "submit" if method == "POST" else "unknown"


def _state(job: Job) -> str:
    if job.done:
        return "COMPLETED"
    return "IN_QUEUE" if job.step < len(job.plan.positions) else "IN_PROGRESS"


# --- media the fake makes ----------------------------------------------------------------


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A real (grey) PNG image."""
    return png(width, height)


def wav_bytes(seconds: float = 0.5, rate: int = 8000) -> bytes:
    """A real (silent) mono 16-bit WAV file."""
    return wav(seconds, rate)


def mp4_bytes(size: int) -> bytes:
    """An MP4 `ftyp` box padded to `size` bytes (enough for a type sniffer)."""
    box = struct.pack(">I", 24) + b"ftypisom" + struct.pack(">I", 512) + b"isomiso2mp41"
    return (box + b"\x00" * max(0, size - len(box)))[:max(size, len(box))]


# --- the HTTP side ----------------------------------------------------------------------


class _Handler(FakeHandler):
    fake: FakeFal
    methods = ("GET", "POST", "PUT")

    def decode_body(self, raw: bytes) -> Any:
        return _decode(raw, self.headers.get("content-type"))

    def serve(self, request: RecordedRequest) -> None:
        endpoint = endpoint_of(self.command, request.path)
        reply = self.fake.scripted(endpoint)
        if reply is not None:
            return self._reply(reply)
        self._route(endpoint, request, request.raw)

    def _route(self, endpoint: str, request: RecordedRequest, raw: bytes) -> None:
        if endpoint == "file":
            return self._file(request.path.split("/", 2)[2])
        if endpoint == "upload":
            return self._upload(request, raw)
        if not self._authorized(request):
            return self._reply(error_reply(401, "Unauthorized"))
        routes = {"token": self._token, "submit": self._submit, "status": self._status,
                  "stream": self._status_stream, "result": self._result,
                  "cancel": self._cancel}
        handler = routes.get(endpoint)
        if handler is None or (endpoint == "cancel" and self.command != "PUT"):
            return self._reply(Reply(404, text="Not Found"))
        handler(request)

    def _authorized(self, request: RecordedRequest) -> bool:
        return request.headers.get("authorization") == f"Key {self.fake.key}"

    # --- queue ---

    def _submit(self, request: RecordedRequest) -> None:
        model_id = request.path.strip("/")
        app = "/".join(model_id.split("/")[:2])
        if not isinstance(request.body, Mapping):
            return self._reply(error_reply(422, [{"loc": ["body"], "msg": "Input should be a "
                                                  "valid dictionary", "type": "dict_type"}]))
        missing = self._missing(model_id, request.body)
        if missing:
            return self._reply(error_reply(422, missing))
        job = Job(str(uuid.uuid4()), app, model_id, dict(request.body),
                  self.fake.plans.get(model_id, Plan()))
        self.fake.jobs[job.request_id] = job
        self._reply(Reply(200, {**self._urls(job), "status": "IN_QUEUE", "queue_position":
                                job.plan.positions[0] if job.plan.positions else 0}))

    def _missing(self, model_id: str, body: Mapping[str, Any]) -> list[dict[str, Any]]:
        entry = self.fake.entries.get(model_id) or {}
        params = entry.get("parameters") or {}
        return [{"loc": ["body", name], "msg": "Field required", "type": "missing"}
                for name, spec in params.items() if spec.get("required") and name not in body]

    def _urls(self, job: Job) -> dict[str, str]:
        base = f"{self.fake.base_url}/{job.app}/requests/{job.request_id}"
        return {"request_id": job.request_id, "response_url": base,
                "status_url": f"{base}/status", "cancel_url": f"{base}/cancel"}

    def _job(self, request: RecordedRequest) -> Job | None:
        parts = [p for p in request.path.split("/") if p]
        index = parts.index("requests")
        job = self.fake.jobs.get(parts[index + 1]) if len(parts) > index + 1 else None
        if job is None or "/".join(parts[:index]) != job.app:
            self._reply(Reply(404, text="Not Found"))
            return None
        return job

    def _status(self, request: RecordedRequest) -> None:
        job = self._job(request)
        if job is None:
            return
        with self.fake._lock:
            state = _state(job)
            body = self._status_body(job, state, request.query.get("logs") in ("1", "true"))
            job.step += 1
        self._reply(Reply(200 if state == "COMPLETED" else 202, body))

    def _status_body(self, job: Job, state: str, logs: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"status": state, "request_id": job.request_id,
                                "response_url": self._urls(job)["response_url"]}
        shown = max(0, min(job.step - len(job.plan.positions) + 1, len(job.plan.logs)))
        lines = [{"message": m, "level": "INFO", "source": "user",
                  "timestamp": f"2025-07-01T12:00:0{i}.000Z"}
                 for i, m in enumerate(job.plan.logs[:shown])]
        if state == "IN_QUEUE":
            body["queue_position"] = job.plan.positions[job.step]
        else:
            body["logs"] = lines if logs else None
        if state == "COMPLETED":
            body["metrics"] = {"inference_time": job.plan.inference_time}
            if job.plan.error is not None:
                body.update(error=str(job.plan.error[1]), error_type="model_error")
        return body

    def _status_stream(self, request: RecordedRequest) -> None:
        """SSE: the status each time it changes (one step per `fake.tick`) until done;
        a `: ping` comment now and then, so a client that left is noticed."""
        job = self._job(request)
        if job is None:
            return
        self.start_stream("text/event-stream", [("Cache-Control", "no-cache")], chunked=False)
        self._stream_events(job, request.query.get("logs") in ("1", "true"))

    def _stream_events(self, job: Job, logs: bool) -> None:
        last: Any = None
        deadline = time.monotonic() + self.fake.stream_limit
        while time.monotonic() < deadline:
            with self.fake._lock:
                state = _state(job)
                body = self._status_body(job, state, logs)
                job.step += 1
            if body != last:
                self.send_event(body)
            elif self.fake.pings:
                self.write(b": ping\n\n")
            last = body
            if state == "COMPLETED":
                return
            time.sleep(self.fake.tick)

    def _result(self, request: RecordedRequest) -> None:
        job = self._job(request)
        if job is None:
            return
        if job.cancelled:
            return self._reply(error_reply(400, "Request was cancelled"))
        if not job.done:
            return self._reply(Reply(400, NOT_DONE))
        if job.plan.error is not None:
            return self._reply(Reply(job.plan.error[0], job.plan.error[1]))
        result = job.plan.result if job.plan.result is not None else self._output(job)
        self._reply(Reply(200, result, headers=(("x-fal-billable-units", "1"),)),
                    request_id=job.request_id)

    def _cancel(self, request: RecordedRequest) -> None:
        job = self._job(request)
        if job is None:
            return
        self.fake.cancels.setdefault(job.request_id, time.monotonic())
        if job.done:
            return self._reply(Reply(400, {"status": "ALREADY_COMPLETED"}))
        job.cancelled = True
        self._reply(Reply(202, {"status": "CANCELLATION_REQUESTED"}))

    def _output(self, job: Job) -> dict[str, Any]:
        """The default result for the job's model, by its catalog category."""
        entry = self.fake.entries.get(job.model_id) or {}
        category = str(entry.get("category") or "text-to-image")
        name = job.request_id
        if category.endswith("-to-video"):
            data = mp4_bytes(job.plan.video_bytes)
            url = self.fake.add_file(f"{name}.mp4", data, "video/mp4")
            return {"video": {"url": url, "content_type": "video/mp4",
                              "file_name": f"{name}.mp4", "file_size": len(data)},
                    "seed": 42}
        if category in ("text-to-audio", "text-to-speech"):
            url = self.fake.add_file(f"{name}.wav", wav_bytes(), "audio/wav")
            return {"audio": {"url": url, "content_type": "audio/wav"}}
        if category in ("speech-to-text", "vision", "llm"):
            return {"text": f"heard {len(json.dumps(job.args))} bytes of input", "chunks": []}
        return self._images(job)

    def _images(self, job: Job) -> dict[str, Any]:
        count = int(job.args.get("num_images") or 1)
        images = [{"url": self.fake.add_file(f"{job.request_id}-{i}.png", png_bytes(), "image/png"),
                   "width": 4, "height": 3, "content_type": "image/png"} for i in range(count)]
        return {"images": images, "timings": {"inference": 0.75}, "seed": 976168300,
                "has_nsfw_concepts": [False] * count, "prompt": job.args.get("prompt")}

    # --- storage and files ---

    def _token(self, request: RecordedRequest) -> None:
        if request.query.get("storage_type") != "fal-cdn-v3":
            return self._reply(error_reply(422, [{"loc": ["query", "storage_type"],
                                                  "msg": "Field required", "type": "missing"}]))
        token = f"cdn-token-{uuid.uuid4().hex}"
        self.fake.tokens.add(token)
        self._reply(Reply(200, {"token": token, "token_type": "Bearer",
                                "base_url": self.fake.base_url,
                                "expires_at": "2099-01-01T00:00:00+00:00"}))

    def _upload(self, request: RecordedRequest, raw: bytes) -> None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or token not in self.fake.tokens:
            return self._reply(error_reply(401, "Unauthorized"))
        name = f"{uuid.uuid4().hex[:8]}-{request.headers.get('x-fal-file-name') or 'upload.bin'}"
        kind = request.headers.get("content-type") or "application/octet-stream"
        self._reply(Reply(200, {"access_url": self.fake.add_file(name, raw, kind)}))

    def _file(self, name: str) -> None:
        found = self.fake.files.get(name)
        if found is None:
            return self._reply(Reply(404, text="Not Found"))
        data, kind = found
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        for start in range(0, len(data), CHUNK):
            self.wfile.write(data[start:start + CHUNK])

    # --- answers ---

    def _reply(self, reply: Reply, request_id: str | None = None) -> None:
        headers = [("x-fal-request-id", request_id or str(uuid.uuid4())), *reply.headers]
        if reply.text is not None:
            return self.send_text(reply.status, reply.text, headers, "text/plain")
        self.send_json(reply.status, reply.body, headers)


def _decode(raw: bytes, content_type: str | None) -> Any:
    if content_type and content_type.startswith("application/json") and raw:
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


__all__ = ["DEFAULT_KEY", "FakeFal", "Plan", "RecordedRequest", "Reply", "endpoint_of",
           "error_reply", "mp4_bytes", "png_bytes", "wav_bytes"]
