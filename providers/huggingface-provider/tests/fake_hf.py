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
import dataclasses
import json
import time
import uuid
from collections.abc import Mapping
from typing import Any

from mediaconduit.sdk.fakes import FakeHandler, FakeServer, RecordedRequest, png, wav

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


class FakeHF(FakeServer):
    """The server. `start()`/`stop()` or a `with` block; `base_url` is router and Hub.

    A request's `body` is its JSON, else the raw bytes.
    """

    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        super().__init__(_Handler)
        self.token = token
        self.models = dict(MODELS)
        self.loads: dict[str, list[float]] = {}
        self.reply_text = "The quick brown fox"
        #: seconds a chat stream goes silent after its first piece (0: never)
        self.stall = 0.0

    def env(self) -> dict[str, str]:
        return {"HF_TOKEN": self.token, "HF_INFERENCE_URL": self.base_url,
                "HF_ENDPOINT": self.base_url}

    def reset(self) -> None:
        with self._lock:
            super().reset()
            self.loads.clear()
            self.models = dict(MODELS)
            self.reply_text = "The quick brown fox"
            self.stall = 0.0

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
    return png(width, height)


def wav_bytes(seconds: float = 0.5, rate: int = 16000) -> bytes:
    """A real (silent) mono 16-bit WAV file."""
    return wav(seconds, rate)


# --- the HTTP side ----------------------------------------------------------------------


class _Handler(FakeHandler):
    fake: FakeHF

    def decode_body(self, raw: bytes) -> Any:
        return _decode(raw, self.headers.get("content-type") or "")

    def serve(self, request: RecordedRequest) -> None:
        endpoint = _endpoint(request.path)
        reply = self.fake.scripted(endpoint)
        if reply is not None:
            return self._reply(reply)
        routes = {"hub": self._hub, "chat": self._chat, "task": self._task}
        if endpoint not in routes:
            return self._reply(Reply(404, text="Not Found"))
        routes[endpoint](request, request.raw)

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
        self.start_stream("text/event-stream", [("Cache-Control", "no-cache"),
                                                ("x-request-id", uuid.uuid4().hex)],
                          chunked=False)
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
        self.send_event("[DONE]")

    def _client_left(self, seconds: float) -> bool:
        """Stay silent up to `seconds`; True (and recorded) if the client hung up."""
        if not self.client_closed(seconds):
            return False
        self.fake.hung_up()
        self.close_connection = True
        return True

    def _event(self, data: Mapping[str, Any]) -> None:
        self.send_event(data)

    # --- answers ---

    def _media(self, data: bytes, kind: str) -> None:
        self.send_bytes(200, data, kind, _common_headers(compute=True))

    def _reply(self, reply: Reply, compute: bool = False) -> None:
        headers = [*_common_headers(compute), *reply.headers]
        if reply.text is not None:
            return self.send_text(reply.status, reply.text, headers, "text/plain")
        self.send_json(reply.status, reply.body, headers)


def _common_headers(compute: bool) -> list[tuple[str, str]]:
    headers = [("x-request-id", uuid.uuid4().hex)]
    if compute:
        headers += [("x-compute-type", "cpu"), ("x-compute-time", "0.125")]
    return headers


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
