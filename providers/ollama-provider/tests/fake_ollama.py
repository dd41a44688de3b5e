"""A local Ollama server: its HTTP API on 127.0.0.1, for tests.

Faithful to Ollama's API docs and server source (MediaConduit's protocols.md,
sections 8 and 12) so that the official `ollama` client works against it
unchanged:

- `GET /api/tags` lists the pulled models (`name` and `model`, `details`);
  `POST /api/show` gives `details`, `model_info` (`<arch>.context_length`) and,
  like newer servers, `capabilities` (`completion`, `vision`, `embedding`, ...);
  `show_capabilities=False` is an older server without that field.
- `POST /api/chat` answers one JSON object, or with `"stream": true` NDJSON
  lines (`application/x-ndjson`) ending with a `done` line that carries
  `done_reason` and the counters (durations in nanoseconds). `options.num_predict`
  cuts the answer. A model that is not pulled is 404 `{"error": "model \"x\" not
  found, try pulling it first"}`; an embedding model cannot chat (400).
- `POST /api/pull` streams `pulling manifest`, `downloading <digest>` with
  `total`/`completed`, `verifying sha256 digest`, `writing manifest`, `success`,
  then lists the model; a name the library lacks streams an `error` line.
- Errors are `{"error": "..."}`; a failure after the 200 is an `{"error": ...}` line.

Scripted replies (`fake.script(Reply(...))`) answer the next chat requests in
order; without one the answer echoes the last user message (an image is
described by its size). `hold=True` keeps a stream open until the client hangs
up, which `fake.hangups` records. No pytest in here: the host's tests import
this file by path. The server plumbing is the SDK's toolkit for fake upstreams
(`mediaconduit.sdk.fakes`).
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from mediaconduit.sdk.fakes import FakeHandler, FakeServer, RecordedRequest

CREATED = "2026-11-20T10:15:42.123456789Z"


def model(name: str, family: str, size: str, quant: str, capabilities: Sequence[str],
          context: int, arch: str | None = None, vision: bool = False) -> dict[str, Any]:
    """One local model: what `/api/tags` and `/api/show` say about it."""
    arch = arch or family
    info: dict[str, Any] = {"general.architecture": arch, "general.parameter_count": 1,
                            f"{arch}.context_length": context}
    if vision:
        info[f"{arch}.vision.image_size"] = 560
    digest = hashlib.sha256(name.encode()).hexdigest()
    return {"name": name, "family": family, "parameter_size": size, "quantization": quant,
            "capabilities": list(capabilities), "model_info": info, "digest": digest,
            "size": 1_000_000 + len(name) * 1000}


MODELS: tuple[dict[str, Any], ...] = (
    model("llama3.2:latest", "llama", "3.2B", "Q4_K_M", ["completion", "tools"], 131072),
    model("gemma3:4b", "gemma3", "4.3B", "Q4_K_M", ["completion", "vision"], 131072,
          vision=True),
    model("llava:7b", "llama", "7B", "Q4_0", ["completion", "vision"], 4096, vision=True),
    model("qwen3:0.6b", "qwen3", "751.63M", "Q4_K_M", ["completion", "tools", "thinking"],
          40960),
    model("nomic-embed-text:latest", "nomic-bert", "137M", "F16", ["embedding"], 2048),
)
#: what `/api/pull` can fetch (the pulled ones too)
LIBRARY: tuple[dict[str, Any], ...] = (
    *MODELS,
    model("smollm2:135m", "llama", "134.52M", "F16", ["completion", "tools"], 8192),
)


@dataclasses.dataclass(frozen=True)
class Reply:
    """One scripted answer to `POST /api/chat`; the defaults are a normal answer.

    `status`/`error`: an error answer `{"error": error}`. `text`: the answer.
    `stream_error`: an `{"error": ...}` line after `error_after` content lines.
    `silence`: seconds before a plain answer or after a stream's first line.
    `hold`: keep a stream open after its first line until the client hangs up.
    """

    status: int = 200
    error: str | None = None
    text: str | None = None
    stream_error: str | None = None
    error_after: int = 1
    silence: float = 0.0
    hold: bool = False


def answer(text: str) -> Reply:
    return Reply(text=text)


def error_reply(status: int, message: str) -> Reply:
    return Reply(status=status, error=message)


def busy() -> Reply:
    return error_reply(503, "server busy, please try again.  maximum pending requests exceeded")


def mid_stream_error(message: str = "an error was encountered while running the model: "
                     "unexpected EOF", after: int = 1) -> Reply:
    return Reply(stream_error=message, error_after=after)


def held() -> Reply:
    return Reply(hold=True)


class FakeOllama(FakeServer):
    """The server. `start()`/`stop()` or a `with` block; `host` is `http://127.0.0.1:PORT`."""

    def __init__(self, models: Sequence[Mapping[str, Any]] = MODELS,
                 library: Sequence[Mapping[str, Any]] = LIBRARY, show_capabilities: bool = True,
                 tick: float = 0.01) -> None:
        super().__init__(_Handler)
        self.initial = [copy.deepcopy(dict(m)) for m in models]
        self.library = {m["name"]: copy.deepcopy(dict(m)) for m in library}
        self.show_capabilities = show_capabilities
        self.tick = tick
        self.pulled: dict[str, dict[str, Any]] = {}
        self.reset()

    @property
    def host(self) -> str:
        return self.base_url

    def stop(self, drop_connections: bool = True) -> None:
        """Stop serving and drop the open connections, as a server that quits does."""
        super().stop(drop_connections)

    def script(self, *replies: Reply) -> None:  # type: ignore[override]
        super().script("chat", *replies)

    def next_reply(self) -> Reply:
        return self.scripted("chat") or Reply()

    def reset(self) -> None:
        """Forget requests, replies and hang-ups; the pulled models are the initial ones again."""
        with self._lock:
            super().reset()
            self.pulled = {m["name"]: copy.deepcopy(m) for m in self.initial}

    def find(self, name: str) -> dict[str, Any] | None:
        """The pulled model `name` names (`llama3.2` is `llama3.2:latest`)."""
        with self._lock:
            return self.pulled.get(full_name(name))

    def add(self, name: str) -> None:
        with self._lock:
            self.pulled[name] = copy.deepcopy(self.library[name])


def full_name(name: str) -> str:
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


class _Handler(FakeHandler):
    fake: FakeOllama

    def serve(self, request: RecordedRequest) -> None:
        routes = {("GET", "/"): self._root, ("GET", "/api/version"): self._version,
                  ("GET", "/api/tags"): self._tags, ("POST", "/api/show"): self._show,
                  ("POST", "/api/chat"): self._chat, ("POST", "/api/pull"): self._pull}
        route = routes.get((request.method, request.path))
        if route is None:
            self._text(404, "404 page not found")
        else:
            route(request.body if isinstance(request.body, dict) else {})

    # --- endpoints -------------------------------------------------------------

    def _root(self, body: dict[str, Any]) -> None:
        self._text(200, "Ollama is running")

    def _version(self, body: dict[str, Any]) -> None:
        self._json(200, {"version": "0.13.1"})

    def _tags(self, body: dict[str, Any]) -> None:
        with self.fake._lock:
            models = list(self.fake.pulled.values())
        self._json(200, {"models": [_tag(m) for m in models]})

    def _show(self, body: dict[str, Any]) -> None:
        entry = self.fake.find(str(body.get("model") or body.get("name") or ""))
        if entry is None:
            return self._json(404, {"error": f"model '{body.get('model')}' not found"})
        shown = {"license": "", "modelfile": f"FROM {entry['name']}\n",
                 "parameters": "stop \"<|eot_id|>\"", "template": "{{ .Prompt }}",
                 "details": _details(entry), "model_info": entry["model_info"],
                 "modified_at": CREATED}
        if self.fake.show_capabilities:
            shown["capabilities"] = entry["capabilities"]
        self._json(200, shown)

    def _chat(self, body: dict[str, Any]) -> None:
        reply = self.fake.next_reply()
        if reply.error is not None:
            self._wait(reply.silence)
            return self._json(reply.status, {"error": reply.error})
        name = str(body.get("model") or "")
        entry = self.fake.find(name)
        if entry is None:
            message = f'model "{name}" not found, try pulling it first'
            return self._json(404, {"error": message})
        problem = _chat_problem(entry, body)
        if problem is not None:
            return self._json(400, {"error": problem})
        chat = _Chat.make(entry["name"], body, reply)
        if body.get("stream", True):
            return self._stream(chat.lines(reply), reply)
        self._wait(reply.silence)
        self._json(200, chat.whole())

    def _pull(self, body: dict[str, Any]) -> None:
        name = full_name(str(body.get("model") or body.get("name") or ""))
        entry = self.fake.library.get(name)
        if not body.get("stream", True):
            if entry is None:
                return self._json(500, {"error": "pull model manifest: file does not exist"})
            self.fake.add(name)
            return self._json(200, {"status": "success"})
        self._stream(_pull_lines(entry), Reply())
        if entry is not None:
            self.fake.add(name)

    # --- writing ---------------------------------------------------------------

    def _json(self, status: int, body: Any) -> None:
        self.send_json(status, body, content_type="application/json; charset=utf-8")

    def _text(self, status: int, text: str) -> None:
        self.send_text(status, text)

    def _stream(self, lines: Iterator[Mapping[str, Any]], reply: Reply) -> None:
        self.start_stream("application/x-ndjson")
        for index, line in enumerate(lines):
            self.send_ndjson(line)
            if index == 0:
                self._wait(reply.silence)
                if reply.hold:
                    return self._hold()
        self.end_stream()

    def _hold(self) -> None:
        """Wait, saying nothing (a model thinking), until the client hangs up."""
        self.hold_until_hangup(30, self.fake.tick)

    def _wait(self, seconds: float) -> None:
        self.pause(seconds)


def _details(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {"parent_model": "", "format": "gguf", "family": entry["family"],
            "families": [entry["family"]], "parameter_size": entry["parameter_size"],
            "quantization_level": entry["quantization"]}


def _tag(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": entry["name"], "model": entry["name"], "modified_at": CREATED,
            "size": entry["size"], "digest": entry["digest"], "details": _details(entry)}


def _chat_problem(entry: Mapping[str, Any], body: Mapping[str, Any]) -> str | None:
    if "completion" not in entry["capabilities"]:
        return f'"{entry["name"]}" does not support chat'
    messages = body.get("messages")
    if not isinstance(messages, list):
        return "invalid message format"
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in (
                "system", "user", "assistant", "tool"):
            return f"invalid role: {message.get('role') if isinstance(message, dict) else None}"
        for image in message.get("images") or []:
            try:
                base64.b64decode(image, validate=True)
            except (ValueError, TypeError):
                return "illegal base64 data at input byte 0"
    return None


def _pull_lines(entry: Mapping[str, Any] | None) -> Iterator[dict[str, Any]]:
    yield {"status": "pulling manifest"}
    if entry is None:
        yield {"error": "pull model manifest: file does not exist"}
        return
    digest, total = f"sha256:{entry['digest']}", entry["size"]
    yield {"status": f"pulling {entry['digest'][:12]}", "digest": digest, "total": total}
    for part in (1, 2, 3, 4):
        yield {"status": f"pulling {entry['digest'][:12]}", "digest": digest, "total": total,
               "completed": total * part // 4}
    yield from ({"status": s} for s in ("verifying sha256 digest", "writing manifest",
                                        "success"))


def _tokens(text: str) -> list[str]:
    pieces: list[str] = []
    for word in text.split(" "):
        pieces.append(f" {word}" if pieces else word)
    return [p for p in pieces if p] or [text]


def _echo(messages: list[dict[str, Any]]) -> str:
    users = [m for m in messages if m.get("role") == "user"]
    if not users:
        return "Hello!"
    last = users[-1]
    images = [f"[an image of {len(base64.b64decode(i))} bytes]" for i in last.get("images") or []]
    return " ".join(["You said:", *images, str(last.get("content") or "")]).strip()


@dataclasses.dataclass(frozen=True)
class _Chat:
    model: str
    tokens: tuple[str, ...]
    done_reason: str
    prompt_tokens: int

    @classmethod
    def make(cls, name: str, body: Mapping[str, Any], reply: Reply) -> _Chat:
        text = reply.text if reply.text is not None else _echo(body["messages"])
        tokens = tuple(_tokens(text))
        limit = (body.get("options") or {}).get("num_predict")
        cut = isinstance(limit, int) and 0 < limit < len(tokens)
        words = sum(len(str(m.get("content") or "").split()) for m in body["messages"])
        images = sum(len(m.get("images") or []) for m in body["messages"])
        return cls(name, tokens[:limit] if cut else tokens, "length" if cut else "stop",
                   max(1, words + 576 * images))

    def _line(self, content: str, done: bool) -> dict[str, Any]:
        return {"model": self.model, "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
                "message": {"role": "assistant", "content": content}, "done": done}

    def _final(self, content: str) -> dict[str, Any]:
        return {**self._line(content, True), "done_reason": self.done_reason,
                "total_duration": 1_250_000_000, "load_duration": 50_000_000,
                "prompt_eval_count": self.prompt_tokens, "prompt_eval_duration": 100_000_000,
                "eval_count": len(self.tokens), "eval_duration": 1_000_000_000}

    def whole(self) -> dict[str, Any]:
        return self._final("".join(self.tokens))

    def lines(self, reply: Reply) -> Iterator[dict[str, Any]]:
        for index, token in enumerate(self.tokens):
            if reply.stream_error is not None and index == reply.error_after:
                yield {"error": reply.stream_error}
                return
            yield self._line(token, False)
        yield self._final("")

