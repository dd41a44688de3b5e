"""`mediaconduit.sdk.http` against a real HTTP server on loopback (no mocks)."""

from __future__ import annotations

import collections
import dataclasses
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import pytest

from mediaconduit.sdk.errors import (
    AuthenticationError,
    InvalidInputError,
    MediaConduitError,
    ModelNotFoundError,
    PaymentRequiredError,
    ProviderUnavailableError,
    RateLimitError,
)
from mediaconduit.sdk.http import (
    ErrorResponse,
    HTTPClient,
    RetryPolicy,
    SSEEvent,
    Timeouts,
    default_error,
    error_message,
    iter_lines,
    iter_ndjson,
    iter_sse,
    parse_retry_after,
    parse_sse,
)
from tests.helpers.loopback import LoopbackServer, QuietHandler

FAST = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.05, max_retry_wait=2.0)


@dataclasses.dataclass(frozen=True)
class Canned:
    """One scripted answer: status, headers, body chunks, a pause after the first chunk."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
    chunks: tuple[bytes, ...] = (b"{}",)
    pause: float = 0.0
    gap: float = 0.0
    drop: bool = False


@dataclasses.dataclass(frozen=True)
class Seen:
    at: float
    wall: float
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Server(LoopbackServer):
    def __init__(self) -> None:
        super().__init__(Handler)
        self.script: collections.deque[Canned] = collections.deque()
        self.seen: list[Seen] = []
        self.stopping = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def answer(self, *canned: Canned) -> None:
        self.script.extend(canned)


class Handler(QuietHandler):
    server: Server

    def serve(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = dict(self.headers.items())
        self.server.seen.append(
            Seen(time.monotonic(), time.time(), self.command, self.path, headers, body)
        )
        script = self.server.script
        canned = script.popleft() if script else Canned(500, chunks=(b"unscripted",))
        if canned.drop:
            self.close_connection = True
            return
        self._write(canned)

    def _write(self, canned: Canned) -> None:
        self.send_response(canned.status)
        for name, value in canned.headers:
            self.send_header(name, value)
        streamed = len(canned.chunks) > 1 or canned.pause > 0 or canned.gap > 0
        if streamed:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(canned.chunks[0])))
        self.end_headers()
        if not streamed:
            self.wfile.write(canned.chunks[0])
            return
        try:
            self._write_chunks(canned)
        except OSError:
            self.close_connection = True

    def _write_chunks(self, canned: Canned) -> None:
        for index, chunk in enumerate(canned.chunks):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()
            pause = canned.pause if index == 0 else 0.0
            self.server.stopping.wait(pause + canned.gap)
        self.wfile.write(b"0\r\n\r\n")


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.stopping.set()
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def client(server: Server) -> Iterator[HTTPClient]:
    with HTTPClient(server.url, headers={"X-App": "tests"}, retry=FAST,
                    timeouts=Timeouts(connect=2, read=5, idle=0.3)) as http:
        yield http


def jsonc(status: int, body: Any, *headers: tuple[str, str]) -> Canned:
    return Canned(status, (("Content-Type", "application/json"), *headers),
                  (json.dumps(body).encode(),))


def sse(*chunks: bytes, pause: float = 0.0, gap: float = 0.0) -> Canned:
    return Canned(200, (("Content-Type", "text/event-stream"),), chunks, pause, gap)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- requests, retries and errors ------------------------------------------------


def test_request_json_sends_base_url_path_params_headers_and_body(
    server: Server, client: HTTPClient
) -> None:
    server.answer(jsonc(200, {"ok": True}))
    body = client.request_json("POST", "/chat", json={"a": 1}, params={"q": "x"},
                               headers={"X-Call": "1"})
    assert body == {"ok": True}
    seen = server.seen[0]
    assert (seen.method, seen.path) == ("POST", "/v1/chat?q=x")
    assert seen.headers["X-App"] == "tests"
    assert seen.headers["X-Call"] == "1"
    assert json.loads(seen.body) == {"a": 1}


def test_5xx_is_retried_until_success(server: Server, client: HTTPClient) -> None:
    server.answer(jsonc(503, {"error": "busy"}), jsonc(502, {"error": "bad gw"}),
                  jsonc(200, {"n": 3}))
    assert client.request_json("GET", "models") == {"n": 3}
    assert len(server.seen) == 3


def test_5xx_gives_up_after_the_configured_attempts(server: Server, client: HTTPClient) -> None:
    server.answer(*[jsonc(500, {"error": {"message": "boom"}})] * 5)
    with pytest.raises(ProviderUnavailableError, match="boom"):
        client.request_json("GET", "models")
    assert len(server.seen) == FAST.attempts


def test_429_waits_for_retry_after_seconds(server: Server, client: HTTPClient) -> None:
    server.answer(jsonc(429, {"error": "slow down"}, ("Retry-After", "0.2")), jsonc(200, {}))
    client.request_json("GET", "models")
    first, second = server.seen
    assert second.at - first.at >= 0.2


def test_429_waits_for_retry_after_http_date(server: Server, client: HTTPClient) -> None:
    when = (datetime.now(timezone.utc) + timedelta(seconds=1.5)).replace(microsecond=0)
    server.answer(jsonc(429, {}, ("Retry-After", format_datetime(when, usegmt=True))),
                  jsonc(200, {}))
    client.request_json("GET", "models")
    assert server.seen[1].wall >= when.timestamp()


def test_429_with_retry_after_beyond_the_bound_is_not_retried(server: Server) -> None:
    server.answer(jsonc(429, {"error": {"message": "daily limit"}}, ("Retry-After", "3600")))
    with HTTPClient(server.url, retry=FAST) as http, pytest.raises(RateLimitError) as info:
        http.request_json("GET", "models")
    assert info.value.retry_after == 3600
    assert "daily limit" in str(info.value)
    assert len(server.seen) == 1


def test_429_exhausted_is_a_rate_limit_error_with_retry_after(server: Server) -> None:
    server.answer(*[jsonc(429, {}, ("Retry-After", "0.05"))] * 3)
    with HTTPClient(server.url, retry=FAST) as http, pytest.raises(RateLimitError) as info:
        http.request_json("GET", "models")
    assert info.value.retry_after == pytest.approx(0.05)
    assert len(server.seen) == 3


@pytest.mark.parametrize(
    ("status", "kind"),
    [(400, InvalidInputError), (401, AuthenticationError), (402, PaymentRequiredError),
     (403, AuthenticationError), (404, ModelNotFoundError), (422, InvalidInputError)],
)
def test_4xx_maps_to_typed_errors_without_retry(
    server: Server, client: HTTPClient, status: int, kind: type[Exception]
) -> None:
    server.answer(jsonc(status, {"error": {"message": f"nope {status}"}}))
    with pytest.raises(kind, match=f"nope {status}"):
        client.request_json("POST", "chat", json={})
    assert len(server.seen) == 1


def test_custom_error_mapper_sees_status_body_and_sent_json(server: Server) -> None:
    seen: list[ErrorResponse] = []

    def mapper(response: ErrorResponse) -> MediaConduitError:
        seen.append(response)
        return InvalidInputError(f"mapped {response.status}")

    server.answer(jsonc(418, {"error": "teapot"}))
    with HTTPClient(server.url, error_mapper=mapper) as http, pytest.raises(
        InvalidInputError, match="mapped 418"
    ):
        http.request_json("POST", "brew", json={"model": "m"})
    assert seen[0].sent == {"model": "m"}
    assert seen[0].message() == "teapot"
    assert seen[0].path == "/v1/brew"


def test_dropped_connection_is_retried(server: Server, client: HTTPClient) -> None:
    server.answer(Canned(drop=True), jsonc(200, {"ok": 1}))
    assert client.request_json("GET", "models") == {"ok": 1}
    assert len(server.seen) == 2


def test_refused_connection_is_unavailable_after_retries() -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    with HTTPClient(url, retry=FAST) as http, pytest.raises(
        ProviderUnavailableError, match=r"cannot reach http://127\.0\.0\.1"
    ):
        http.request_json("GET", "models")


def test_slow_answer_is_a_read_timeout_not_retried(server: Server) -> None:
    server.answer(Canned(chunks=(b"{", b"}"), pause=2), jsonc(200, {}))
    with HTTPClient(server.url, retry=FAST, timeouts=Timeouts(read=0.2)) as http, pytest.raises(
        ProviderUnavailableError, match=r"within 0\.2 s"
    ):
        http.request_json("GET", "models")
    assert len(server.seen) == 1


def test_non_json_success_body_is_a_clear_error(server: Server, client: HTTPClient) -> None:
    server.answer(Canned(chunks=(b"<html>oops</html>",)))
    with pytest.raises(ProviderUnavailableError, match="not JSON"):
        client.request_json("GET", "models")


def test_credentials_are_scrubbed_from_error_messages(server: Server) -> None:
    key = "sk-secret-0123456789"
    server.answer(jsonc(401, {"error": {"message": f"bad key {key}"}}))
    auth = {"Authorization": f"Bearer {key}"}
    with HTTPClient(server.url, headers=auth) as http, pytest.raises(AuthenticationError) as info:
        http.request_json("GET", "models")
    assert key not in str(info.value)
    assert "bad key ***" in str(info.value)


# --- pure helpers ---------------------------------------------------------------


def test_parse_retry_after_forms() -> None:
    now = datetime(2026, 8, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("3", now) == 3.0
    assert parse_retry_after("0.25", now) == 0.25
    assert parse_retry_after("Sat, 01 Aug 2026 12:00:07 GMT", now) == 7.0
    assert parse_retry_after("Sat, 01 Aug 2026 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_backoff_grows_is_capped_and_jittered_upwards() -> None:
    policy = RetryPolicy(attempts=10, backoff=1.0, max_backoff=4.0, jitter=0.5)
    for attempt, base in [(0, 1.0), (1, 2.0), (2, 4.0), (5, 4.0)]:
        delay = policy.backoff_delay(attempt)
        assert base <= delay <= base * 1.5
    assert policy.wait(9, None) is None
    assert policy.wait(0, 100.0) is None  # beyond max_retry_wait


def test_default_error_names_method_path_and_message() -> None:
    response = ErrorResponse(500, "POST", "/v1/x", {}, '{"detail": "kaputt"}')
    error = default_error(response)
    assert isinstance(error, ProviderUnavailableError)
    assert str(error) == "HTTP 500 from POST /v1/x: kaputt"


def test_error_message_shapes() -> None:
    assert error_message({"error": {"message": "a", "code": 1}}) == "a"
    assert error_message({"error": "b"}) == "b"
    assert error_message({"message": "c"}) == "c"
    assert error_message({"detail": "d"}) == "d"
    assert error_message({"error": {"type": "e"}}) == "e"
    assert error_message(["x"]) == ""


# --- SSE framing ------------------------------------------------------------------


def events(*chunks: bytes) -> list[SSEEvent]:
    return list(parse_sse(iter_lines(chunks)))


def test_sse_fields_comments_and_dispatch() -> None:
    got = events(b": keep-alive\n\nevent: ping\nid: 7\ndata: {\"a\":1}\n\ndata:x\n\n")
    assert got == [SSEEvent('{"a":1}', "ping", "7"), SSEEvent("x", "message", "7")]
    assert got[0].json() == {"a": 1}


def test_sse_multiline_data_and_empty_data() -> None:
    got = events(b"data: one\ndata:  two\ndata\n\ndata:\n\n")
    assert [e.data for e in got] == ["one\n two\n", ""]


def test_sse_blank_lines_without_data_dispatch_nothing() -> None:
    assert events(b"\n\nevent: x\n\n: c\n\n") == []


def test_sse_line_endings_crlf_cr_and_split_across_chunks() -> None:
    got = events(b"data: a\r", b"\n\r\ndata: b\r\rdata: c", b"\n", b"\n")
    assert [e.data for e in got] == ["a", "b", "c"]


def test_sse_utf8_split_inside_a_character_and_bom() -> None:
    text = "\ufeffdata: café ☕\n\n".encode()
    cut = text.index("☕".encode()) + 1
    assert [e.data for e in events(text[:cut], text[cut:])] == ["café ☕"]


def test_sse_only_cr_lf_break_lines_not_unicode_separators() -> None:
    assert [e.data for e in events('data: a\u2028b\x0cc\n\n'.encode())] == ["a\u2028b\x0cc"]


def test_sse_retry_field_and_id_with_nul_ignored() -> None:
    got = events(b"retry: 1500\nid: 1\ndata: a\n\nid: x\x00y\nretry: soon\ndata: b\n\n")
    assert [(e.id, e.retry) for e in got] == [("1", 1500), ("1", 1500)]


def test_sse_event_cut_off_at_end_of_stream_is_dropped() -> None:
    assert [e.data for e in events(b"data: a\n\ndata: b\n")] == ["a"]


def test_sse_over_http_with_comments_and_done(server: Server, client: HTTPClient) -> None:
    server.answer(
        sse(b": OPENROUTER PROCESSING\n\n", b'data: {"n":', b'1}\n\n', b"data: [DONE]\n\n")
    )
    with client.stream("POST", "chat", json={"stream": True}) as response:
        got = [e.data for e in iter_sse(response)]
    assert got == ['{"n":1}', "[DONE]"]


def test_stream_retries_before_the_body_starts(server: Server, client: HTTPClient) -> None:
    server.answer(jsonc(503, {"error": "warming"}), sse(b"data: o", b"k\n\n"))
    with client.stream("GET", "events") as response:
        assert [e.data for e in iter_sse(response)] == ["ok"]
    assert len(server.seen) == 2


def test_stream_error_status_is_typed(server: Server, client: HTTPClient) -> None:
    server.answer(jsonc(402, {"error": {"message": "no credits"}}))
    with pytest.raises(PaymentRequiredError, match="no credits"), client.stream("GET", "e"):
        pytest.fail("the body must not be reached")


def test_idle_timeout_on_a_silent_stream(server: Server, client: HTTPClient) -> None:
    server.answer(sse(b"data: first\n\n", b"data: late\n\n", pause=3))
    got: list[str] = []
    with pytest.raises(ProviderUnavailableError, match=r"went silent for 0\.3 s"), client.stream(
        "GET", "events"
    ) as response:
        got.extend(e.data for e in iter_sse(response))
    assert got == ["first"]


def test_keepalive_comments_keep_an_idle_stream_alive(server: Server, client: HTTPClient) -> None:
    beats = [b": beat\n\n"] * 5  # 0.15 s apart: 0.9 s in all, more than the 0.3 s idle limit
    server.answer(sse(b"data: a\n\n", *beats, b"data: b\n\n", gap=0.15))
    with client.stream("GET", "events") as response:
        assert [e.data for e in iter_sse(response)] == ["a", "b"]


# --- NDJSON -----------------------------------------------------------------------


def test_ndjson_lines_split_across_chunks(server: Server, client: HTTPClient) -> None:
    server.answer(Canned(200, (("Content-Type", "application/x-ndjson"),),
                         (b'{"a": 1}\n{"b"', b': 2}\n\n{"done": true}')))
    with client.stream("POST", "api/chat", json={}) as response:
        assert list(iter_ndjson(response)) == [{"a": 1}, {"b": 2}, {"done": True}]


def test_ndjson_bad_line_is_a_clear_error(server: Server, client: HTTPClient) -> None:
    server.answer(Canned(200, (), (b'{"a": 1}\n', b"oops\n")))
    with pytest.raises(ProviderUnavailableError, match="not JSON"), client.stream(
        "POST", "api/chat"
    ) as response:
        list(iter_ndjson(response))


def test_ndjson_idle_timeout(server: Server, client: HTTPClient) -> None:
    server.answer(Canned(200, (), (b'{"a": 1}\n', b'{"b": 2}\n'), pause=3))
    got: list[Any] = []
    with pytest.raises(ProviderUnavailableError, match="idle timeout"), client.stream(
        "POST", "api/pull"
    ) as response:
        got.extend(iter_ndjson(response))
    assert got == [{"a": 1}]


def test_a_multipart_upload_and_raw_bytes(client: HTTPClient, server: Server) -> None:
    server.answer(Canned(chunks=(b'{"ok": 1}',)), Canned(chunks=(b'{"ok": 2}',)))
    upload = {"audio_file": ("a.wav", b"RIFF", "audio/wav")}
    assert client.request_json("POST", "/upload", files=upload,
                               data={"task": "transcribe"}) == {"ok": 1}
    first = server.seen[0]
    assert first.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="audio_file"; filename="a.wav"' in first.body and b"RIFF" in first.body
    assert b'name="task"' in first.body
    assert client.request_json("POST", "/raw", content=b"\x00\x01") == {"ok": 2}
    assert server.seen[1].body == b"\x00\x01"
    with pytest.raises(TypeError, match="unexpected keyword arguments: nope"):
        client.request("GET", "/x", nope=1)


def test_a_per_request_timeout_replaces_the_read_timeout(client: HTTPClient,
                                                         server: Server) -> None:
    server.answer(*[Canned(chunks=(b"{", b"}"), pause=1.0)] * 3)
    started = time.monotonic()
    with pytest.raises(ProviderUnavailableError):
        client.request("GET", "/slow", timeout=0.2)
    assert time.monotonic() - started < 0.2 * 3 + 1.0  # three tries of 0.2 s, not of 5 s


def test_a_cancel_ends_the_backoff_at_once(server: Server) -> None:
    from mediaconduit.sdk.calls import CallContext, enter_call, leave_call

    slow = RetryPolicy(attempts=5, backoff=5.0, max_backoff=5.0, max_retry_wait=10.0)
    server.answer(*[Canned(503, chunks=(b"busy",))] * 5)
    context = CallContext()
    threading.Timer(0.2, context.cancel).start()
    started = time.monotonic()
    token = enter_call(context)
    try:
        with HTTPClient(server.url, retry=slow) as http, pytest.raises(ProviderUnavailableError):
            http.request("GET", "/busy")
    finally:
        leave_call(token)
    assert time.monotonic() - started < 2.0  # not 4 x 5 s of backoff
