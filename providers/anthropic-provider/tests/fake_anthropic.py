"""A local Anthropic API: the wire protocol on 127.0.0.1, for tests.

Faithful to the documented and recorded behaviour (MediaConduit's protocols.md,
sections 0, 3 and 12) so that the official `anthropic` client works against it
unchanged:

- `x-api-key: KEY` or `Authorization: Bearer KEY` (the 2.x client sends the
  latter); a `request-id: req_...` header on every answer; rate-limit headers
  (`anthropic-ratelimit-*`) on message answers.
- `GET /v1/models?limit=&after_id=&before_id=` pages newest first with
  `has_more`/`first_id`/`last_id`; `GET /v1/models/{id}`.
- `POST /v1/messages`: the message body with `usage`; `"stream": true` answers
  SSE `event:` + `data:` pairs (`message_start`, `content_block_start`, `ping`,
  `content_block_delta`, `content_block_stop`, `message_delta`, `message_stop`),
  the data JSON padded before its closing brace as the real stream is.
- Errors as `{"type":"error","error":{"type","message"},"request_id"}` with
  `x-should-retry`; 529 `overloaded_error`; an error after the 200 is an
  `event: error` with the same JSON.

Scripted replies (`fake.script(Reply(...))`) answer the next message requests
in order; without one the answer echoes the last user text, or describes an
image block. `hold=True` keeps a stream open (a `ping` every tick) until the
client hangs up, which `fake.hangups` records. No pytest in here: the host's
tests import this file by path. The server plumbing is the SDK's toolkit for
fake upstreams (`mediaconduit.sdk.fakes`).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import random
import string
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from mediaconduit.sdk.fakes import FakeHandler, FakeServer, RecordedRequest, sse

DEFAULT_KEY = "sk-ant-api03-fake0000000000000000000000000000000000000000000000000000"
VERSION_HEADER = "anthropic-version"
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
LOW_CREDIT = ("Your credit balance is too low to access the Anthropic API. Please go to "
              "Plans & Billing to upgrade or purchase credits.")


def _support(flag: bool) -> dict[str, bool]:
    return {"supported": flag}


def capabilities(image: bool = True, thinking: bool = True) -> dict[str, Any]:
    """A `capabilities` object as the current API lists it (every key present)."""
    levels = {k: _support(thinking) for k in ("high", "low", "max", "medium")}
    return {
        "batch": _support(True), "citations": _support(True),
        "code_execution": _support(thinking), "image_input": _support(image),
        "pdf_input": _support(image), "structured_outputs": _support(thinking),
        "context_management": {"supported": thinking, "clear_tool_uses_20250919": _support(True)},
        "effort": {"supported": thinking, **levels},
        "server_tools": {"supported": True, "code_execution": _support(thinking),
                         "web_search": _support(True)},
        "thinking": {"supported": thinking, "types": {
            "adaptive": _support(thinking), "between_tools": _support(False),
            "disabled": _support(True), "enabled": _support(thinking)}},
    }


def model(model_id: str, name: str, created: str, *, context: int | None = None,
          output: int | None = None, image: bool = True, lifecycle: str | None = "active",
          line: str | None = None) -> dict[str, Any]:
    """One `ModelInfo`. `context=None`: the older shape (id, name, date only)."""
    entry: dict[str, Any] = {"type": "model", "id": model_id, "display_name": name,
                             "created_at": created}
    if context is not None:
        entry.update(capabilities=capabilities(image=image), max_input_tokens=context,
                     max_tokens=output, lifecycle=lifecycle, line=line,
                     deprecated_at=None, retires_at=None)
    return entry


#: newest first, as the API orders them; three entries in the older shape
MODELS: tuple[dict[str, Any], ...] = (
    model("claude-opus-4-6", "Claude Opus 4.6", "2026-02-05T00:00:00Z", context=1_000_000,
          output=128_000, line="opus"),
    model("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z",
          context=1_000_000, output=64_000, line="sonnet"),
    model("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-01T00:00:00Z",
          context=200_000, output=64_000, line="haiku"),
    model("claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z",
          context=200_000, output=32_000, line="opus", lifecycle="deprecated"),
    model("claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-22T00:00:00Z"),
    model("claude-3-7-sonnet-20250219", "Claude Sonnet 3.7", "2025-02-24T00:00:00Z"),
    model("claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z"),
    model("claude-2-1", "Claude 2.1", "2023-11-21T00:00:00Z", context=200_000, output=4096,
          image=False, lifecycle="retired"),
)


@dataclasses.dataclass(frozen=True)
class Reply:
    """One scripted answer to `POST /v1/messages`; the defaults are a normal answer.

    `status`/`error`: an error answer, `error` the inner `{"type","message"}`.
    `text`: the answer's text. `stream_error`: an `event: error` sent after
    `error_after` text deltas of a stream (status stays 200). `silence`: seconds
    before a plain answer, or after the first delta of a stream. `hold`: keep a
    stream open after its first delta until the client hangs up.
    """

    status: int = 200
    error: Mapping[str, Any] | None = None
    headers: tuple[tuple[str, str], ...] = ()
    text: str | None = None
    stream_error: Mapping[str, Any] | None = None
    error_after: int = 1
    silence: float = 0.0
    hold: bool = False


def answer(text: str, silence: float = 0.0) -> Reply:
    return Reply(text=text, silence=silence)


def error_reply(status: int, kind: str, message: str, *, retry: bool | None = None,
                **headers: str) -> Reply:
    named = [(name.replace("_", "-"), value) for name, value in headers.items()]
    if retry is not None:
        named.append(("x-should-retry", "true" if retry else "false"))
    return Reply(status=status, error={"type": kind, "message": message}, headers=tuple(named))


def unauthorized() -> Reply:
    return error_reply(401, "authentication_error", "invalid x-api-key", retry=False)


def low_credit() -> Reply:
    return error_reply(400, "invalid_request_error", LOW_CREDIT, retry=False)


def billing() -> Reply:
    return error_reply(402, "billing_error", "Your organization has no remaining credits.",
                       retry=False)


def not_found(model_id: str) -> Reply:
    return error_reply(404, "not_found_error", f"model: {model_id}", retry=False)


def rate_limited(retry_after: float | None = None) -> Reply:
    headers = {} if retry_after is None else {"retry_after": str(retry_after)}
    message = ("This request would exceed the rate limit for your organization of 50 "
               "requests per minute. For details, refer to: "
               "https://docs.claude.com/en/api/rate-limits.")
    return error_reply(429, "rate_limit_error", message, retry=True, **headers)


def overloaded() -> Reply:
    return error_reply(529, "overloaded_error", "Overloaded", retry=True)


def invalid(message: str = "max_tokens: Field required") -> Reply:
    return error_reply(400, "invalid_request_error", message, retry=False)


def mid_stream_error(kind: str = "overloaded_error", message: str = "Overloaded",
                     after: int = 1) -> Reply:
    return Reply(stream_error={"type": kind, "message": message}, error_after=after)


def held() -> Reply:
    return Reply(hold=True)


class FakeAnthropic(FakeServer):
    """The server. `start()`/`stop()` or a `with` block; `base_url` is the origin.

    `hangups`: when a held stream saw the client close.
    """

    def __init__(self, api_key: str = DEFAULT_KEY,
                 models: Sequence[Mapping[str, Any]] = MODELS, tick: float = 0.01) -> None:
        super().__init__(_Handler)
        self.api_key = api_key
        self.models = [dict(m) for m in models]
        self.tick = tick

    def script(self, *replies: Reply) -> None:  # type: ignore[override]
        """Queue answers for the next `POST /v1/messages` requests."""
        super().script("messages", *replies)

    def next_reply(self) -> Reply:
        return self.scripted("messages") or Reply()

    def reset(self) -> None:
        with self._lock:
            super().reset()

    def model(self, model_id: str) -> Mapping[str, Any] | None:
        """The listed model with this id, or the dated one an alias names, as the API has."""
        exact = next((m for m in self.models if m["id"] == model_id), None)
        return exact or next((m for m in self.models if _alias_of(model_id, m["id"])), None)


class _Handler(FakeHandler):
    fake: FakeAnthropic

    def serve(self, request: RecordedRequest) -> None:
        self.request_id = "req_" + "".join(random.choices(string.ascii_letters, k=24))
        self._route(request)

    def response_headers(self) -> list[tuple[str, str]]:
        return [("request-id", self.request_id)]

    def _route(self, request: RecordedRequest) -> None:
        if not self._authorized(request):
            return self._error(401, "authentication_error", "invalid x-api-key", False)
        if request.method == "GET" and request.path == "/v1/models":
            return self._json(200, _page(self.fake.models, request.query))
        if request.method == "GET" and request.path.startswith("/v1/models/"):
            return self._one_model(request.path.removeprefix("/v1/models/"))
        if request.method == "POST" and request.path == "/v1/messages":
            return self._messages(request)
        return self._error(404, "not_found_error", "Not Found", False)

    def _authorized(self, request: RecordedRequest) -> bool:
        key = self.fake.api_key
        given = {request.headers.get("x-api-key"), request.headers.get("authorization")}
        return key in given or f"Bearer {key}" in given

    def _one_model(self, model_id: str) -> None:
        entry = self.fake.model(model_id)
        if entry is None:
            return self._error(404, "not_found_error", f"model: {model_id}", False)
        self._json(200, entry)

    def _messages(self, request: RecordedRequest) -> None:
        reply = self.fake.next_reply()
        if reply.status != 200 and reply.error is not None:
            self._wait(reply.silence)
            return self._error(reply.status, reply.error["type"], reply.error["message"],
                               None, list(reply.headers))
        problem = _problem(self.fake, request.body)
        if problem is not None:
            return self._error(*problem)
        message = _Message.make(request.body, reply)
        if request.body.get("stream"):
            return self._stream(message, reply)
        self._wait(reply.silence)
        self._json(200, message.body(), _limits())

    # --- writing ---------------------------------------------------------------

    def _error(self, status: int, kind: str, message: str, retry: bool | None,
               headers: list[tuple[str, str]] | None = None) -> None:
        body = {"type": "error", "error": {"type": kind, "message": message},
                "request_id": self.request_id}
        extra = list(headers or [])
        if retry is not None and not any(k == "x-should-retry" for k, _ in extra):
            extra.append(("x-should-retry", "true" if retry else "false"))
        self._json(status, body, extra)

    def _json(self, status: int, body: Any, headers: list[tuple[str, str]] | None = None) -> None:
        self.send_json(status, body, headers or ())

    def _stream(self, message: _Message, reply: Reply) -> None:
        self.start_stream("text/event-stream; charset=utf-8",
                          [("Cache-Control", "no-cache"), *_limits()])
        for index, event in enumerate(message.events(reply)):
            self.write(event)
            if index == 3:  # after the first text delta
                self._wait(reply.silence)
                if reply.hold:
                    return self._hold()
        self.end_stream()

    def _hold(self) -> None:
        """Send a `ping` every tick until the client hangs up (or the server stops)."""
        self.hold_until_hangup(30, self.fake.tick,
                               between=lambda: self.write(_event("ping", {"type": "ping"})))

    def _wait(self, seconds: float) -> None:
        self.pause(seconds)


def _alias_of(alias: str, model_id: str) -> bool:
    """`claude-haiku-4-5` names `claude-haiku-4-5-20251001`."""
    date = model_id.removeprefix(f"{alias}-")
    return date != model_id and len(date) == 8 and date.isdigit()


def _page(models: list[dict[str, Any]], query: Mapping[str, str]) -> dict[str, Any]:
    """One page of the listing, as `limit`, `after_id` and `before_id` ask."""
    limit = max(1, min(1000, int(query.get("limit", 20))))
    ids = [m["id"] for m in models]
    start, end = 0, len(models)
    if query.get("after_id") in ids:
        start = ids.index(query["after_id"]) + 1
    if query.get("before_id") in ids:
        end = ids.index(query["before_id"])
        start = max(start, end - limit)
    page = models[start:min(end, start + limit)]
    more = start > 0 if "before_id" in query else start + len(page) < end
    return {"data": page, "has_more": more,
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None}


def _limits() -> list[tuple[str, str]]:
    reset = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 60))
    return [("anthropic-ratelimit-requests-limit", "50"),
            ("anthropic-ratelimit-requests-remaining", "49"),
            ("anthropic-ratelimit-requests-reset", reset),
            ("anthropic-ratelimit-tokens-limit", "40000"),
            ("anthropic-ratelimit-tokens-remaining", "39000"),
            ("anthropic-ratelimit-tokens-reset", reset)]


def _problem(fake: FakeAnthropic, body: Any) -> tuple[int, str, str, bool] | None:
    """The 400/404 the real API gives for this body, or None when it is fine."""
    if not isinstance(body, dict):
        return 400, "invalid_request_error", "There was an error parsing the body", False
    for field in ("model", "max_tokens", "messages"):
        if field not in body:
            return 400, "invalid_request_error", f"{field}: Field required", False
    entry = fake.model(str(body["model"]))
    if entry is None or entry.get("lifecycle") == "retired":
        return 404, "not_found_error", f"model: {body['model']}", False
    if not isinstance(body["max_tokens"], int) or body["max_tokens"] < 1:
        return 400, "invalid_request_error", "max_tokens: must be at least 1", False
    return _messages_problem(entry, body["messages"])


def _messages_problem(entry: Mapping[str, Any], messages: Any) -> tuple[int, str, str, bool] | None:
    if not isinstance(messages, list) or not messages:
        return 400, "invalid_request_error", "messages: at least one message is required", False
    for index, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ("user", "assistant"):
            text = f"messages.{index}.role: Input should be 'user' or 'assistant'"
            return 400, "invalid_request_error", text, False
        for block in _blocks(message):
            problem = _image_problem(entry, block, index)
            if problem is not None:
                return 400, "invalid_request_error", problem, False
    return None


def _image_problem(entry: Mapping[str, Any], block: Mapping[str, Any], index: int) -> str | None:
    if block.get("type") != "image":
        return None
    caps = entry.get("capabilities") or {}
    if caps and not caps.get("image_input", {}).get("supported"):
        return f"messages.{index}: this model does not support image input"
    source = block.get("source") or {}
    if source.get("type") == "url":
        return None
    if source.get("media_type") not in IMAGE_TYPES:
        return (f"messages.{index}.content.source.media_type: Input should be "
                "'image/jpeg', 'image/png', 'image/gif' or 'image/webp'")
    try:
        base64.b64decode(source.get("data", ""), validate=True)
    except ValueError:
        return f"messages.{index}.content.source.data: invalid base64 data"
    return None


def _blocks(message: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    content = message.get("content")
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [b for b in content or [] if isinstance(b, dict)]


def _describe(block: Mapping[str, Any]) -> str:
    source = block.get("source") or {}
    if source.get("type") == "url":
        return f"an image at {source.get('url')}"
    size = len(base64.b64decode(source.get("data", "")))
    return f"a {source.get('media_type')} image of {size} bytes"


def _user_text(body: Mapping[str, Any]) -> str:
    """What the default answer echoes: the last user turn's text and images."""
    users = [m for m in body["messages"] if m.get("role") == "user"]
    parts = []
    for block in _blocks(users[-1]) if users else []:
        if block.get("type") == "text":
            parts.append(str(block.get("text", "")))
        elif block.get("type") == "image":
            parts.append(f"[{_describe(block)}]")
    return " ".join(parts)


