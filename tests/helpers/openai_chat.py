"""A local OpenAI-style chat API on 127.0.0.1, in the dialect of Together or Mistral.

One server speaks what the two vendors share (protocols.md §2, §4, §12): `POST
/v1/chat/completions` plain or streamed as SSE (`data: {...}` chunks, the usage
on the last content chunk, then `data: [DONE]`), `Authorization: Bearer` checked,
the vendor's JSON error bodies and rate-limit headers. A `Dialect` holds what
differs: the model listing (Together's bare array with `type` and `pricing`;
Mistral's `{"object":"list","data":[...]}` with `capabilities`), the error
bodies, Together's extra chunk fields (`text`, `seed`, `delta.token_id`) and its
`POST /v1/images/generations` (`b64_json` or `url` items; URLs served here).

    with FakeChat(TOGETHER, api_key=KEY) as fake:
        fake.script("chat/completions", rate_limited(2), completion("Hi"))
        ...                                      # point the client at fake.base_url
        fake.requests_to("chat/completions")[-1].body

Scripted replies are used in order, one per request to that endpoint; with none
left the server answers normally: a chat echoes the last user turn ("You said:
...", or "I see a <mime> image of <n> bytes" for an image part). A `Reply` with
`hold=True` stops a stream after its first chunks until the client hangs up;
`fake.wait_for_hangup()` says when that was seen, so a test proves the upstream
saw a cancelled stream close. `delay` waits that long before every chat answer
(the bench's 50 ms upstream). No pytest in here: provider suites import it too
(where the host's `tests` package is absent but the SDK is on the path: the server
plumbing is the SDK's toolkit for fake upstreams, `mediaconduit.sdk.fakes`).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from mediaconduit.sdk import fakes
from mediaconduit.sdk.fakes import FakeHandler, FakeServer, RecordedRequest

CHAT = "chat/completions"
IMAGES = "images/generations"
MODELS = "models"
DEFAULT_KEY = "fake-key-0000000000000000000000000000000000000000"
#: a 1x1 baseline JPEG, the default `output_format` of Together's images
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIs"
    "IxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAA"
    "AAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==")


def png(width: int = 2, height: int = 2) -> bytes:
    """A small valid grey PNG."""
    return fakes.png(width, height, pixel=b"\x80")


# --- the two dialects -------------------------------------------------------------------------

ErrorBody = Callable[[int, str, str], Any]  # (status, message, type) -> JSON body


def together_error(status: int, message: str, kind: str) -> Any:
    return {"id": f"oFuw{uuid.uuid4().hex[:10]}-SJC",
            "error": {"message": message, "type": kind, "param": None, "code": None}}


def mistral_error(status: int, message: str, kind: str) -> Any:
    if status == 401:
        return {"message": message, "request_id": uuid.uuid4().hex}
    return {"object": "error", "message": message, "type": kind, "param": None, "code": None}


@dataclasses.dataclass(frozen=True)
class Dialect:
    """What one vendor does differently on the same chat protocol."""

    name: str
    catalog: tuple[Mapping[str, Any], ...]
    wrap_models: Callable[[list[Any]], Any]
    error_body: ErrorBody
    missing_key: str
    bad_key: str
    unknown_model: str  # a format with {model}
    images: bool = False
    chunk_extras: bool = False  # Together's `text`, `seed`, `delta.token_id`

    def chat_ids(self) -> set[str]:
        return {str(m["id"]) for m in self.catalog if _is_chat(m)} | self.aliases()

    def aliases(self) -> set[str]:
        return {a for m in self.catalog for a in m.get("aliases") or []}

    def image_ids(self) -> set[str]:
        return {str(m["id"]) for m in self.catalog if m.get("type") == "image"}


def _is_chat(model: Mapping[str, Any]) -> bool:
    if "capabilities" in model:
        return bool(model["capabilities"].get("completion_chat"))
    return model.get("type") in ("chat", "language", "code")


def _together_model(model_id: str, kind: str, name: str, prices: tuple[float, float],
                    context: int | None = None, base: float = 0) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": model_id, "object": "model", "created": 1733452380, "type": kind,
        "display_name": name, "organization": model_id.split("/", maxsplit=1)[0],
        "link": f"https://huggingface.co/{model_id}", "license": "other",
        "pricing": {"hourly": 0, "input": prices[0], "output": prices[1], "base": base,
                    "finetune": 0}}
    if context:
        entry["context_length"] = context
    return entry


TOGETHER_CATALOG = (
    _together_model("meta-llama/Llama-3.3-70B-Instruct-Turbo", "chat",
                    "Meta Llama 3.3 70B Instruct Turbo", (0.88, 0.88), 131072),
    _together_model("meta-llama/Llama-3.3-70B-Instruct-Turbo-Free", "chat",
                    "Meta Llama 3.3 70B Instruct Turbo Free", (0, 0), 131072),
    _together_model("Qwen/Qwen2.5-VL-72B-Instruct", "chat", "Qwen2.5-VL (72B) Instruct",
                    (1.95, 8.0), 32768),
    _together_model("meta-llama/Llama-Vision-Free", "chat", "Meta Llama Vision Free",
                    (0, 0), 131072),
    _together_model("Qwen/Qwen2.5-Coder-32B-Instruct", "code", "Qwen 2.5 Coder 32B Instruct",
                    (0.8, 0.8), 32768),
    _together_model("black-forest-labs/FLUX.1-schnell-Free", "image", "FLUX.1 [schnell] Free",
                    (0, 0)),
    # billed per megapixel: its `base` price is not zero
    _together_model("black-forest-labs/FLUX.1-schnell", "image", "FLUX.1 Schnell", (0, 0),
                    base=0.0027),
    _together_model("togethercomputer/m2-bert-80M-32k-retrieval", "embedding",
                    "M2-BERT-Retrieval-32k", (0.008, 0), 32768),
    _together_model("openai/whisper-large-v3", "transcribe", "Whisper large-v3", (0, 0)),
)


def _mistral_model(model_id: str, name: str, context: int, vision: bool,
                   aliases: tuple[str, ...] = (), chat: bool = True,
                   **caps: bool) -> dict[str, Any]:
    capabilities = {"completion_chat": chat, "function_calling": chat, "completion_fim": False,
                    "fine_tuning": False, "vision": vision, "ocr": False, "classification": False,
                    "moderation": False, "audio": False, **caps}
    return {"id": model_id, "object": "model", "created": 1766520693, "owned_by": "mistralai",
            "capabilities": capabilities, "name": name, "description": f"{name} by Mistral AI.",
            "max_context_length": context, "aliases": list(aliases), "deprecation": None,
            "deprecation_replacement_model": None, "default_model_temperature": 0.3,
            "type": "base"}


MISTRAL_CATALOG = (
    _mistral_model("mistral-medium-latest", "mistral-medium-2508", 131072, True,
                   ("mistral-medium-2508", "mistral-medium")),
    _mistral_model("mistral-small-latest", "mistral-small-2506", 131072, True,
                   ("mistral-small-2506",)),
    _mistral_model("open-mistral-nemo", "open-mistral-nemo", 131072, False,
                   ("open-mistral-nemo-2407",)),
    _mistral_model("codestral-latest", "codestral-2508", 256000, False, ("codestral-2508",),
                   completion_fim=True),
    _mistral_model("mistral-ocr-latest", "mistral-ocr-2505", 16384, False, chat=False, ocr=True),
    _mistral_model("mistral-embed", "mistral-embed", 8192, False, chat=False),
)

TOGETHER = Dialect(
    name="together", catalog=TOGETHER_CATALOG, wrap_models=lambda models: models,
    error_body=together_error,
    missing_key="Unauthorized: no API key provided. Set the TOGETHER_API_KEY header.",
    bad_key="Invalid API key provided. You can find your API key at "
            "https://api.together.xyz/settings/api-keys.",
    unknown_model="Unable to access model {model}. Please visit https://api.together.ai/models "
                  "to view the list of supported models.",
    images=True, chunk_extras=True,
)
MISTRAL = Dialect(
    name="mistral", catalog=MISTRAL_CATALOG,
    wrap_models=lambda models: {"object": "list", "data": models},
    error_body=mistral_error, missing_key="No API key found in request",
    bad_key="Unauthorized", unknown_model="Invalid model: {model}",
)


# --- scripted replies -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Reply:
    """One scripted answer; the defaults are a normal one.

    `status`/`body`: an error answer with this JSON body (`body` may also be a
    whole 200 answer). `text`: the completion. `stream_error`: a JSON object sent
    as a `data:` event after `error_after` chunks, status staying 200. `hold`:
    after `error_after` chunks of a stream (before any answer to a plain
    request) wait for the client to hang up, at most `hold_for` seconds.
    """

    status: int = 200
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()
    text: str | None = None
    usage: tuple[int, int] | None = None
    stream_error: Mapping[str, Any] | None = None
    error_after: int = 1
    hold: bool = False
    hold_for: float = 20.0


def completion(text: str, usage: tuple[int, int] | None = None) -> Reply:
    return Reply(text=text, usage=usage)


def error_reply(status: int, body: Any, **headers: str) -> Reply:
    named = tuple((name.replace("_", "-"), value) for name, value in headers.items())
    return Reply(status=status, body=body, headers=named)


def vendor_error(dialect: Dialect, status: int, message: str, kind: str,
                 **headers: str) -> Reply:
    """An error answer in the dialect's own body shape."""
    return error_reply(status, dialect.error_body(status, message, kind), **headers)


