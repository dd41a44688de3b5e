"""A local OpenRouter: the API's wire protocol on 127.0.0.1, for tests.

Faithful to the documented and observed behaviour (MediaConduit's
protocols.md, section 1): the model catalog from a real captured file
(`GET /api/v1/models`, default listing vs `?output_modalities=...`, optional
`offset`/`limit` pages with `links.next`), chat completions with the observed
body (usage with `cost`, the `X-Generation-Id` header), SSE streams with
`: OPENROUTER PROCESSING` comments, a final usage chunk with empty `choices`
and `data: [DONE]`, `Authorization` checked like the real API, and the real
error bodies.

    with FakeOpenRouter(api_key="sk-or-v1-test") as fake:
        fake.script("chat/completions", rate_limited(retry_after=0.2), completion("Hi"))
        ...                                 # point the client at fake.base_url
        fake.requests[-1].headers["authorization"]

Scripted replies are used in order, one per request to that endpoint; when the
queue is empty the server answers normally (the reply echoes the last user
message). No pytest in here: other test suites import this file by path. The
server plumbing is the SDK's toolkit for fake upstreams (`mediaconduit.sdk.fakes`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import string
import time
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from mediaconduit.sdk.fakes import FakeHandler, FakeServer, sse
from mediaconduit.sdk.fakes import RecordedRequest as _Recorded

PREFIX = "/api/v1"
DEFAULT_KEY = "sk-or-v1-fake0000000000000000000000000000000000000000000000000000000000"
CATALOG = "openrouter-models-2026-08.json"
CATALOG_ALL = "openrouter-models-all-2026-08.json"
KEEPALIVE = b": OPENROUTER PROCESSING\n\n"
UPSTREAM = "FakeProvider"

# The real error bodies (protocols.md, section 1, observed).
NO_AUTH = {"error": {"message": "No auth credentials found", "code": 401}}
# A present but unknown key: the message real OpenRouter gives for it (public reports).
BAD_KEY = {"error": {"message": "User not found.", "code": 401}}
NO_CREDITS = {"error": {"message": "Insufficient credits. Add more using "
                                   "https://openrouter.ai/settings/credits", "code": 402}}
DAILY_LIMIT = {"error": {"message": "Rate limit exceeded: free-models-per-day. Add 10 credits "
                                    "to unlock 1000 free model requests per day", "code": 429}}
UPSTREAM_LIMIT = {"error": {"message": "Provider returned error", "code": 429, "metadata": {
    "raw": "deepseek/deepseek-v4-pro-0813 is temporarily rate-limited upstream. Please retry "
           "shortly, or add your own key to accumulate your rate limits: "
           "https://openrouter.ai/settings/integrations",
    "provider_name": "DeepInfra", "is_byok": False, "provider_error_code": "engine_overloaded",
    "limit_source": "upstream_provider_shared_pool"}}}
STREAM_LIMIT = {"code": 429, "message": "openai/gpt-5.6-luna is temporarily rate-limited upstream.",
                "metadata": {"error_type": "rate_limit_exceeded"}}


@dataclasses.dataclass(frozen=True)
class Reply:
    """One scripted answer. The defaults are a normal answer.

    `status`/`body`: an error answer (any status but 200) with this JSON body.
    `text`: the completion's content. `stream_error`: an error object sent as a
    `data:` chunk after `error_after` content chunks (status stays 200).
    `silence`: seconds of silence (before a plain answer; after the first chunk
    of a stream). `drop`: close the connection without answering.
    """

    status: int = 200
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()
    text: str | None = None
    stream_error: Mapping[str, Any] | None = None
    error_after: int = 1
    silence: float = 0.0
    drop: bool = False


def completion(text: str, silence: float = 0.0) -> Reply:
    return Reply(text=text, silence=silence)


def error_reply(status: int, body: Mapping[str, Any], **headers: str) -> Reply:
    named = tuple((name.replace("_", "-"), value) for name, value in headers.items())
    return Reply(status=status, body=dict(body), headers=named)


def unauthorized() -> Reply:
    return error_reply(401, NO_AUTH)


def payment_required() -> Reply:
    return error_reply(402, NO_CREDITS)


def no_endpoints(model_id: str) -> Reply:
    return error_reply(404, {"error": {"message": f"No endpoints found for {model_id}.",
                                       "code": 404}, "user_id": "user_2zAklG7HDLZgAMY7y5rgO0dYwwN"})


def rate_limited(retry_after: float | str | None = None, upstream: bool = False) -> Reply:
    headers = {} if retry_after is None else {"Retry_After": str(retry_after)}
    return error_reply(429, UPSTREAM_LIMIT if upstream else DAILY_LIMIT, **headers)


def server_error(status: int = 502, message: str = "Provider returned error") -> Reply:
    body = {"error": {"message": message, "code": status,
                      "metadata": {"raw": "upstream failed", "provider_name": UPSTREAM}}}
    return error_reply(status, body)


def mid_stream_error(error: Mapping[str, Any] = STREAM_LIMIT, after: int = 1) -> Reply:
    return Reply(stream_error=dict(error), error_after=after)


def silent(seconds: float) -> Reply:
    return Reply(silence=seconds)


def dropped() -> Reply:
    return Reply(drop=True)


@dataclasses.dataclass(frozen=True)
class RecordedRequest(_Recorded):
    """What the server saw: header names are lower case; `body` is the JSON or None."""

    @property
    def endpoint(self) -> str:
        return self.path.removeprefix(PREFIX).strip("/")


DATA = Path(__file__).resolve().parent / "data"


def find_data(name: str) -> Path:
    """A captured data file: `$OPENROUTER_FAKE_DATA/name`, else the copy in `tests/data/`."""
    path = Path(os.environ.get("OPENROUTER_FAKE_DATA") or DATA) / name
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; set OPENROUTER_FAKE_DATA to its folder")
    return path


def load_catalog(source: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(source, Mapping):
        return dict(source)
    with open(source, encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


class FakeOpenRouter(FakeServer):
    """The server. `start()`/`stop()` or a `with` block; `base_url` ends in `/api/v1`."""

    def __init__(
        self, catalog: str | Path | Mapping[str, Any] | None = None,
        catalog_all: str | Path | Mapping[str, Any] | None = None,
        api_key: str = DEFAULT_KEY, page_size: int | None = None,
    ) -> None:
        super().__init__(_Handler)
        self.catalog = load_catalog(catalog or find_data(CATALOG))
        all_source = catalog_all or (find_data(CATALOG_ALL) if catalog is None else self.catalog)
        self.catalog_all = load_catalog(all_source)
        self.api_key = api_key
        self.page_size = page_size

    @property
    def base_url(self) -> str:
        return f"{super().base_url}{PREFIX}"

    def script(self, endpoint: str, *replies: Reply) -> None:
        """Queue replies for `endpoint` ("chat/completions", "models", "key")."""
        super().script(endpoint.strip("/"), *replies)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, oldest first."""
        return super().requests  # type: ignore[return-value]

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.endpoint == endpoint.strip("/")]

    def reset(self) -> None:
        """Forget the request log and every queued reply."""
        with self._lock:
            super().reset()

    def models(self, query: Mapping[str, str]) -> list[dict[str, Any]]:
        """The listing for `?output_modalities=` (absent: the default listing)."""
        wanted = query.get("output_modalities")
        if not wanted:
            return list(self.catalog["data"])
        kinds = set(wanted.split(","))
        if "all" in kinds:
            return list(self.catalog_all["data"])
        return [m for m in self.catalog_all["data"] if kinds & set(_outputs(m))]

    def model(self, model_id: str) -> Mapping[str, Any] | None:
        for entry in self.catalog_all["data"]:
            if entry.get("id") == model_id:
                return dict(entry)
        return None


