"""A local Replicate: the predictions, models and files API on 127.0.0.1, for tests.

Faithful to the documented and recorded behaviour (MediaConduit's protocols.md,
§0, §5 and §12):

- `POST /v1/models/{owner}/{name}/predictions` (official models) and
  `POST /v1/predictions` (`version`) answer **201** with `status: starting`, `urls.get`,
  `urls.cancel` (and `urls.stream` for text models or `"stream": true`).
- `Prefer: wait=N` (or `wait`, 60 s) holds the create call until the run is done or N
  seconds pass. Done in time, the answer carries `output` while `status` is still
  `processing` (as recorded); past N it is the in-progress prediction as `starting`.
- `GET /v1/predictions/{id}` walks `starting` → `processing` → `succeeded`/`failed`;
  `logs` grows with tqdm-style lines; `completed_at`, `metrics.predict_time` and
  `output` appear at the end. `POST .../cancel` answers 200 `canceled` with metrics.
- `GET` of `urls.stream` (`Accept: text/event-stream`) sends `output`, `logs`, `done` and
  `error` events, each with an `id:` line (the official client needs it).
- `GET /v1/models/{owner}/{name}` (and `/versions/{id}`) with `latest_version.openapi_schema`.
- `POST /v1/files` (multipart field `content`) answers 201 with the file object.
- Errors are `application/problem+json`; a bad input is 422 with `invalid_fields`.
- Output files are served by the fake itself under `/delivery/...`.

Every request is recorded (`requests`, `requests_to`), so tests can count them and see
the cancel. `script(endpoint, Reply(...))` queues error answers for an endpoint:
`create`, `get`, `cancel`, `model`, `files`, `stream`, `delivery`.

    with FakeReplicate(token="r8_...") as fake:
        fake.set_job("black-forest-labs/flux-schnell", Job(seconds=0.3))
        ...                                 # REPLICATE_BASE_URL=fake.base_url

The server plumbing is the SDK's toolkit for fake upstreams (`mediaconduit.sdk.fakes`).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import random
import string
import struct
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

from fake_replicate_models import PINNED_MODEL, TEXT_MODEL, FakeModel, all_models

from mediaconduit.sdk.fakes import FakeHandler, FakeServer, png, sse
from mediaconduit.sdk.fakes import RecordedRequest as _Recorded

DEFAULT_TOKEN = "r8_fake" + "0123456789abcdef" * 2
TERMINAL = ("succeeded", "failed", "canceled")
UNAUTHENTICATED = {"title": "Unauthenticated",
                   "detail": "You did not pass a valid authentication token", "status": 401}
CHUNK = 1 << 16


def tiny_png(width: int = 4, height: int = 4) -> bytes:
    """A real PNG (solid orange)."""
    return png(width, height, pixel=b"\xff\x88\x00")


#: an MP4's first box (`ftyp isom`) and some payload: enough for a content sniffer
TINY_MP4 = struct.pack(">I", 24) + b"ftypisom\0\0\2\0isommp41" + b"\0" * 1000
TINY_WAV = (b"RIFF" + struct.pack("<I", 36 + 800) + b"WAVEfmt " + struct.pack(
    "<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16) + b"data" + struct.pack("<I", 800) + b"\0" * 800)
FILES = {"png": ("image/png", tiny_png()), "mp4": ("video/mp4", TINY_MP4),
         "wav": ("audio/wav", TINY_WAV)}


@dataclasses.dataclass(frozen=True)
class Job:
    """How the fake runs a prediction.

    `seconds`: from creation to the end; `starting`: time spent `starting` first.
    `output`: the final output (None: made from the model's output kind and input;
    a string such as `"big:209715200"` is served as a generated file of that size).
    `error`: the run fails with this message. `logs`: lines written over the run
    (None: seed and tqdm progress lines). `data_uri`: outputs as `data:` URIs.
    `wait_status`: the status a `Prefer: wait` answer that finished in time shows, and
    `wait_code` its HTTP status (201; one recording answered 202).
    """

    seconds: float = 0.1
    starting: float = 0.02
    output: Any = None
    error: str | None = None
    logs: tuple[str, ...] | None = None
    data_uri: bool = False
    wait_status: str = "processing"
    wait_code: int = 201
    tokens: tuple[str, ...] = ("Once", " upon", " a", " time", ".")


@dataclasses.dataclass(frozen=True)
class Reply:
    """A scripted error answer (`body` JSON, as `application/problem+json`)."""

    status: int
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()


def problem(status: int, detail: str, title: str | None = None, **extra: Any) -> Reply:
    body = {"detail": detail, "status": status, **({"title": title} if title else {}), **extra}
    return Reply(status, body)


def rate_limited(retry_after: float = 0.05) -> Reply:
    body = {"title": "Too Many Requests", "detail": "Request was throttled.", "status": 429}
    return Reply(429, body, (("Retry-After", f"{retry_after:g}"),))


def server_error(status: int = 500) -> Reply:
    return problem(status, "Internal server error", "Internal Server Error")


@dataclasses.dataclass(frozen=True)
class RecordedRequest(_Recorded):
    """What the server saw: header names lower case; `body` the JSON or None."""

    @property
    def endpoint(self) -> str:
        return endpoint_of(self.method, self.path)


def endpoint_of(method: str, path: str) -> str:
    """The name of the endpoint a request goes to (the keys `script` takes)."""
    parts = path.strip("/").split("/")
    if parts[0] == "delivery":
        return "delivery"
    if parts[0] == "stream":
        return "stream"
    tail = parts[1:]
    if tail[:1] == ["files"]:
        return "files"
    if tail[:1] == ["predictions"]:
        if method == "POST" and len(tail) == 1:
            return "create"
        return "cancel" if tail[-1] == "cancel" else ("list" if len(tail) == 1 else "get")
    if tail[:1] == ["models"]:
        return "create" if tail[-1] == "predictions" else "model"
    return "unknown"


class Prediction:
    """One prediction's state; its status follows the clock unless it was canceled."""

    def __init__(self, fake: FakeReplicate, model: FakeModel, input: Mapping[str, Any],
                 job: Job, stream: bool, official: bool) -> None:
        self.id = "".join(random.choices(string.ascii_lowercase + string.digits, k=26))
        self.fake, self.model, self.input, self.job = fake, model, dict(input), job
        self.stream = stream or model.makes_text
        self.version = "dp-" + self.id[:32] if official else model.version_id
        self.created = time.monotonic()
        self.created_at = _now()
        self.canceled_at: float | None = None

    def elapsed(self) -> float:
        end = self.canceled_at if self.canceled_at is not None else time.monotonic()
        return end - self.created

    def run_time(self) -> float:
        """Seconds it ran: until it was canceled or done (not until it was asked)."""
        return min(self.elapsed(), self.job.seconds)

    def status(self) -> str:
        if self.canceled_at is not None:
            return "canceled"
        elapsed = self.elapsed()
        if elapsed < self.job.starting:
            return "starting"
        if elapsed < self.job.seconds:
            return "processing"
        return "failed" if self.job.error else "succeeded"

    def done_at(self) -> float:
        return self.created + self.job.seconds

    def log_lines(self) -> list[str]:
        lines = list(self.job.logs) if self.job.logs is not None else self.default_logs()
        if self.status() in TERMINAL:
            return lines
        span = max(self.job.seconds - self.job.starting, 1e-6)
        fraction = max(0.0, self.elapsed() - self.job.starting) / span
        return lines[: int(len(lines) * min(fraction, 1.0))]

    def default_logs(self) -> list[str]:
        steps = 4
        bar = "██████████"
        lines = [f"Using seed: {self.input.get('seed', 42)}"]
        for i in range(1, steps + 1):
            done = bar[: i * len(bar) // steps].ljust(len(bar))
            lines.append(f"{i * 100 // steps:3d}%|{done}| {i}/{steps} [00:0{i}<00:00, 2.00it/s]")
        return lines

    def output(self) -> Any:
        if self.model.makes_text:
            return list(self.job.tokens)
        value = self.job.output if self.job.output is not None else self.default_output()
        return self.fake.publish_output(self, value)

    def default_output(self) -> Any:
        ext = "mp4" if "video" in self.model.id or "veo" in self.model.id else "png"
        if self.model.output.get("type") == "array":
            count = int(self.input.get("num_outputs") or 1)
            return [f"out-{i}.{ext}" for i in range(count)]
        return f"output.{ext}"

    def to_json(self, wait_answer: bool = False) -> dict[str, Any]:
        status = self.status()
        base = self.fake.base_url
        body: dict[str, Any] = {
            "id": self.id, "model": self.model.id, "version": self.version, "input": self.input,
            "logs": "".join(line + "\n" for line in self.log_lines()), "output": None,
            "data_removed": False, "error": None, "status": status,
            "created_at": self.created_at,
            "urls": {"cancel": f"{base}/v1/predictions/{self.id}/cancel",
                     "get": f"{base}/v1/predictions/{self.id}"},
        }
        if self.stream:
            body["urls"]["stream"] = f"{base}/stream/v1/predictions/{self.id}"
        if status != "starting":
            body["started_at"] = self.created_at
        if wait_answer:
            return self._wait_answer(body, status)
        return self._finish(body, status)

    def _wait_answer(self, body: dict[str, Any], status: str) -> dict[str, Any]:
        """What a `Prefer: wait` create answers: done in time, output while `processing`;
        else the in-progress prediction, shown as `starting`."""
        if status == "succeeded":
            body.update(status=self.job.wait_status, output=self.output())
            return body if self.job.wait_status == "processing" else self._finish(body, status)
        if status in TERMINAL:
            return self._finish(body, status)
        body.update(status="starting", logs="")
        return body

    def _finish(self, body: dict[str, Any], status: str) -> dict[str, Any]:
        if status not in TERMINAL:
            return body
        body.update(completed_at=_now(), metrics={"predict_time": round(
            max(0.0, self.run_time() - self.job.starting), 6), "total_time": self.run_time()})
        if status == "succeeded":
            body["output"] = self.output()
        elif status == "failed":
            body["error"] = self.job.error
        return body


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FakeReplicate(FakeServer):
    """The server. `start()`/`stop()` or a `with` block; `base_url` is the origin."""

    def __init__(self, token: str = DEFAULT_TOKEN, hold_limit: float = 60.0) -> None:
        super().__init__(_Handler)
        self.token = token
        self.hold_limit = hold_limit
        self.models = all_models()
        self.jobs: dict[str, Job] = {}
        self.default_job = Job()
        self.predictions: dict[str, Prediction] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, tuple[str, bytes | int]] = {}

    # --- test controls -----------------------------------------------------------------

    def set_job(self, model_id: str, job: Job) -> None:
        """How predictions of `model_id` run from now on."""
        with self._lock:
            self.jobs[model_id] = job

    def reset(self) -> None:
        """Forget requests, scripted replies, job settings, predictions and files."""
        with self._lock:
            super().reset()
            self.jobs.clear()
            self.predictions.clear()
            self.files.clear()
            self.outputs.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        return super().requests  # type: ignore[return-value]

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        """The requests to `endpoint` (`wait_for(endpoint)` waits for them: a cancel, say)."""
        return [r for r in self.requests if r.endpoint == endpoint]

    def last_prediction(self) -> Prediction:
        with self._lock:
            return list(self.predictions.values())[-1]

    # --- state used by the handler -----------------------------------------------------

    def job_for(self, model: FakeModel) -> Job:
        with self._lock:
            return self.jobs.get(model.id, self.default_job)

    def create(self, model: FakeModel, input: Mapping[str, Any], stream: bool,
               official: bool) -> Prediction:
        prediction = Prediction(self, model, input, self.job_for(model), stream, official)
        with self._lock:
            self.predictions[prediction.id] = prediction
        return prediction

    def cancel(self, prediction: Prediction) -> None:
        with self._lock:
            if prediction.status() not in TERMINAL:
                prediction.canceled_at = time.monotonic()

    def publish_output(self, prediction: Prediction, value: Any) -> Any:
        """Output names as URLs the fake serves (or `data:` URIs); lists stay lists."""
        if isinstance(value, list):
            return [self.publish_output(prediction, item) for item in value]
        if not isinstance(value, str) or value.startswith(("http://", "https://", "data:")):
            return value
        if value.startswith("big:"):
            key = f"{prediction.id}/big.mp4"
            self.outputs[key] = ("video/mp4", int(value[4:]))
            return f"{self.base_url}/delivery/{key}"
        mime, data = FILES.get(value.rsplit(".", 1)[-1], ("application/octet-stream", b"?"))
        if prediction.job.data_uri:
            return f"data:{mime};base64,{base64.b64encode(data).decode()}"
        key = f"{prediction.id}/{value}"
        self.outputs[key] = (mime, data)
        return f"{self.base_url}/delivery/{key}"

    def model_for(self, owner: str, name: str) -> FakeModel | None:
        return self.models.get(f"{owner}/{name}")

    def model_by_version(self, version: str) -> FakeModel | None:
        ref = version.rsplit(":", 1)[-1]
        return next((m for m in self.models.values() if m.version_id == ref), None)