def rate_limited(dialect: Dialect, retry_after: float | None = None) -> Reply:
    headers = {"x_ratelimit_limit": "60", "x_ratelimit_remaining": "0",
               "x_ratelimit_reset": "1"}
    if retry_after is not None:
        headers["retry_after"] = str(retry_after)
    return vendor_error(dialect, 429, "Requests rate limit exceeded", "rate_limit_exceeded",
                        **headers)


def out_of_credits(dialect: Dialect) -> Reply:
    message = ("Credit limit exceeded. Please navigate to https://api.together.xyz/settings/"
               "billing to add credit or upgrade your plan." if dialect is TOGETHER else
               "Insufficient credits: add credits at https://console.mistral.ai/billing")
    return vendor_error(dialect, 402, message, "credit_limit")


def held(after: int = 2, hold_for: float = 20.0) -> Reply:
    return Reply(hold=True, error_after=after, hold_for=hold_for,
                 text="one two three four five six seven eight nine ten")


# --- the server -------------------------------------------------------------------------------


class FakeChat(FakeServer):
    """The fake API of `dialect` on a free loopback port (a context manager); its listen
    queue takes a burst of clients (32 chats at once). A request's `body` is its JSON,
    else its text."""

    def __init__(self, dialect: Dialect, api_key: str | None = DEFAULT_KEY,
                 delay: float = 0.0) -> None:
        super().__init__(ChatHandler)
        self.dialect = dialect
        self.api_key = api_key
        self.delay = delay
        self.images: dict[str, bytes] = {}

    def reset(self) -> None:
        with self._lock:
            super().reset()

    def script(self, endpoint: str, *replies: Reply) -> None:
        super().script(endpoint.strip("/"), *replies)

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == f"/v1/{endpoint.strip('/')}"]


