"""A local Hugging Face: the Inference Providers router and the Hub's model info on 127.0.0.1.

Faithful to the documented and recorded behaviour (MediaConduit's protocols.md,
sections 0, 7 and 12):

- `POST /hf-inference/models/{id}` (`Authorization: Bearer hf_...`), by the model's
  pipeline tag: text-to-image takes `{"inputs": prompt, "parameters"?}` and answers
  raw image bytes; text-to-speech takes `{"inputs": text}` and answers raw audio;
  automatic-speech-recognition takes the raw audio as the body (or JSON with base64
  `inputs` when there are `parameters`) and answers `{"text"}` (with `chunks` for
  `return_timestamps`); image-to-text takes the raw image and answers
  `[{"generated_text"}]`. Headers `x-request-id`, `x-compute-type`, `x-compute-time`.
- A model set loading (`fake.loading(id, times, estimated_time)`) answers 503
  `{"error": "Model {id} is currently loading", "estimated_time": ...}` that many times.
- `POST /v1/chat/completions` (OpenAI-compatible; `model` may end in `:provider`):
  a `chat.completion` with `usage`, or with `stream: true` SSE `data:` chunks (role,
  content pieces, `finish_reason`, a usage chunk with empty `choices` when
  `stream_options.include_usage`), then `data: [DONE]`. With `fake.stall` set, a
  stream goes silent after its first piece, and a client that hangs up meanwhile
  is recorded in `fake.hangups`.
- `GET /api/models/{id}` (the Hub): `{id, modelId, pipeline_tag, library_name, tags,
  private, gated, ...}`; an unknown id is 404 `{"error": "Repository not found"}`
  with `X-Error-Code: RepoNotFound`.
- Errors `{"error": "..."}` (401 for a bad token, 400 for a bad body, 404 for a model
  the router does not serve); any answer can be scripted
  (`fake.script("task", Reply(...))`; endpoints `task`, `chat`, `hub`).

The fake makes its media itself: a real PNG, a real WAV (the recorded router
answers `audio/flac`; the fake says `audio/wav`, which is what it sends). No
pytest in here: the host's tests import this file by path.
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import http.server
import io
import json
import struct
import sys
import threading
import time
import uuid
import wave
import zlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

DEFAULT_TOKEN = "hf_fakeTOKEN0123456789abcdefghijklmnop"
#: the fake's Hub: model id -> pipeline tag
MODELS = {
    "black-forest-labs/FLUX.1-schnell": "text-to-image",
    "stabilityai/stable-diffusion-xl-base-1.0": "text-to-image",
    "openai/whisper-large-v3": "automatic-speech-recognition",
    "facebook/mms-tts-eng": "text-to-speech",
    "Salesforce/blip-image-captioning-large": "image-to-text",
    "meta-llama/Llama-3.1-8B-Instruct": "text-generation",
    "Qwen/Qwen2.5-7B-Instruct": "text-generation",
    "google-bert/bert-base-uncased": "fill-mask",
}
BAD_TOKEN = {"error": "Invalid credentials in Authorization header"}


@dataclasses.dataclass(frozen=True)
class Reply:
    """A scripted answer: `status`, a JSON `body` (or `text`), extra `headers`."""

    status: int = 200
    body: Any = None
    text: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


def error_reply(status: int, message: Any, **headers: str) -> Reply:
    named = tuple((name.replace("_", "-"), value) for name, value in headers.items())
    return Reply(status=status, body={"error": message}, headers=named)


@dataclasses.dataclass(frozen=True)
class RecordedRequest:
    """What the server saw: header names lower case; `body` JSON, else the raw bytes."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: Any
    at: float


class FakeHF:
    """The server. `start()`/`stop()` or a `with` block; `base_url` is router and Hub."""

    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        self.token = token
        self.models = dict(MODELS)
        self.requests: list[RecordedRequest] = []
        self.loads: dict[str, list[float]] = {}
        self.reply_text = "The quick brown fox"
        #: seconds a chat stream goes silent after its first piece (0: never)
        self.stall = 0.0
        #: when clients hung up on a stalled stream (monotonic)
        self.hangups: list[float] = []
        self._scripts: dict[str, collections.deque[Reply]] = collections.defaultdict(
            collections.deque)
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def env(self) -> dict[str, str]:
        return {"HF_TOKEN": self.token, "HF_INFERENCE_URL": self.base_url,
                "HF_ENDPOINT": self.base_url}

    def start(self) -> FakeHF:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeHF:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.loads.clear()
            self._scripts.clear()
            self.models = dict(MODELS)
            self.reply_text = "The quick brown fox"
            self.stall = 0.0
            self.hangups.clear()

    def script(self, endpoint: str, *replies: Reply) -> None:
        with self._lock:
            self._scripts[endpoint].extend(replies)

    def scripted(self, endpoint: str) -> Reply | None:
        with self._lock:
            queue = self._scripts.get(endpoint)
            return queue.popleft() if queue else None

    def loading(self, model_id: str, times: int = 2, estimated_time: float = 0.05) -> None:
        """The next `times` task or chat requests of `model_id` answer 503 loading."""
        self.loads[model_id] = [estimated_time] * times

    def take_load(self, model_id: str) -> float | None:
        with self._lock:
            waits = self.loads.get(model_id)
            return waits.pop(0) if waits else None

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        return [r for r in self.requests if _endpoint(r.path) == endpoint]