def validate(model: FakeModel, input: Any) -> list[dict[str, str]]:
    """Replicate's input check: required fields, types, bounds (`invalid_fields` entries)."""
    if not isinstance(input, Mapping):
        return [{"type": "type", "field": "input", "description": "input must be an object"}]
    problems = [{"type": "required", "field": "input", "description": f"{name} is required"}
                for name in model.required if name not in input]
    for name, value in input.items():
        spec = model.properties.get(name)
        if spec is not None:
            problems += _check_value(name, spec, value)
    return problems


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "array": (list,), "object": (dict,),
}


def _check_value(name: str, spec: Mapping[str, Any], value: Any) -> list[dict[str, str]]:
    kind = spec.get("type")
    wanted = _TYPES.get(str(kind))
    if wanted and (not isinstance(value, wanted) or (bool not in wanted
                                                     and isinstance(value, bool))):
        return [{"type": "invalid_type", "field": f"input.{name}",
                 "description": f"Invalid type. Expected: {kind}, given: "
                                f"{type(value).__name__}"}]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in spec and value < spec["minimum"]:
            return [{"type": "number_gte", "field": f"input.{name}",
                     "description": f"Must be greater than or equal to {spec['minimum']}"}]
        if "maximum" in spec and value > spec["maximum"]:
            return [{"type": "number_lte", "field": f"input.{name}",
                     "description": f"Must be less than or equal to {spec['maximum']}"}]
    return []