def _outputs(entry: Mapping[str, Any]) -> list[str]:
    arch = entry.get("architecture") or {}
    listed = arch.get("output_modalities")
    if isinstance(listed, list):
        return listed
    return str(arch.get("modality", "")).partition("->")[2].split("+")


class _Handler(FakeHandler):
    fake: FakeOpenRouter
    request_class = RecordedRequest

    def serve(self, request: _Recorded) -> None:
        assert isinstance(request, RecordedRequest)
        routes = {"models": self._models, "chat/completions": self._chat,
                  "key": self._key, "auth/key": self._key}
        route = routes.get(request.endpoint) if request.path.startswith(PREFIX) else None
        if route is None:
            self._json(404, {"error": {"message": "Not Found", "code": 404}})
        else:
            route(request)

    # --- endpoints -------------------------------------------------------------

    def _models(self, request: RecordedRequest) -> None:
        reply = self.fake.scripted("models")
        if reply is not None and self._scripted_failure(reply):
            return
        self._json(200, self._listing(request.query))

    def _listing(self, query: Mapping[str, str]) -> dict[str, Any]:
        models = self.fake.models(query)
        if "total_count" not in self.fake.catalog:
            return {"data": models}  # an old-shape capture: serve it as it was
        size = self.fake.page_size
        if size is None:
            return {"data": models, "total_count": len(models), "links": {"next": None}}
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", size))
        end = offset + limit
        following = f"{PREFIX}/models?offset={end}&limit={limit}" if end < len(models) else None
        return {"data": models[offset:end], "total_count": len(models),
                "links": {"next": following}}

    def _key(self, request: RecordedRequest) -> None:
        if self._unauthorized(request):
            return
        label = f"{self.fake.api_key[:11]}...{self.fake.api_key[-3:]}"
        self._json(200, {"data": {"label": label, "limit": None, "limit_remaining": None,
                                  "usage": 0, "is_free_tier": True}})

    def _chat(self, request: RecordedRequest) -> None:
        if self._unauthorized(request):
            return
        reply = self.fake.scripted("chat/completions") or Reply()
        if self._scripted_failure(reply) or self._invalid(request.body):
            return
        answer = _Answer.make(self.fake, request.body, reply)
        if request.body.get("stream"):
            self._stream(answer, reply)
        else:
            self._wait(reply.silence)
            self._json(200, answer.body(), [("X-Generation-Id", answer.generation_id)])

    # --- checks ----------------------------------------------------------------

    def _unauthorized(self, request: RecordedRequest) -> bool:
        given = request.headers.get("authorization", "")
        if given == f"Bearer {self.fake.api_key}":
            return False
        self._json(401, BAD_KEY if given.startswith("Bearer ") and given[7:] else NO_AUTH)
        return True

    def _scripted_failure(self, reply: Reply) -> bool:
        if reply.drop:
            self.close_connection = True
            return True
        if reply.status == 200:
            return False
        self._wait(reply.silence)
        self._json(reply.status, reply.body, list(reply.headers))
        return True

    def _invalid(self, body: Any) -> bool:
        if not isinstance(body, dict):
            self._json(400, {"error": {"message": "Invalid JSON body", "code": 400}})
            return True
        model = body.get("model")
        if not isinstance(model, str) or self.fake.model(model) is None:
            message = f"{model} is not a valid model ID"
            self._json(400, {"error": {"message": message, "code": 400}})
            return True
        if not isinstance(body.get("messages"), list) or not body["messages"]:
            message = 'Input required: specify "prompt" or "messages"'
            self._json(400, {"error": {"message": message, "code": 400}})
            return True
        return False

    # --- writing ---------------------------------------------------------------

    def _json(self, status: int, body: Any, headers: list[tuple[str, str]] | None = None) -> None:
        self.send_json(status, body, headers or ())

    def _stream(self, answer: _Answer, reply: Reply) -> None:
        self.start_stream("text/event-stream", [("Cache-Control", "no-cache"),
                                                ("X-Generation-Id", answer.generation_id)])
        for index, piece in enumerate(answer.events(reply)):
            self.write(piece)
            if index == 1:
                self._wait(reply.silence)
        self.end_stream()

    def _wait(self, seconds: float) -> None:
        self.pause(seconds)