class ChatHandler(FakeHandler):
    fake: FakeChat

    def serve(self, request: RecordedRequest) -> None:
        route = request.path.removeprefix("/v1/")
        if request.method == "GET" and route.startswith("imgproxy/"):
            return self._image_file(route.removeprefix("imgproxy/"))
        if not request.path.startswith("/v1/") or route not in (CHAT, MODELS, IMAGES) or (
                route == IMAGES and not self.fake.dialect.images):
            return self._json(404, {"message": "no Route matched with those values"})
        if not self._authorized(request):
            return None
        if route == MODELS:
            return self._json(200, self.fake.dialect.wrap_models(list(self.fake.dialect.catalog)))
        reply = self.fake.scripted(route) or Reply()
        if reply.status != 200 or reply.body is not None:
            return self._json(reply.status, reply.body, reply.headers)
        if route == IMAGES:
            return self._images(request.body)
        return self._chat(request.body, reply)

    # --- requests ---

    def decode_body(self, raw: bytes) -> Any:
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return raw.decode(errors="replace")

    def _authorized(self, request: RecordedRequest) -> bool:
        if self.fake.api_key is None:
            return True
        given = request.headers.get("authorization", "")
        if given == f"Bearer {self.fake.api_key}":
            return True
        message = self.fake.dialect.bad_key if given else self.fake.dialect.missing_key
        self._json(401, self.fake.dialect.error_body(401, message, "invalid_api_key"))
        return False

    def _invalid(self, message: str, status: int = 400, kind: str = "invalid_request_error"
                 ) -> None:
        self._json(status, self.fake.dialect.error_body(status, message, kind))

    # --- chat ---

    def _chat(self, body: Any, reply: Reply) -> None:
        problem = _chat_problem(self.fake.dialect, body)
        if problem is not None:
            return self._invalid(*problem)
        if reply.hold and not body.get("stream"):
            return self._hold(reply.hold_for)  # a plain answer that never comes
        if self.fake.delay:
            time.sleep(self.fake.delay)
        text = reply.text if reply.text is not None else _echo(body["messages"])
        usage = _usage(body["messages"], text, reply.usage)
        if body.get("stream"):
            return self._stream(body, text, usage, reply)
        return self._json(200, _completion(self.fake.dialect, body, text, usage), reply.headers)

    def _stream(self, body: Mapping[str, Any], text: str, usage: dict[str, int],
                reply: Reply) -> None:
        self.start_stream("text/event-stream;charset=utf-8", [("Cache-Control", "no-cache")])
        chunks = list(_chunks(self.fake.dialect, body, text, usage))
        try:
            for index, chunk in enumerate(chunks):
                if index == reply.error_after and (reply.stream_error or reply.hold):
                    if reply.hold:
                        return self._hold(reply.hold_for)
                    self._event(json.dumps(reply.stream_error))
                    break
                self._event(json.dumps(chunk))
            self._event("[DONE]")
            self.end_stream()  # the last chunk: the connection stays open for the next request
        except (BrokenPipeError, ConnectionResetError):
            self.fake.hung_up()
            self.close_connection = True

    def _hold(self, seconds: float) -> None:
        """Send nothing more; note when the client closes the connection."""
        self.hold_until_hangup(seconds)
        self.close_connection = True

    def _event(self, data: str) -> None:
        self.send_event(data)

    # --- images ---

    def _images(self, body: Any) -> None:
        if not isinstance(body, Mapping) or not body.get("prompt"):
            return self._invalid("prompt is required", kind="invalid_request_error")
        if body.get("model") not in self.fake.dialect.image_ids():
            message = self.fake.dialect.unknown_model.format(model=body.get("model"))
            return self._invalid(message, 404, "model_not_available")
        data = JPEG if body.get("output_format", "jpeg") == "jpeg" else png()
        items = [self._image_item(i, data, body) for i in range(int(body.get("n") or 1))]
        self._json(200, {"id": f"oFuw{uuid.uuid4().hex[:12]}-SJC", "model": body["model"],
                         "object": "list", "data": items})

    def _image_item(self, index: int, data: bytes, body: Mapping[str, Any]) -> dict[str, Any]:
        if body.get("response_format") in ("base64", "b64_json"):
            return {"index": index, "type": "b64_json",
                    "b64_json": base64.b64encode(data).decode(), "timings": {"inference": 0.2}}
        name = f"{uuid.uuid4().hex}.{body.get('output_format', 'jpeg')}"
        self.fake.images[name] = data
        return {"index": index, "type": "url", "url": f"{self.fake.base_url}/v1/imgproxy/{name}"}

    def _image_file(self, name: str) -> None:
        data = self.fake.images.get(name)
        if data is None:
            return self._json(404, {"message": "no such image"})
        self._send(200, data, "image/png" if name.endswith("png") else "image/jpeg", ())
        return None

    # --- answers ---

    def _json(self, status: int, body: Any, headers: tuple[tuple[str, str], ...] = ()) -> None:
        self._send(status, json.dumps(body).encode(), "application/json", headers)

    def _send(self, status: int, data: bytes, kind: str,
              headers: tuple[tuple[str, str], ...]) -> None:
        self.send_bytes(status, data, kind, [("x-request-id", uuid.uuid4().hex), *headers])


