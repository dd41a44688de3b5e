"""Findings 2 and 3: a worker that breaks the protocol, or dies behind a forked child."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mediaconduit import ProviderCrashedError
from mediaconduit.registry import ProviderRegistry

Hostile = Callable[..., str]

WRITES_FRAME = """
frame(bytes.fromhex(input.text))
time.sleep(30)
return Text("never")
"""

BAD_FRAMES = {
    "not JSON": b"not json at all",
    "not an object": b"[1, 2, 3]",
    "not UTF-8": b'\xff\xfe{"id": 1}',
    "unhashable id": b'{"id": [1], "result": {}}',
    "error as a string": b'{"id": 1, "error": "boom"}',
    "reply without a result": b'{"id": 1}',
    "deeply nested": b"[" * 200_000,
}


@pytest.mark.parametrize("frame", BAD_FRAMES.values(), ids=list(BAD_FRAMES))
def test_finding2_malformed_frame_ends_the_worker_and_the_next_call_starts_a_new_one(
        registry: ProviderRegistry, hostile: Hostile, frame: bytes) -> None:
    handle = registry.get_provider(hostile(WRITES_FRAME))
    model = handle.get_model("m")
    first = handle.health()["worker_pid"]
    started = time.monotonic()
    with pytest.raises(ProviderCrashedError, match="broke the protocol"):
        model.transform(frame.hex(), timeout=20)
    assert time.monotonic() - started < 10
    assert handle.health()["worker_pid"] != first  # a new worker answers


def test_finding2_a_frame_larger_than_allowed_is_a_violation(
        registry: ProviderRegistry, hostile: Hostile) -> None:
    body = """
    os.write(channel_fd(), (1 << 31).to_bytes(4, "big") + b"{")
    time.sleep(30)
    """
    handle = registry.get_provider(hostile(body))
    with pytest.raises(ProviderCrashedError, match=r"broke the protocol \(sent a frame of 2147"):
        handle.get_model("m").transform("x", timeout=20)


UNKNOWN_KIND = """
import mediaconduit.sdk._worker as w
w.Server.checked = lambda self, what, result: {"kind": "hologram"}
return Text("x")
"""


def test_finding2_unknown_asset_kind_is_a_violation_not_an_attribute_error(
        registry: ProviderRegistry, hostile: Hostile) -> None:
    handle = registry.get_provider(hostile(UNKNOWN_KIND))
    with pytest.raises(ProviderCrashedError, match="unknown asset kind 'hologram'"):
        handle.get_model("m").transform("x", timeout=20)


def test_finding2_pending_calls_fail_too(registry: ProviderRegistry, hostile: Hostile) -> None:
    body = """
    if input.text == "wait":
        time.sleep(30)
        return Text("never")
    frame(b"garbage")
    time.sleep(30)
    """
    handle = registry.get_provider(hostile(body))
    model = handle.get_model("m")
    errors: list[BaseException] = []

    def waiting() -> None:
        try:
            model.transform("wait", timeout=20)
        except BaseException as e:
            errors.append(e)

    thread = threading.Thread(target=waiting)
    thread.start()
    time.sleep(0.3)
    with pytest.raises(ProviderCrashedError):
        model.transform("break", timeout=20)
    thread.join(10)
    assert errors and isinstance(errors[0], ProviderCrashedError)


FORKS_THEN_DIES = """
import multiprocessing
child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(8,))
child.start()
open(input.text, "w").write(str(child.pid))
os._exit(4)
"""

LEAKS_SOCKET_THEN_DIES = """
import subprocess
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(8)"],
                         pass_fds=[channel_fd()])
open(input.text, "w").write(str(child.pid))
os._exit(4)
"""


@pytest.mark.parametrize("body", [FORKS_THEN_DIES, LEAKS_SOCKET_THEN_DIES],
                         ids=["multiprocessing fork", "socket passed to a program"])
def test_finding3_worker_death_is_seen_while_its_child_holds_the_socket(
        registry: ProviderRegistry, hostile: Hostile, tmp_path: Path, body: str) -> None:
    handle = registry.get_provider(hostile(body))
    pid_file = tmp_path / "child.pid"
    started = time.monotonic()
    try:
        with pytest.raises(ProviderCrashedError) as info:
            handle.get_model("m").transform(str(pid_file), timeout=20)
        assert time.monotonic() - started < 6
        assert info.value.exit_code == 4
    finally:
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid_file.read_text()), signal.SIGKILL)


STREAM_GETS_A_RESULT = """
import mediaconduit.sdk._worker as w

def stream(self, rid, message, context):
    self.channel.send({"id": rid, "result": {"kind": "text", "text": "not a chunk"}})

w.Server.stream = stream
return Text("x")
"""


def test_finding2_a_result_where_a_stream_chunk_belongs_is_a_violation(
        registry: ProviderRegistry, hostile: Hostile) -> None:
    handle = registry.get_provider(hostile(STREAM_GETS_A_RESULT))
    model = handle.get_model("m")
    model.transform("install the broken stream")
    with pytest.raises(ProviderCrashedError, match="where a stream's chunk was expected"):
        list(model.stream("x", timeout=20))