class _Handler(FakeHandler):
    fake: FakeReplicate
    request_class = RecordedRequest
    methods = ("GET", "POST", "DELETE")

    # --- dispatch ----------------------------------------------------------------------

    def serve(self, request: _Recorded) -> None:
        method, path, raw, body = request.method, request.path, request.raw, request.body
        endpoint = endpoint_of(method, path)
        reply = self.fake.scripted(endpoint)
        if reply is not None:
            return self._reply(reply)
        if endpoint != "delivery" and not self._authorized():
            return self._problem(UNAUTHENTICATED)
        routes = {"create": self._create, "get": self._get, "cancel": self._cancel,
                  "model": self._model, "files": self._files, "stream": self._stream,
                  "delivery": self._delivery, "list": self._list}
        handler = routes.get(endpoint)
        if handler is None:
            return self._problem({"detail": "Not found.", "status": 404})
        handler(method, path, body if body is not None else raw)

    def decode_body(self, raw: bytes) -> Any:
        if not raw:
            return None
        if "json" in (self.headers.get("content-type") or ""):
            try:
                return json.loads(raw)
            except ValueError:
                return None
        return None

    def _authorized(self) -> bool:
        header = self.headers.get("authorization") or ""
        scheme, _, token = header.partition(" ")
        return scheme.lower() in ("bearer", "token") and token == self.fake.token

    # --- answers -----------------------------------------------------------------------

    def _json(self, status: int, body: Any, content_type: str = "application/json",
              headers: tuple[tuple[str, str], ...] = ()) -> None:
        self.send_json(status, body, [("ratelimit-remaining", "599"), ("ratelimit-reset", "1"),
                                      *headers], content_type)

    def _problem(self, body: Mapping[str, Any],
                 headers: tuple[tuple[str, str], ...] = ()) -> None:
        self._json(int(body["status"]), dict(body), "application/problem+json", headers)

    def _reply(self, reply: Reply) -> None:
        body = reply.body if reply.body is not None else {"detail": "error",
                                                          "status": reply.status}
        self._json(reply.status, body, "application/problem+json", reply.headers)

    # --- predictions -------------------------------------------------------------------

    def _create(self, method: str, path: str, body: Any) -> None:
        if not isinstance(body, Mapping):
            return self._problem({"detail": "Request body must be JSON", "status": 400})
        model, official = self._model_of_create(path, body)
        if model is None:
            return self._problem({"detail": "The requested resource could not be found.",
                                  "status": 404})
        problems = validate(model, body.get("input"))
        if problems:
            return self._invalid(problems)
        prediction = self.fake.create(model, body["input"], bool(body.get("stream")), official)
        wait = self._prefer_wait()
        if wait is not None:
            self._hold(prediction, wait)
        code = prediction.job.wait_code if wait is not None else 201
        self._json(code, prediction.to_json(wait_answer=wait is not None))

    def _model_of_create(self, path: str, body: Mapping[str, Any]) -> tuple[
            FakeModel | None, bool]:
        parts = path.strip("/").split("/")
        if parts[1] == "models":
            return self.fake.model_for(parts[2], parts[3]), True
        return self.fake.model_by_version(str(body.get("version") or "")), False

    def _invalid(self, problems: list[dict[str, str]]) -> None:
        detail = "".join(f"- {p['field']}: {p['description']}\n" for p in problems)
        self._problem({"detail": detail, "status": 422, "title": "Input validation failed",
                       "invalid_fields": problems})

    def _prefer_wait(self) -> float | None:
        for part in (self.headers.get("prefer") or "").split(","):
            name, _, value = part.strip().partition("=")
            if name == "wait":
                return min(float(value or 60), self.fake.hold_limit)
        return None

    def _hold(self, prediction: Prediction, wait: float) -> None:
        deadline = min(time.monotonic() + wait, prediction.done_at())
        while time.monotonic() < deadline and prediction.status() not in TERMINAL:
            if self.fake.stopping.wait(min(0.005, max(0.0, deadline - time.monotonic()))):
                return

    def _prediction(self, path: str) -> Prediction | None:
        parts = path.strip("/").split("/")
        index = parts.index("predictions") + 1
        return self.fake.predictions.get(parts[index]) if index < len(parts) else None

    def _get(self, method: str, path: str, body: Any) -> None:
        prediction = self._prediction(path)
        if prediction is None:
            return self._problem({"detail": "Not found.", "status": 404})
        self._json(200, prediction.to_json())

    def _cancel(self, method: str, path: str, body: Any) -> None:
        prediction = self._prediction(path)
        if prediction is None:
            return self._problem({"detail": "Not found.", "status": 404})
        self.fake.cancel(prediction)
        answer = prediction.to_json()
        answer.setdefault("metrics", {"predict_time": prediction.elapsed(),
                                      "total_time": prediction.elapsed()})
        self._json(200, answer)

    def _list(self, method: str, path: str, body: Any) -> None:
        results = [p.to_json() for p in list(self.fake.predictions.values())[::-1]]
        self._json(200, {"next": None, "previous": None, "results": results})

    # --- models and files --------------------------------------------------------------

    def _model(self, method: str, path: str, body: Any) -> None:
        parts = path.strip("/").split("/")
        model = self.fake.model_for(parts[2], parts[3]) if len(parts) >= 4 else None
        if model is None:
            return self._problem({"detail": "Not found.", "status": 404})
        if len(parts) == 6 and parts[4] == "versions":
            if parts[5] != model.version_id:
                return self._problem({"detail": "Not found.", "status": 404})
            return self._json(200, model.version_object())
        self._json(200, model.model_object(self.fake.base_url))

    def _files(self, method: str, path: str, body: Any) -> None:
        if method == "POST":
            return self._upload(body)
        file_id = path.strip("/").split("/")[-1]
        if file_id in self.fake.files and method == "DELETE":
            del self.fake.files[file_id]
            self.send_response(204)
            self.send_header("Content-Length", "0")
            return self.end_headers()
        if file_id in self.fake.files:
            return self._json(200, self.fake.files[file_id])
        self._problem({"detail": "Not found.", "status": 404})

    def _upload(self, raw: bytes) -> None:
        part = _multipart_part(self.headers.get("content-type") or "", raw, "content")
        if part is None:
            return self._problem({"detail": "Missing 'content' file field", "status": 400})
        filename, content_type, data = part
        file_id = base64.b32encode(random.randbytes(15)).decode().lower()
        record = {
            "id": file_id, "name": filename, "content_type": content_type, "size": len(data),
            "etag": zlib.crc32(data).to_bytes(4, "big").hex(), "checksums": {},
            "metadata": {}, "created_at": _now(), "expires_at": _now(),
            "urls": {"get": f"{self.fake.base_url}/v1/files/{file_id}"},
        }
        self.fake.files[file_id] = {**record}
        self.fake.outputs[f"files/{file_id}"] = (content_type, data)
        self._json(201, record)

    # --- streams and downloads ---------------------------------------------------------

    def _stream(self, method: str, path: str, body: Any) -> None:
        prediction = self._prediction(path)
        if prediction is None:
            return self._problem({"detail": "Not found.", "status": 404})
        self.start_stream("text/event-stream", [("Cache-Control", "no-store")], chunked=False)
        for event, data in _events(prediction, self.fake.stopping):
            self.write(_sse(event, data))

    def _delivery(self, method: str, path: str, body: Any) -> None:
        key = path.strip("/").split("/", 1)[1]
        if key not in self.fake.outputs:
            return self._problem({"detail": "Not found.", "status": 404})
        mime, content = self.fake.outputs[key]
        size = content if isinstance(content, int) else len(content)
        self.send_response(200)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        for chunk in _content(content):
            self.wfile.write(chunk)