@dataclasses.dataclass(frozen=True)
class _Answer:
    """One completion: its id, model, content pieces and usage."""

    generation_id: str
    created: int
    model: str
    tokens: tuple[str, ...]
    finish_reason: str
    usage: Mapping[str, Any]
    include_usage: bool

    @classmethod
    def make(cls, fake: FakeOpenRouter, body: Mapping[str, Any], reply: Reply) -> _Answer:
        text = reply.text if reply.text is not None else f"You said: {_last_user_text(body)}"
        tokens = tuple(_tokens(text))
        limit = body.get("max_tokens")
        cut = isinstance(limit, int) and 0 < limit < len(tokens)
        tokens = tokens[:limit] if cut else tokens
        prompt_tokens = max(1, sum(len(_message_text(m).split()) for m in body["messages"]))
        entry = fake.model(body["model"]) or {}
        options = body.get("stream_options") or {}
        return cls(
            generation_id=_generation_id(), created=int(time.time()), model=body["model"],
            tokens=tokens, finish_reason="length" if cut else "stop",
            usage=_usage(entry, prompt_tokens, len(tokens)),
            include_usage=bool(options.get("include_usage")),
        )

    def body(self) -> dict[str, Any]:
        """The non-streamed answer, shaped like the observed real body."""
        message = {"role": "assistant", "content": "".join(self.tokens), "refusal": None,
                   "reasoning": None}
        choice = {"logprobs": None, "finish_reason": self.finish_reason,
                  "native_finish_reason": self.finish_reason, "index": 0, "message": message}
        return {"id": self.generation_id, "provider": UPSTREAM, "model": self.model,
                "object": "chat.completion", "created": self.created, "choices": [choice],
                "system_fingerprint": None, "usage": dict(self.usage)}

    def events(self, reply: Reply) -> Iterator[bytes]:
        """The SSE byte pieces of the streamed answer (a silence may follow the second)."""
        yield KEEPALIVE
        for index, token in enumerate(self.tokens):
            if reply.stream_error is not None and index == reply.error_after:
                yield from self._error_events(reply.stream_error)
                return
            yield _data(self._chunk({"content": token, "role": "assistant"}, None))
            if index == 0:
                yield KEEPALIVE
        yield _data(self._chunk({"content": "", "role": "assistant"}, self.finish_reason))
        if self.include_usage:
            yield _data({**self._chunk(None, None), "choices": [], "usage": dict(self.usage)})
        yield b"data: [DONE]\n\n"

    def _error_events(self, error: Mapping[str, Any]) -> Iterator[bytes]:
        chunk = self._chunk({"content": ""}, "error")
        yield _data({**chunk, "error": dict(error)})
        yield b"data: [DONE]\n\n"

    def _chunk(self, delta: Mapping[str, Any] | None, finish: str | None) -> dict[str, Any]:
        choice = {"index": 0, "delta": dict(delta or {}), "finish_reason": finish,
                  "native_finish_reason": finish, "logprobs": None}
        return {"id": self.generation_id, "object": "chat.completion.chunk",
                "created": self.created, "model": self.model, "provider": UPSTREAM,
                "system_fingerprint": None, "choices": [choice]}


