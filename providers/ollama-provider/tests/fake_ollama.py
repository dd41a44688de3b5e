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
this file by path.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import copy
import dataclasses
import hashlib
import http.server
import json
import select
import socket
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

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


@dataclasses.dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: Mapping[str, str]
    body: Any
    at: float


class FakeOllama:
    """The server. `start()`/`stop()` or a `with` block; `host` is `http://127.0.0.1:PORT`."""

    def __init__(self, models: Sequence[Mapping[str, Any]] = MODELS,
                 library: Sequence[Mapping[str, Any]] = LIBRARY, show_capabilities: bool = True,
                 tick: float = 0.01) -> None:
        self.initial = [copy.deepcopy(dict(m)) for m in models]
        self.library = {m["name"]: copy.deepcopy(dict(m)) for m in library}
        self.show_capabilities = show_capabilities
        self.tick = tick
        self.pulled: dict[str, dict[str, Any]] = {}
        self.hangups: list[float] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._replies: collections.deque[Reply] = collections.deque()
        self._requests: list[RecordedRequest] = []
        self._server: _Server | None = None
        self.reset()

    @property
    def host(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake Ollama is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeOllama:
        self.stopping.clear()
        self._server = _Server(self)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving and drop the open connections, as a server that quits does."""
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.drop_connections()
            self._server = None

    def __enter__(self) -> FakeOllama:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    def next_reply(self) -> Reply:
        with self._lock:
            return self._replies.popleft() if self._replies else Reply()

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    def hung_up(self) -> None:
        with self._lock:
            self.hangups.append(time.monotonic())

    def wait_for_hangup(self, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while not self.hangups and time.monotonic() < deadline:
            time.sleep(0.01)
        return bool(self.hangups)

    def reset(self) -> None:
        """Forget requests, replies and hang-ups; the pulled models are the initial ones again."""
        with self._lock:
            self._requests.clear()
            self._replies.clear()
            self.hangups.clear()
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


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeOllama) -> None:
        self.fake = fake
        self.connections: set[socket.socket] = set()
        super().__init__(("127.0.0.1", 0), _Handler)

    def drop_connections(self) -> None:
        for connection in list(self.connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.server.connections.add(self.connection)

    def finish(self) -> None:
        self.server.connections.discard(self.connection)
        super().finish()

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    @property
    def fake(self) -> FakeOllama:
        return self.server.fake

    def _handle(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request = RecordedRequest(self.command, urlsplit(self.path).path,
                                  {k.lower(): v for k, v in self.headers.items()},
                                  _json_or_none(raw), time.monotonic())
        self.fake.record(request)
        routes = {("GET", "/"): self._root, ("GET", "/api/version"): self._version,
                  ("GET", "/api/tags"): self._tags, ("POST", "/api/show"): self._show,
                  ("POST", "/api/chat"): self._chat, ("POST", "/api/pull"): self._pull}
        route = routes.get((request.method, request.path))
        try:
            if route is None:
                self._text(404, "404 page not found")
            else:
                route(request.body if isinstance(request.body, dict) else {})
        except ConnectionError:
            self.close_connection = True

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
        self._send(status, json.dumps(body).encode(), "application/json; charset=utf-8")

    def _text(self, status: int, text: str) -> None:
        self._send(status, text.encode(), "text/plain; charset=utf-8")

    def _send(self, status: int, data: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, lines: Iterator[Mapping[str, Any]], reply: Reply) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for index, line in enumerate(lines):
            self._chunk(json.dumps(line).encode() + b"\n")
            if index == 0:
                self._wait(reply.silence)
                if reply.hold:
                    return self._hold()
        self._chunk(b"")

    def _hold(self) -> None:
        """Wait, saying nothing (a model thinking), until the client hangs up."""
        deadline = time.monotonic() + 30
        while not self.fake.stopping.is_set() and time.monotonic() < deadline:
            if _peer_closed(self.connection, self.fake.tick):
                self.fake.hung_up()
                self.close_connection = True
                return

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self.fake.stopping.wait(seconds)


def _peer_closed(connection: socket.socket, timeout: float) -> bool:
    readable, _, _ = select.select([connection], [], [], timeout)
    if not readable:
        return False
    try:
        return connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


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


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None
