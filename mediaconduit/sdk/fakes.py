"""A toolkit for provider authors' fake upstreams: a vendor's HTTP API on loopback, for tests.

A provider is tested against a faithful fake of its vendor's API, in its own
repository's suite (where this SDK is on the path) and in the host's tests,
which import the very same fake. This module is the plumbing every such fake
needs, so that a fake holds only its vendor's protocol. Standard library only,
like the whole SDK; nothing here runs in a worker.

- `FakeServer`: a threaded HTTP/1.1 server on 127.0.0.1, on any free port
  (`base_url`), `start()`/`stop()` or a `with` block; a log of every request
  (`requests`, `requests_to(path)`), `wait_for(...)`, the times clients hung up
  (`hangups`, `wait_for_hangup()`), scripted replies per endpoint (`script`,
  `scripted`), `reset()`. Its listen queue takes a burst
  of 128 clients; a client that hangs up is no error; it logs nothing.
- `FakeHandler`: reads and records each request (`RecordedRequest`: method,
  path, query, headers, body, raw, json) and passes it to `serve(request)`,
  which a fake writes. Helpers answer JSON (`send_json`), an error body
  (`send_error_body`), bytes (`send_bytes`), a stream (`start_stream`, then
  `send_event` for SSE `event:`/`data:`/`id:` framing, `send_ndjson` for JSON
  lines, `write`, `end_stream`), and notice a client that closed the
  connection (`client_closed`, `hold_until_hangup`).
- `png()`, `wav()`: small valid media files for a fake to answer with.
- For a suite's conftest: `on_path(src, tests)`, and `closing_all(factory)` for a
  `make_provider` fixture whose providers are closed after the test.
- For a cancel test: `in_call()` runs a block as a call; `run_in_call(call, action)`
  runs `action` inside `call` on a thread, so the test can `call.cancel()` meanwhile;
  `cancel_a_read(stream, fake)` cancels a stream after its first items and reports
  whether the fake saw the hang-up.

    class FakeVendor(FakeServer):
        def __init__(self, api_key: str) -> None:
            super().__init__(VendorHandler)
            self.api_key = api_key

    class VendorHandler(FakeHandler):
        fake: FakeVendor

        def serve(self, request: RecordedRequest) -> None:
            if request.headers.get("authorization") != f"Bearer {self.fake.api_key}":
                return self.send_error_body(401, {"error": {"message": "bad key"}})
            self.send_json(200, {"data": []})

    with FakeVendor("k") as fake:
        ...                                    # point the client at fake.base_url
        assert fake.requests_to("/v1/models")
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import http.server
import io
import json
import select
import socket
import struct
import sys
import threading
import time
import wave
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, ParamSpec, Protocol, TypeVar
from urllib.parse import parse_qs, urlsplit

from mediaconduit.sdk.calls import CallContext, enter_call, leave_call

Headers = Iterable[tuple[str, str]]
_Fake = TypeVar("_Fake", bound="FakeServer")


@dataclasses.dataclass(frozen=True)
class RecordedRequest:
    """What the server saw: header names lower case; `body` as the handler decoded it
    (by default the JSON, or None), `raw` the bytes, `at` when (monotonic)."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: Any
    at: float
    raw: bytes = b""

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None."""
        return decode_json(self.raw)


def decode_json(raw: bytes) -> Any:
    """`raw` parsed as JSON; None when empty or not JSON."""
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1, no Nagle stalls between header and body writes, no log lines."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


class LoopbackHTTPServer(http.server.ThreadingHTTPServer):
    """A threaded server on 127.0.0.1 (port 0: any free one) that takes bursts of clients,
    reports no client hang-up as an error, and can drop its open connections."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, handler: type[http.server.BaseHTTPRequestHandler], port: int = 0,
                 fake: Any = None) -> None:
        self.fake = fake
        self.connections: set[socket.socket] = set()
        super().__init__(("127.0.0.1", port), handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up on purpose (a timeout test, a killed process) is no news."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def drop_connections(self) -> None:
        """Shut every open connection down, as a server that quits does."""
        for connection in list(self.connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class FakeServer:
    """A fake upstream: `handler` serves each request; `base_url` is `http://127.0.0.1:PORT`.

    Subclasses add their vendor's state and extend `reset()`. `stopping` is set by
    `stop()`, so a handler's waits (`FakeHandler.pause`) end when the server does.
    """

    poll_interval = 0.05

    def __init__(self, handler: type[FakeHandler]) -> None:
        self.handler = handler
        self.stopping = threading.Event()
        self.hangups: list[float] = []
        self._lock = threading.RLock()
        self._requests: list[RecordedRequest] = []
        self._scripts: dict[str, collections.deque[Any]] = {}
        self._server: LoopbackHTTPServer | None = None

    # --- lifecycle ---

    @property
    def port(self) -> int:
        return int(self._bound().server_address[1])

    @property
    def base_url(self) -> str:
        """The origin; the socket is bound (on a free port) at the first use or `start()`."""
        return f"http://127.0.0.1:{self.port}"

    def _bound(self) -> LoopbackHTTPServer:
        with self._lock:
            if self._server is None:
                self._server = LoopbackHTTPServer(self.handler, fake=self)
            return self._server

    def start(self: _Fake) -> _Fake:
        """Serve on a thread; returns the fake."""
        self.stopping.clear()
        server = self._bound()
        threading.Thread(target=server.serve_forever, args=(self.poll_interval,),
                         daemon=True).start()
        return self

    def stop(self, drop_connections: bool = False) -> None:
        """Stop serving; `drop_connections` also shuts the open connections down."""
        self.stopping.set()
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            if drop_connections:
                server.drop_connections()

    def __enter__(self: _Fake) -> _Fake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the request log ---

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The requests to `path` (a subclass may name endpoints otherwise)."""
        return [r for r in self.requests if r.path == path]

    def script(self, endpoint: str, *replies: Any) -> None:
        """Queue `replies` (the fake's own reply objects) for the next requests to `endpoint`."""
        with self._lock:
            self._scripts.setdefault(endpoint, collections.deque()).extend(replies)

    def scripted(self, endpoint: str) -> Any:
        """The next reply queued for `endpoint`, taken off the queue; None when none is left."""
        with self._lock:
            queue = self._scripts.get(endpoint)
            return queue.popleft() if queue else None

    def hung_up(self) -> None:
        """Note that a client hung up now (a handler calls it when it notices)."""
        with self._lock:
            self.hangups.append(time.monotonic())

    def wait_for(self, what: str | Callable[[], object], count: int = 1,
                 timeout: float = 5.0) -> bool:
        """Wait up to `timeout` seconds until `count` requests went to `what` (a path, or
        whatever `requests_to` takes), or until `what()` is true; whether that happened."""
        def done() -> bool:
            if isinstance(what, str):
                return len(self.requests_to(what)) >= count
            return bool(what())

        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() >= deadline:
                return done()
            time.sleep(0.005)
        return True

    def wait_for_hangup(self, timeout: float = 5.0) -> float | None:
        """When the first client hung up (monotonic), waiting up to `timeout`; else None."""
        self.wait_for(lambda: self.hangups, timeout=timeout)
        with self._lock:
            return self.hangups[0] if self.hangups else None

    def reset(self) -> None:
        """Forget the request log, the queued replies and the hang-ups (subclasses forget
        their own state too)."""
        with self._lock:
            self._requests.clear()
            self._scripts.clear()
            self.hangups.clear()


class FakeHandler(QuietHandler):
    """Reads and records each request, then `serve(request)`; helpers to answer it."""

    server: LoopbackHTTPServer
    #: what `read_request` makes (a subclass may add properties, an `endpoint` say)
    request_class: type[RecordedRequest] = RecordedRequest
    #: the methods served; any other is a 501, unrecorded (as `http.server` does)
    methods: tuple[str, ...] = ("GET", "POST")
    chunked = False

    @property
    def fake(self) -> Any:
        """The `FakeServer` this handler serves for (annotate it with the subclass)."""
        return self.server.fake

    def setup(self) -> None:
        super().setup()
        self.server.connections.add(self.connection)

    def finish(self) -> None:
        self.server.connections.discard(self.connection)
        super().finish()

    def do_GET(self) -> None:
        self.handle_request()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def handle_request(self) -> None:
        if self.command not in self.methods:
            return self.send_error(501, f"Unsupported method ({self.command!r})")
        request = self.read_request()
        self.fake.record(request)
        self.chunked = False
        try:
            self.serve(request)
        except ConnectionError:
            self.close_connection = True

    def serve(self, request: RecordedRequest) -> None:
        raise NotImplementedError

    # --- reading ---

    def read_request(self) -> RecordedRequest:
        raw = self.read_body()
        parts = urlsplit(self.path)
        return self.request_class(
            method=self.command, path=parts.path,
            query={k: v[-1] for k, v in parse_qs(parts.query).items()},
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.decode_body(raw), at=time.monotonic(), raw=raw)

    def read_body(self) -> bytes:
        """The request body, `Content-Length` long or chunked."""
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            return self._read_chunked()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def decode_body(self, raw: bytes) -> Any:
        """What `RecordedRequest.body` holds: by default the JSON, or None."""
        return decode_json(raw)

    # --- answering ---

    def response_headers(self) -> list[tuple[str, str]]:
        """Headers every answer and stream carries (a request id, say); none by default."""
        return []

    def send_bytes(self, status: int, data: bytes, content_type: str,
                   headers: Headers = ()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in [*self.response_headers(), *headers]:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, status: int, body: Any, headers: Headers = (),
                  content_type: str = "application/json") -> None:
        self.send_bytes(status, json.dumps(body).encode(), content_type, headers)

    def send_text(self, status: int, text: str, headers: Headers = (),
                  content_type: str = "text/plain; charset=utf-8") -> None:
        self.send_bytes(status, text.encode(), content_type, headers)

    def send_error_body(self, status: int, body: Any, headers: Headers = (),
                        content_type: str = "application/json") -> None:
        """An error answer: `body` as JSON (a str is sent as plain text)."""
        if isinstance(body, str):
            return self.send_text(status, body, headers)
        self.send_json(status, body, headers, content_type)

    # --- streaming ---

    def start_stream(self, content_type: str = "text/event-stream", headers: Headers = (),
                     status: int = 200, chunked: bool = True) -> None:
        """The head of a streamed answer: chunked (the connection stays open), or without
        a length and `Connection: close` (the end of the stream is the hang-up)."""
        self.send_response(status)
        framing = [("Transfer-Encoding", "chunked")] if chunked else [("Connection", "close")]
        for name, value in [("Content-Type", content_type), *self.response_headers(),
                            *headers, *framing]:
            self.send_header(name, value)
        self.end_headers()
        self.chunked = chunked
        if not chunked:
            self.close_connection = True

    def write(self, data: bytes) -> None:
        """Send `data` now (as one chunk of a chunked stream)."""
        if self.chunked:
            data = b"%x\r\n%s\r\n" % (len(data), data)
        self.wfile.write(data)
        self.wfile.flush()

    def end_stream(self) -> None:
        """The last chunk of a chunked stream; the connection stays open for the next."""
        if self.chunked:
            self.write(b"")
            self.chunked = False

    def send_event(self, data: Any, event: str | None = None, id: str | None = None) -> None:
        """One SSE event (`data` a str, or JSON of anything else)."""
        self.write(sse(data, event, id))

    def send_ndjson(self, line: Any) -> None:
        """One line of a JSON-lines stream."""
        self.write(json.dumps(line).encode() + b"\n")

    # --- the client ---

    def pause(self, seconds: float) -> bool:
        """Wait `seconds` (less when the server stops); True when it stopped."""
        return seconds > 0 and self.fake.stopping.wait(seconds)

    def client_closed(self, timeout: float = 0.0) -> bool:
        """True when the client closed its end (within `timeout` seconds)."""
        return peer_closed(self.connection, timeout)

    def hold_until_hangup(self, seconds: float = 30.0, tick: float = 0.01,
                          between: Callable[[], None] | None = None) -> bool:
        """Say nothing (or call `between` every `tick`) until the client hangs up, the
        server stops, or `seconds` pass; a hang-up is recorded. True if it hung up."""
        deadline = time.monotonic() + seconds
        while not self.fake.stopping.is_set() and time.monotonic() < deadline:
            try:
                if self.client_closed(tick):
                    return self._hung_up()
                if between is not None:
                    between()
            except OSError:
                return self._hung_up()
        return False

    def _hung_up(self) -> bool:
        self.fake.hung_up()
        self.close_connection = True
        return True


def sse(data: Any, event: str | None = None, id: str | None = None) -> bytes:
    """One server-sent event: `event:` and `id:` lines when given, `data:` lines, a blank."""
    text = data if isinstance(data, str) else json.dumps(data)
    head = (f"event: {event}\n" if event is not None else "") + (
        f"id: {id}\n" if id is not None else "")
    lines = "".join(f"data: {line}\n" for line in text.split("\n"))
    return f"{head}{lines}\n".encode()


def peer_closed(connection: socket.socket, timeout: float) -> bool:
    """True when the peer closed its end of `connection` (readable, nothing to read)."""
    readable, _, _ = select.select([connection], [], [], timeout)
    if not readable:
        return False
    try:
        return connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


# --- a provider suite's fixtures --------------------------------------------------------------


def on_path(*folders: str | Path) -> None:
    """Put `folders` first on `sys.path` (a provider suite's `src/` and `tests/`), once each."""
    for folder in folders:
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))


class _Closable(Protocol):
    def close(self) -> None: ...


_Made = TypeVar("_Made", bound=_Closable)
_Args = ParamSpec("_Args")


@contextlib.contextmanager
def closing_all(make: Callable[_Args, _Made]) -> Iterator[Callable[_Args, _Made]]:
    """`make` (a provider factory, say), noting what it makes; each is closed at the end.

        @pytest.fixture
        def make_provider(fake):
            with closing_all(lambda **config: VendorProvider(config, env=fake.env())) as make:
                yield make
    """
    made: list[_Made] = []

    def tracked(*args: _Args.args, **kwargs: _Args.kwargs) -> _Made:
        made.append(make(*args, **kwargs))
        return made[-1]

    try:
        yield tracked
    finally:
        for item in made:
            item.close()


@contextlib.contextmanager
def in_call(context: CallContext | None = None) -> Iterator[CallContext]:
    """Run the block as the worker runs a call: `context` (a new one by default) is the
    current call, so `report_progress`, `cancelled()` and `on_cancel` hooks work."""
    context = context if context is not None else CallContext()
    token = enter_call(context)
    try:
        yield context
    finally:
        leave_call(token)


def run_in_call(context: CallContext, action: Callable[[], object]
                ) -> tuple[threading.Event, list[BaseException]]:
    """Run `action` on a thread inside `context`, as the worker would; returns (set when it
    ended, what it raised), so a test can cancel the call while `action` blocks."""
    done, failures = threading.Event(), []

    def run() -> None:
        try:
            with in_call(context):
                action()
        except BaseException as error:
            failures.append(error)
        finally:
            done.set()

    threading.Thread(target=run, daemon=True).start()
    return done, failures


@dataclasses.dataclass
class CancelledRead:
    """What `cancel_a_read` saw: every item read (before the cancel, and after it if the
    read went on), what the read raised, whether it ended, and when the fake noticed the
    hang-up (monotonic; None: never)."""

    items: list[object]
    failures: list[BaseException]
    ended: bool
    hung_up_at: float | None


def cancel_a_read(read: Callable[[], Iterable[object]], fake: FakeServer, first: int = 1,
                  timeout: float = 5.0) -> CancelledRead:
    """Read `read()` (a stream, say) inside a call on a thread, as the worker would; once
    `first` items came, cancel the call; then wait for the fake to see the hang-up and
    for the read to end. A test asserts on the `CancelledRead`."""
    call, items = CallContext(), list[object]()
    done, failures = run_in_call(call, lambda: items.extend(read()))
    deadline = time.monotonic() + timeout
    while len(items) < first and time.monotonic() < deadline and not done.is_set():
        time.sleep(0.005)
    call.cancel()
    hung_up_at = fake.wait_for_hangup(timeout)
    ended = done.wait(timeout)
    return CancelledRead(list(items), failures, ended, hung_up_at)


# --- media a fake answers with ---------------------------------------------------------------


def png(width: int = 4, height: int = 3, pixel: bytes = b"\x80\x80\x80") -> bytes:
    """A valid PNG of one colour: `pixel` is RGB (3 bytes) or grey (1 byte)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + pixel * width for _ in range(height))
    colour = 2 if len(pixel) == 3 else 0
    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def wav(seconds: float = 0.5, rate: int = 16000) -> bytes:
    """A valid silent mono 16-bit WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


__all__ = [
    "CancelledRead",
    "FakeHandler",
    "FakeServer",
    "LoopbackHTTPServer",
    "QuietHandler",
    "RecordedRequest",
    "cancel_a_read",
    "closing_all",
    "decode_json",
    "in_call",
    "on_path",
    "peer_closed",
    "png",
    "run_in_call",
    "sse",
    "wav",
]


def host_test_helper(name: str, host_root: Path) -> Any:
    """`tests/helpers/<name>.py` of the MediaConduit checkout at `host_root`, imported once.

    For the providers that live in MediaConduit's own repository and borrow its test
    helpers (the speech engines, say). In the host's test process the module is
    `tests.helpers.<name>`; in the provider's own suite `tests` is the provider's own
    folder, so the file is loaded by path under another name.
    """
    import importlib
    import importlib.util

    try:
        return importlib.import_module(f"tests.helpers.{name}")
    except ImportError:
        pass
    alias = f"_mediaconduit_test_{name}"
    if alias not in sys.modules:
        if str(host_root) not in sys.path:
            sys.path.append(str(host_root))
        path = host_root / "tests" / "helpers" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(alias, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"the host's test helper {path} is missing")
        sys.modules[alias] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[alias]