def _chat_problem(dialect: Dialect, body: Any) -> tuple[str, int, str] | None:
    """Why the API would refuse this chat request, or None."""
    if not isinstance(body, Mapping) or not isinstance(body.get("messages"), list):
        return ("messages: field required", 422 if dialect is MISTRAL else 400,
                "invalid_request_error")
    if body.get("model") not in dialect.chat_ids():
        return dialect.unknown_model.format(model=body.get("model")), 404, "model_not_available"
    if not body["messages"]:
        return "messages must not be empty", 400, "invalid_request_error"
    temperature = body.get("temperature")
    if isinstance(temperature, (int, float)) and not 0 <= temperature <= 2:
        return f"temperature must be in [0, 2], got {temperature}", 400, "invalid_request_error"
    return None


def _echo(messages: list[Any]) -> str:
    """The normal answer: the last user turn said back."""
    users = [m for m in messages if isinstance(m, Mapping) and m.get("role") == "user"]
    content = users[-1].get("content") if users else ""
    if isinstance(content, str):
        return f"You said: {content}"
    texts = [p.get("text", "") for p in content if p.get("type") == "text"]
    images = [_image_part(p) for p in content if p.get("type") == "image_url"]
    return " ".join([*texts, *images])


def _image_part(part: Mapping[str, Any]) -> str:
    url = part["image_url"]
    url = url.get("url", "") if isinstance(url, Mapping) else str(url)
    if not url.startswith("data:"):
        return f"I see the image at {url}"
    header, _, data = url.partition(",")
    mime = header.removeprefix("data:").split(";")[0]
    return f"I see a {mime} image of {len(base64.b64decode(data))} bytes"