def _data(chunk: Mapping[str, Any]) -> bytes:
    return sse(chunk)


def _tokens(text: str) -> list[str]:
    """The text cut into word-sized pieces that join back to it exactly."""
    pieces: list[str] = []
    for word in text.split(" "):
        pieces.append(f" {word}" if pieces else word)
    return [p for p in pieces if p] or [text]


def _message_text(message: Any) -> str:
    content = message.get("content") if isinstance(message, Mapping) else None
    if isinstance(content, list):
        texts = [p.get("text") for p in content if isinstance(p, Mapping)]
        return " ".join(str(t) for t in texts if t)
    return str(content or "")


def _last_user_text(body: Mapping[str, Any]) -> str:
    users = [m for m in body["messages"] if isinstance(m, Mapping) and m.get("role") == "user"]
    return _message_text(users[-1]) if users else ""


def _usage(entry: Mapping[str, Any], prompt: int, completion: int) -> dict[str, Any]:
    cost = _price(entry, "prompt") * prompt + _price(entry, "completion") * completion
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion, "cost": float(cost), "is_byok": False,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "cost_details": {"upstream_inference_cost": None},
            "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 0}}


def _price(entry: Mapping[str, Any], key: str) -> Decimal:
    try:
        value = Decimal(str((entry.get("pricing") or {}).get(key, "0")))
    except InvalidOperation:
        return Decimal(0)
    return max(value, Decimal(0))


def _generation_id() -> str:
    tail = "".join(random.choices(string.ascii_letters + string.digits, k=20))
    return f"gen-{int(time.time())}-{tail}"
