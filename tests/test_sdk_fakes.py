"""The SDK's toolkit for fake upstreams: a loopback server, its request log, its answers."""

from __future__ import annotations

import http.client
import json
import socket
import struct
import sys
import threading
import time
import wave
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest

from mediaconduit.sdk import cancelled, on_cancel
from mediaconduit.sdk.calls import CallContext
from mediaconduit.sdk.fakes import (
    FakeHandler,
    FakeServer,
    RecordedRequest,
    cancel_a_read,
    closing_all,
    in_call,
    on_path,
    png,
    run_in_call,
    sse,
    wav,
)


class Echo(FakeServer):
    def __init__(self) -> None:
        super().__init__(EchoHandler)
        self.held = threading.Event()


class EchoHandler(FakeHandler):
    fake: Echo

    def serve(self, request: RecordedRequest) -> None:
        routes = {"/json": self._json, "/error": self._error, "/sse": self._sse,
                  "/ndjson": self._ndjson, "/hold": self._hold, "/bytes": self._bytes}
        routes[request.path](request)

    def response_headers(self) -> list[tuple[str, str]]:
        return [("x-request-id", "req-1")]

    def _json(self, request: RecordedRequest) -> None:
        self.send_json(201, {"got": request.body, "query": dict(request.query)},
                       [("x-extra", "1")])

    def _error(self, request: RecordedRequest) -> None:
        self.send_error_body(429, {"error": {"message": "slow down"}}, [("retry-after", "2")])

    def _bytes(self, request: RecordedRequest) -> None:
        self.send_bytes(200, b"\x00\x01", "application/octet-stream")

    def _sse(self, request: RecordedRequest) -> None:
        self.start_stream("text/event-stream")
        self.send_event({"n": 1}, event="update", id="7")
        self.send_event("[DONE]")
        self.end_stream()

    def _ndjson(self, request: RecordedRequest) -> None:
        self.start_stream("application/x-ndjson", chunked=False)
        self.send_ndjson({"n": 1})
        self.send_ndjson({"done": True})

    def _hold(self, request: RecordedRequest) -> None:
        self.start_stream("text/event-stream")
        self.send_event("first")
        self.fake.held.set()
        self.hold_until_hangup(5, tick=0.005)


@pytest.fixture
def fake() -> Iterator[Echo]:
    with Echo() as server:
        yield server


def call(fake: Echo, method: str, path: str, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=5)
    connection.request(method, path, body=body, headers=headers or {})
    return connection.getresponse()


def test_base_url_is_loopback_on_a_free_port(fake: Echo) -> None:
    assert fake.base_url == f"http://127.0.0.1:{fake.port}"
    assert fake.port > 0


def test_json_answer_and_the_request_log(fake: Echo) -> None:
    answer = call(fake, "POST", "/json?a=1&a=2", b'{"x": 1}',
                  {"Content-Type": "application/json", "X-Key": "k"})
    assert answer.status == 201
    assert answer.getheader("x-request-id") == "req-1"
    assert answer.getheader("x-extra") == "1"
    assert json.loads(answer.read()) == {"got": {"x": 1}, "query": {"a": "2"}}
    (seen,) = fake.requests_to("/json")
    assert (seen.method, seen.path, seen.headers["x-key"]) == ("POST", "/json", "k")
    assert seen.raw == b'{"x": 1}' and seen.json == {"x": 1} and seen.body == {"x": 1}


def test_a_chunked_request_body_is_read_whole(fake: Echo) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=5)
    connection.request("POST", "/json", body=iter([b'{"x":', b' 2}']),
                       encode_chunked=True, headers={"Transfer-Encoding": "chunked"})
    assert json.loads(connection.getresponse().read())["got"] == {"x": 2}


def test_error_body_keeps_status_and_headers(fake: Echo) -> None:
    answer = call(fake, "GET", "/error")
    assert (answer.status, answer.getheader("retry-after")) == (429, "2")
    assert json.loads(answer.read()) == {"error": {"message": "slow down"}}


def test_bytes_answer(fake: Echo) -> None:
    answer = call(fake, "GET", "/bytes")
    assert answer.getheader("content-type") == "application/octet-stream"
    assert answer.read() == b"\x00\x01"


def test_sse_framing_in_a_chunked_stream(fake: Echo) -> None:
    answer = call(fake, "GET", "/sse")
    assert answer.getheader("transfer-encoding") == "chunked"
    assert answer.read() == b'event: update\nid: 7\ndata: {"n": 1}\n\ndata: [DONE]\n\n'


def test_sse_splits_lines_into_data_lines() -> None:
    assert sse("a\nb") == b"data: a\ndata: b\n\n"


def test_ndjson_until_the_connection_closes(fake: Echo) -> None:
    answer = call(fake, "GET", "/ndjson")
    assert answer.getheader("connection") == "close"
    lines = answer.read().splitlines()
    assert [json.loads(line) for line in lines] == [{"n": 1}, {"done": True}]