def _endpoint(path: str) -> str:
    if path.startswith("/api/models/"):
        return "hub"
    if path.endswith("/chat/completions"):
        return "chat"
    return "task" if path.startswith("/hf-inference/models/") else "unknown"


# --- media the fake makes ----------------------------------------------------------------


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A real (grey) PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width * 3 for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def wav_bytes(seconds: float = 0.5, rate: int = 16000) -> bytes:
    """A real (silent) mono 16-bit WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


# --- the HTTP side ----------------------------------------------------------------------


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeHF

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    @property
    def fake(self) -> FakeHF:
        return self.server.fake

    def _serve(self) -> None:
        path = urlsplit(self.path).path
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        kind = self.headers.get("content-type") or ""
        request = RecordedRequest(self.command, path,
                                  {k.lower(): v for k, v in self.headers.items()},
                                  _decode(raw, kind), time.monotonic())
        self.fake.requests.append(request)
        endpoint = _endpoint(path)
        reply = self.fake.scripted(endpoint)
        if reply is not None:
            return self._reply(reply)
        routes = {"hub": self._hub, "chat": self._chat, "task": self._task}
        if endpoint not in routes:
            return self._reply(Reply(404, text="Not Found"))
        routes[endpoint](request, raw)

    def _authorized(self, request: RecordedRequest) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.fake.token}"

    # --- the Hub ---

    def _hub(self, request: RecordedRequest, raw: bytes) -> None:
        model_id = request.path.removeprefix("/api/models/")
        tag = self.fake.models.get(model_id)
        if tag is None:
            return self._reply(Reply(404, {"error": "Repository not found"},
                                     headers=(("X-Error-Code", "RepoNotFound"),)))
        author = model_id.split("/")[0]
        self._reply(Reply(200, {
            "_id": uuid.uuid4().hex[:24], "id": model_id, "modelId": model_id,
            "author": author, "pipeline_tag": tag, "library_name": "transformers",
            "tags": [tag, "safetensors"], "private": False, "gated": False, "disabled": False,
            "downloads": 1234, "likes": 56, "sha": uuid.uuid4().hex + "00000000",
            "lastModified": "2025-06-01T00:00:00.000Z"}))

    # --- the router ---

    def _gate(self, request: RecordedRequest, model_id: str, task: str | None) -> bool:
        """Auth, a known model, loading: answer and return False when the call stops here."""
        if not self._authorized(request):
            self._reply(Reply(401, BAD_TOKEN))
            return False
        if task is None:
            self._reply(error_reply(404, f"Model {model_id} does not exist"))
            return False
        wait = self.fake.take_load(model_id)
        if wait is not None:
            self._reply(Reply(503, {"error": f"Model {model_id} is currently loading",
                                    "estimated_time": wait}))
            return False
        return True

    def _task(self, request: RecordedRequest, raw: bytes) -> None:
        model_id = request.path.removeprefix("/hf-inference/models/")
        task = self.fake.models.get(model_id)
        if not self._gate(request, model_id, task):
            return
        handlers = {"text-to-image": self._text_to_image, "text-to-speech": self._tts,
                    "automatic-speech-recognition": self._asr,
                    "image-to-text": self._caption}
        handler = handlers.get(str(task))
        if handler is None:
            return self._reply(error_reply(400, f"Task {task} is not served by the fake"))
        handler(request, raw)

    def _text_to_image(self, request: RecordedRequest, raw: bytes) -> None:
        prompt = _inputs(request.body)
        if not isinstance(prompt, str):
            return self._reply(error_reply(400, "inputs must be a string prompt"))
        self._media(png_bytes(), "image/png")

    def _tts(self, request: RecordedRequest, raw: bytes) -> None:
        text = _inputs(request.body)
        if not isinstance(text, str) or not text:
            return self._reply(error_reply(400, "inputs must be a non-empty string"))
        self._media(wav_bytes(seconds=0.25), "audio/wav")

    def _asr(self, request: RecordedRequest, raw: bytes) -> None:
        audio, params = _binary_input(request, raw)
        if not audio.startswith(b"RIFF"):
            return self._reply(error_reply(400, "Malformed soundfile"))
        body: dict[str, Any] = {"text": self.fake.reply_text}
        if params.get("return_timestamps"):
            body["chunks"] = [{"text": self.fake.reply_text, "timestamp": [0.0, 0.5]}]
        self._reply(Reply(200, body), compute=True)

    def _caption(self, request: RecordedRequest, raw: bytes) -> None:
        image, _ = _binary_input(request, raw)
        if not image.startswith(b"\x89PNG"):
            return self._reply(error_reply(400, "cannot identify image file <_io.BytesIO>"))
        self._reply(Reply(200, [{"generated_text": self.fake.reply_text}]), compute=True)

    def _chat(self, request: RecordedRequest, raw: bytes) -> None:
        body = request.body if isinstance(request.body, Mapping) else {}
        model_id = str(body.get("model") or "").split(":")[0]
        task = self.fake.models.get(model_id)
        if not self._gate(request, model_id, "text-generation" if task else None):
            return
        if task != "text-generation" or not body.get("messages"):
            return self._reply(error_reply(422, ["messages must be a non-empty list"],
                                           error_type="validation"))
        words = self.fake.reply_text.split(" ")
        pieces = [w if i == 0 else f" {w}" for i, w in enumerate(words)]
        usage = {"prompt_tokens": 9, "completion_tokens": len(pieces),
                 "total_tokens": 9 + len(pieces)}
        if body.get("stream"):
            return self._sse(body, pieces, usage)
        self._reply(Reply(200, {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion",
            "created": int(time.time()), "model": body["model"], "usage": usage,
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": "".join(pieces)}}]}))

    def _sse(self, body: Mapping[str, Any], pieces: list[str], usage: Mapping[str, Any]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("x-request-id", uuid.uuid4().hex)
        self.send_header("Connection", "close")
        self.end_headers()
        base = {"id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion.chunk",
                "created": int(time.time()), "model": body["model"]}
        deltas = [{"role": "assistant", "content": ""}] + [{"content": p} for p in pieces]
        for index, delta in enumerate(deltas):
            self._event({**base, "choices": [{"index": 0, "delta": delta,
                                              "finish_reason": None}]})
            if index == 1 and self.fake.stall and self._client_left(self.fake.stall):
                return
        self._event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        options = body.get("stream_options") or {}
        if options.get("include_usage"):
            self._event({**base, "choices": [], "usage": dict(usage)})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True

    def _client_left(self, seconds: float) -> bool:
        """Stay silent up to `seconds`; True (and recorded) if the client hung up."""
        self.connection.settimeout(seconds)
        try:
            left = self.connection.recv(1) == b""
        except TimeoutError:
            left = False
        except OSError:
            left = True
        finally:
            self.connection.settimeout(None)
        if left:
            self.fake.hangups.append(time.monotonic())
            self.close_connection = True
        return left

    def _event(self, data: Mapping[str, Any]) -> None:
        self.wfile.write(b"data: " + json.dumps(data).encode() + b"\n\n")
        self.wfile.flush()

    # --- answers ---

    def _media(self, data: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self._common_headers(compute=True)
        self.end_headers()
        self.wfile.write(data)

    def _reply(self, reply: Reply, compute: bool = False) -> None:
        if reply.text is not None:
            data, kind = reply.text.encode(), "text/plain"
        else:
            data, kind = json.dumps(reply.body).encode(), "application/json"
        self.send_response(reply.status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self._common_headers(compute)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _common_headers(self, compute: bool) -> None:
        self.send_header("x-request-id", uuid.uuid4().hex)
        if compute:
            self.send_header("x-compute-type", "cpu")
            self.send_header("x-compute-time", "0.125")


def _inputs(body: Any) -> Any:
    return body.get("inputs") if isinstance(body, Mapping) else None


def _binary_input(request: RecordedRequest, raw: bytes) -> tuple[bytes, Mapping[str, Any]]:
    """Raw bytes as the body, or JSON `{"inputs": base64, "parameters"}`."""
    if isinstance(request.body, Mapping):
        params = request.body.get("parameters") or {}
        try:
            return base64.b64decode(str(request.body.get("inputs") or "")), params
        except ValueError:
            return b"", params
    return raw, {}


def _decode(raw: bytes, kind: str) -> Any:
    if kind.startswith("application/json") and raw:
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


__all__ = ["DEFAULT_TOKEN", "MODELS", "FakeHF", "RecordedRequest", "Reply", "error_reply",
           "png_bytes", "wav_bytes"]