def _usage(messages: list[Any], text: str, given: tuple[int, int] | None) -> dict[str, int]:
    prompt, answer = given or (len(json.dumps(messages)) // 4 + 1, len(text.split()))
    return {"prompt_tokens": prompt, "completion_tokens": answer,
            "total_tokens": prompt + answer}


def _completion(dialect: Dialect, body: Mapping[str, Any], text: str,
                usage: dict[str, int]) -> dict[str, Any]:
    message = {"role": "assistant", "content": text, "tool_calls": None}
    choice: dict[str, Any] = {"index": 0, "message": message, "finish_reason": "stop",
                              "logprobs": None}
    answer: dict[str, Any] = {"id": _completion_id(dialect), "object": "chat.completion",
                              "created": int(time.time()), "model": body["model"],
                              "choices": [choice], "usage": usage}
    if dialect.chunk_extras:
        message["tool_calls"] = []
        choice["seed"] = 4217
        answer["prompt"] = []
    return answer


def _completion_id(dialect: Dialect) -> str:
    return uuid.uuid4().hex if dialect is MISTRAL else f"oFuw{uuid.uuid4().hex[:10]}-SJC"


def _chunks(dialect: Dialect, body: Mapping[str, Any], text: str,
            usage: dict[str, int]) -> Iterator[dict[str, Any]]:
    """The stream: one chunk per word, the last with `finish_reason` and `usage`."""
    words = [w if i == 0 else f" {w}" for i, w in enumerate(text.split(" "))] or [""]
    ident, created = _completion_id(dialect), int(time.time())
    for index, word in enumerate(words):
        last = index == len(words) - 1
        delta: dict[str, Any] = {"content": word}
        if index == 0:
            delta["role"] = "assistant"
        choice: dict[str, Any] = {"index": 0, "delta": delta,
                                  "finish_reason": "stop" if last else None, "logprobs": None}
        if dialect.chunk_extras:
            delta["token_id"] = 1000 + index
            choice.update(text=word, seed=4217 if last else None)
        yield {"id": ident, "object": "chat.completion.chunk", "created": created,
               "model": body["model"], "choices": [choice], "usage": usage if last else None}