def test_a_client_hang_up_is_noticed_and_recorded(fake: Echo) -> None:
    sock = socket.create_connection(("127.0.0.1", fake.port), timeout=5)
    sock.sendall(b"GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
    assert fake.held.wait(5)
    closed_at = time.monotonic()
    sock.close()
    seen = fake.wait_for_hangup(timeout=5)
    assert seen is not None and seen >= closed_at


def test_wait_for_and_reset(fake: Echo) -> None:
    assert not fake.wait_for(lambda: fake.requests, timeout=0.02)
    assert not fake.wait_for("/bytes", timeout=0.02)
    call(fake, "GET", "/bytes").read()
    assert fake.wait_for(lambda: fake.requests, timeout=1)
    assert fake.wait_for("/bytes", timeout=1)
    assert not fake.wait_for("/bytes", count=2, timeout=0.02)
    fake.reset()
    assert fake.requests == [] and fake.hangups == []


def test_scripted_replies_are_taken_in_order_per_endpoint(fake: Echo) -> None:
    fake.script("chat", "first", "second")
    fake.script("models", "listing")
    assert [fake.scripted("chat"), fake.scripted("chat"), fake.scripted("chat")] == [
        "first", "second", None]
    fake.reset()
    assert fake.scripted("models") is None


def test_an_unserved_method_is_501_and_not_recorded(fake: Echo) -> None:
    assert call(fake, "DELETE", "/json").status == 501
    assert fake.requests == []


def test_stop_ends_serving_and_start_serves_again() -> None:
    fake = Echo().start()
    port = fake.port
    fake.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    with fake:
        assert call(fake, "GET", "/bytes").status == 200


def test_the_listen_queue_takes_a_burst(fake: Echo) -> None:
    assert fake._bound().request_queue_size == 128


def test_png_rgb_and_grey() -> None:
    rgb, grey = png(4, 3), png(2, 2, pixel=b"\x80")
    assert rgb.startswith(b"\x89PNG\r\n\x1a\n") and grey.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">IIBB", rgb[16:26]) == (4, 3, 8, 2)
    assert struct.unpack(">IIBB", grey[16:26]) == (2, 2, 8, 0)


def test_wav_is_silent_mono_16_bit() -> None:
    with wave.open(BytesIO(wav(0.25, 8000))) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate(),
                audio.getnframes()) == (1, 2, 8000, 2000)


def test_closing_all_closes_what_the_factory_made() -> None:
    closed: list[str] = []

    class Thing:
        def __init__(self, name: str) -> None:
            self.name = name

        def close(self) -> None:
            closed.append(self.name)

    with closing_all(Thing) as make:
        assert make("a").name == "a"
        make("b")
        assert closed == []
    assert closed == ["a", "b"]


def test_on_path_puts_folders_first_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    on_path(tmp_path / "src", tmp_path / "tests")
    on_path(tmp_path / "src")
    assert sys.path[:2] == [str(tmp_path / "tests"), str(tmp_path / "src")]
    assert sys.path.count(str(tmp_path / "src")) == 1


def test_in_call_and_run_in_call_make_a_cancellable_call() -> None:
    with in_call() as context:
        assert not cancelled()
        context.cancel()
        assert cancelled()
    call = CallContext()
    started = threading.Event()

    def block() -> None:
        started.set()
        while not cancelled():
            time.sleep(0.005)
        raise RuntimeError("cancelled")

    done, failures = run_in_call(call, block)
    assert started.wait(5)
    call.cancel()
    assert done.wait(5)
    assert [str(f) for f in failures] == ["cancelled"]


def test_cancel_a_read_cancels_a_stream_and_sees_the_fake_notice(fake: Echo) -> None:
    def stream() -> Iterator[str]:
        sock = socket.create_connection(("127.0.0.1", fake.port), timeout=5)
        on_cancel(sock.close)  # what a provider's cancel hook does: hang up
        sock.sendall(b"GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
        assert fake.held.wait(5)  # the first event is on its way
        yield "first"
        while not cancelled():
            time.sleep(0.005)

    read = cancel_a_read(stream, fake)
    assert read.items == ["first"] and read.failures == [] and read.ended
    assert read.hung_up_at is not None


def test_the_new_sdk_modules_need_only_the_standard_library() -> None:
    import subprocess

    code = ("import sys; before = set(sys.modules); import mediaconduit.sdk.fakes, "
            "mediaconduit.sdk.settings, mediaconduit.sdk.chat, mediaconduit.sdk.upstream; "
            "allowed = set(sys.stdlib_module_names) | {'mediaconduit'}; "
            "print(sorted({m.split('.')[0] for m in set(sys.modules) - before} - allowed))")
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert out.stdout.strip() == "[]"