def _tokens(text: str) -> list[str]:
    pieces: list[str] = []
    for word in text.split(" "):
        pieces.append(f" {word}" if pieces else word)
    return [p for p in pieces if p] or [text]


def _prompt_tokens(body: Mapping[str, Any]) -> int:
    words = sum(len(str(b.get("text", "")).split()) for m in body["messages"] for b in _blocks(m))
    images = sum(b.get("type") == "image" for m in body["messages"] for b in _blocks(m))
    system = body.get("system")
    system_words = len(system.split()) if isinstance(system, str) else 0
    return max(1, words + system_words + 1500 * images)


@dataclasses.dataclass(frozen=True)
class _Message:
    id: str
    model: str
    tokens: tuple[str, ...]
    stop_reason: str
    input_tokens: int

    @classmethod
    def make(cls, body: Mapping[str, Any], reply: Reply) -> _Message:
        text = reply.text if reply.text is not None else f"You said: {_user_text(body)}"
        tokens = tuple(_tokens(text))
        limit = body["max_tokens"]
        cut = limit < len(tokens)
        return cls(id="msg_" + "".join(random.choices(string.ascii_letters + string.digits,
                                                      k=24)),
                   model=str(body["model"]), tokens=tokens[:limit] if cut else tokens,
                   stop_reason="max_tokens" if cut else "end_turn",
                   input_tokens=_prompt_tokens(body))

    def usage(self, output: int) -> dict[str, Any]:
        return {"input_tokens": self.input_tokens, "output_tokens": output,
                "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                "cache_creation": {"ephemeral_5m_input_tokens": 0,
                                   "ephemeral_1h_input_tokens": 0},
                "service_tier": "standard"}

    def body(self) -> dict[str, Any]:
        return {"id": self.id, "type": "message", "role": "assistant", "model": self.model,
                "content": [{"type": "text", "text": "".join(self.tokens)}],
                "stop_reason": self.stop_reason, "stop_sequence": None,
                "usage": self.usage(len(self.tokens))}

    def events(self, reply: Reply) -> Iterator[bytes]:
        """The stream's SSE events; the first text delta is the fourth event."""
        start = {**self.body(), "content": [], "stop_reason": None, "usage": self.usage(1)}
        yield _event("message_start", {"type": "message_start", "message": start})
        yield _event("content_block_start", {"type": "content_block_start", "index": 0,
                                             "content_block": {"type": "text", "text": ""}})
        yield _event("ping", {"type": "ping"})
        for index, token in enumerate(self.tokens):
            if reply.stream_error is not None and index == reply.error_after:
                yield _event("error", {"type": "error", "error": dict(reply.stream_error)})
                return
            yield _event("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                 "delta": {"type": "text_delta", "text": token}})
        yield _event("content_block_stop", {"type": "content_block_stop", "index": 0})
        yield _event("message_delta", {
            "type": "message_delta",
            "delta": {"stop_reason": self.stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": len(self.tokens)}})
        yield _event("message_stop", {"type": "message_stop"})


def _event(name: str, data: Mapping[str, Any]) -> bytes:
    """One SSE event; the JSON padded before its closing brace, as the real stream is."""
    text = json.dumps(data, separators=(",", ":"))
    return sse(f"{text[:-1]}   }}", event=name)