def _content(content: bytes | int) -> Iterator[bytes]:
    """The bytes of an output; an int is a generated file of that size, sent in chunks."""
    if isinstance(content, bytes):
        yield content
        return
    block = (TINY_MP4 * (CHUNK // len(TINY_MP4) + 1))[:CHUNK]
    left = content
    while left > 0:
        yield block[: min(left, CHUNK)]
        left -= CHUNK


_event_counter = iter(range(1, 1 << 62))


def _sse(event: str, data: str) -> bytes:
    return sse(data, event, f"{int(time.time())}:{next(_event_counter)}")


def _events(prediction: Prediction, stopping: threading.Event) -> Iterator[tuple[str, str]]:
    """A text prediction's stream: tokens spread over its run, its logs, then the end."""
    tokens = list(prediction.job.tokens)
    span = max(prediction.job.seconds - prediction.job.starting, 0.001)
    sent_logs = 0
    for index, token in enumerate(tokens):
        due = prediction.created + prediction.job.starting + span * (index + 1) / (
            len(tokens) + 1)
        while time.monotonic() < due and prediction.status() not in ("canceled", "failed"):
            if stopping.wait(0.005):
                return
        if prediction.status() in ("canceled", "failed"):
            break
        logs = prediction.log_lines()
        for line in logs[sent_logs:]:
            yield "logs", line
        sent_logs = len(logs)
        yield "output", token
    while prediction.status() not in TERMINAL and not stopping.wait(0.005):
        pass
    yield from _ending(prediction)


def _ending(prediction: Prediction) -> Iterator[tuple[str, str]]:
    status = prediction.status()
    if status == "failed":
        yield "error", json.dumps({"detail": prediction.job.error})
    elif status == "canceled":
        yield "done", json.dumps({"reason": "canceled"})
    else:
        yield "done", "{}"


def _multipart_part(content_type: str, raw: bytes,
                    field: str) -> tuple[str, str, bytes] | None:
    """(filename, content type, data) of the form field `field` of a multipart body."""
    _, _, boundary = content_type.partition("boundary=")
    if not boundary:
        return None
    for part in raw.split(b"--" + boundary.strip('"').encode()):
        head, _, data = part.partition(b"\r\n\r\n")
        text = head.decode("utf-8", "replace")
        if f'name="{field}"' not in text:
            continue
        filename = text.partition('filename="')[2].partition('"')[0] or "file"
        mime = "application/octet-stream"
        for line in text.split("\r\n"):
            if line.lower().startswith("content-type:"):
                mime = line.split(":", 1)[1].strip()
        return filename, mime, data.removesuffix(b"\r\n")
    return None


__all__ = [
    "DEFAULT_TOKEN", "PINNED_MODEL", "TEXT_MODEL", "FakeReplicate", "Job", "Prediction",
    "RecordedRequest", "Reply", "problem", "rate_limited", "server_error", "tiny_png",
]
