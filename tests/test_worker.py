"""Workers: isolation, the channel, crashes, concurrency, streaming, media, lifetime."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mediaconduit import Image, ProviderCrashedError, RateLimitError, Text, worker
from mediaconduit.errors import ProtocolError
from mediaconduit.handles import ProviderHandle
from mediaconduit.registry import ProviderRegistry
from mediaconduit.sdk.errors import (
    InvalidInputError,
    ModelNotFoundError,
    ProviderBugError,
    ProviderLoadError,
)
from tests.conftest import ROOT, TEST_PROVIDERS

TOOLKIT = str(TEST_PROVIDERS / "toolkit")


@pytest.fixture
def toolkit(registry: ProviderRegistry, monkeypatch: pytest.MonkeyPatch) -> ProviderHandle:
    monkeypatch.setenv("TOOLKIT_TOKEN", "declared-value")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "undeclared-value")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    return registry.get_provider(TOOLKIT)


def test_worker_sees_only_the_allowlist_and_declared_variables(toolkit: ProviderHandle) -> None:
    seen = json.loads(toolkit.get_model("env").transform("").text)  # type: ignore[union-attr]
    assert seen["TOOLKIT_TOKEN"] == "declared-value"
    assert "AWS_SECRET_ACCESS_KEY" not in seen
    assert seen["LC_ALL"] == "C.UTF-8"
    assert "PATH" in seen
    assert not any(name.startswith("MEDIACONDUIT_") for name in seen)
    assert not set(seen) - worker.ALLOWED_ENV - {"TOOLKIT_TOKEN", "LC_ALL", "LC_CTYPE"}


def test_worker_env_function() -> None:
    env = worker.worker_env(["MY_KEY"], {"MY_KEY": "1", "OTHER_KEY": "2", "HOME": "/h",
                                          "LC_TIME": "C", "HTTPS_PROXY": "p"})
    assert env == {"MY_KEY": "1", "HOME": "/h", "LC_TIME": "C", "HTTPS_PROXY": "p"}


def test_provider_output_goes_to_the_log_not_the_channel(toolkit: ProviderHandle) -> None:
    model = toolkit.get_model("noisy")
    assert model.transform("x").text == "quiet answer"  # type: ignore[union-attr]
    assert toolkit.get_model("echo").transform("still fine").text == "still fine"  # type: ignore[union-attr]
    log = Path(toolkit.health()["log"]).read_text(errors="replace")
    assert "toolkit imported: hello on stdout" in log
    assert "noise on stdout" in log
    assert "raw bytes on fd 1" in log


def test_crash_gives_last_lines_and_the_next_call_starts_a_new_worker(
        toolkit: ProviderHandle) -> None:
    first_pid = toolkit.health()["worker_pid"]
    with pytest.raises(ProviderCrashedError) as info:
        toolkit.get_model("crash").transform("x")
    assert "about to crash: last words" in info.value.last_lines
    assert info.value.exit_code == 3
    assert "about to crash" in str(info.value)
    assert toolkit.get_model("echo").transform("back").text == "back"  # type: ignore[union-attr]
    assert toolkit.health()["worker_pid"] != first_pid


def test_killed_worker_fails_calls_in_flight_and_is_replaced(toolkit: ProviderHandle) -> None:
    pid = toolkit.health()["worker_pid"]
    errors: list[BaseException] = []

    def slow_call() -> None:
        try:
            toolkit.get_model("slow").transform("60")
        except ProviderCrashedError as e:
            errors.append(e)

    caller = threading.Thread(target=slow_call)
    caller.start()
    time.sleep(0.3)
    os.kill(pid, signal.SIGKILL)
    caller.join(30)
    assert len(errors) == 1
    assert "signal 9" in str(errors[0])
    assert toolkit.get_model("echo").transform("y").text == "y"  # type: ignore[union-attr]
    assert toolkit.health()["worker_pid"] != pid


def test_idle_worker_killed_is_replaced_on_the_next_call(toolkit: ProviderHandle) -> None:
    old = toolkit.worker()
    os.kill(old.process.pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while old.alive and time.monotonic() < deadline:
        time.sleep(0.01)
    assert toolkit.get_model("echo").transform("z").text == "z"  # type: ignore[union-attr]
    assert toolkit.worker() is not old


def test_typed_errors_cross_the_boundary(toolkit: ProviderHandle) -> None:
    fail = toolkit.get_model("fail")
    with pytest.raises(RateLimitError) as rate:
        fail.transform("rate")
    assert rate.value.retry_after == 7.5
    with pytest.raises(InvalidInputError, match="try another"):
        fail.transform("invalid")
    with pytest.raises(ProviderBugError) as bug:
        fail.transform("other")
    assert bug.value.remote_type == "KeyError"
    assert "Traceback" in bug.value.remote_traceback
    with pytest.raises(ModelNotFoundError) as missing:
        toolkit.get_model("no-such-model")
    assert missing.value.model_id == "no-such-model"


def test_calls_from_several_threads_are_in_flight_at_once(toolkit: ProviderHandle) -> None:
    model = toolkit.get_model("rendezvous")
    results: list[str] = []
    threads = [threading.Thread(target=lambda i=i: results.append(
        model.transform(str(i)).text)) for i in range(3)]  # type: ignore[union-attr, misc]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["met 0", "met 1", "met 2"]


def test_stream_in_order_and_cancel(toolkit: ProviderHandle) -> None:
    count = toolkit.get_model("count")
    assert list(count.stream("5")) == ["0,", "1,", "2,", "3,", "4,"]
    chunks = count.stream("100000")
    assert [next(chunks) for _ in range(3)] == ["0,", "1,", "2,"]
    chunks.close()  # type: ignore[attr-defined]
    assert toolkit.get_model("echo").transform("after").text == "after"  # type: ignore[union-attr]
    assert "".join(count.stream("3")) == "0,1,2,"


def test_media_crosses_as_files(toolkit: ProviderHandle, tmp_path: Path) -> None:
    source = tmp_path / "in.png"
    source.write_bytes(b"\x89PNG fake image bytes")
    flipped = toolkit.get_model("flip").transform(Image.from_path(source))
    assert isinstance(flipped, Image)
    assert flipped.path is not None
    assert flipped.path.read_bytes() == source.read_bytes()[::-1]
    assert flipped.metadata["source"] == str(source)
    assert flipped.mime_type == "image/png"
    from_bytes = toolkit.get_model("flip").transform(Image.from_bytes(b"abc", "image/png"))
    assert from_bytes.data == b"cba"  # type: ignore[union-attr]
    second = toolkit.get_model("flip").transform(Image.from_bytes(b"xyz", "image/png"))
    assert second.path != from_bytes.path  # type: ignore[union-attr]


def test_transform_takes_str_text_and_refuses_other_things(toolkit: ProviderHandle) -> None:
    echo = toolkit.get_model("echo")
    assert echo.transform(Text("t", metadata={"a": 1})).text == "t"  # type: ignore[union-attr]
    result = echo.transform("p", temperature=0.5)
    assert result.metadata["params"] == {"temperature": 0.5}
    with pytest.raises(TypeError, match="takes str, Text"):
        echo.transform(42)  # type: ignore[arg-type]


def test_async_twins(toolkit: ProviderHandle) -> None:
    import asyncio

    async def main() -> tuple[str, list[str]]:
        model = await toolkit.aget_model("count")
        text = await model.atransform("3")
        chunks = [c async for c in model.astream("4")]
        return text.text, chunks  # type: ignore[union-attr]

    assert asyncio.run(main()) == ("0,1,2,", ["0,", "1,", "2,", "3,"])


def _provider(tmp_path: Path, entry: str, code: str) -> str:
    folder = tmp_path / "bad-provider"
    folder.mkdir()
    (folder / "MediaConduit.provider.yml").write_text(textwrap.dedent(f"""\
        id: bad
        name: Bad
        version: 0.1.0
        type: local
        capabilities: [text-to-text]
        entry: {entry}
        """))
    (folder / "bad_module.py").write_text(code)
    return str(folder)


@pytest.mark.parametrize(("entry", "code", "says"), [
    ("missing_module:Thing", "", "entry module 'missing_module' is not in the repo"),
    ("bad_module:Thing", "Thing = 42\n", "is a int, not a subclass of mediaconduit.sdk"),
    ("bad_module:Thing", "class Thing: pass\n", "is class Thing, not a subclass"),
    ("bad_module:Nope", "", "missing, not a subclass"),
    ("bad_module:Thing", "import not_installed_dependency\n", "No module named"),
    ("bad_module:Thing", "raise RuntimeError('boom at import')\n", "boom at import"),
])
def test_entry_that_cannot_load(registry: ProviderRegistry, tmp_path: Path, entry: str,
                                code: str, says: str) -> None:
    handle = registry.get_provider(_provider(tmp_path, entry, code))
    assert handle.id == "bad"
    with pytest.raises(ProviderLoadError, match=says):
        handle.get_model("x")


def test_protocol_mismatch_is_a_clear_error(registry: ProviderRegistry,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker.process, "PROTOCOL_VERSION", 999)
    handle = registry.get_provider(TOOLKIT)
    with pytest.raises(ProtocolError, match="speaks protocol 2, this host speaks 999"):
        handle.get_model("echo")


@pytest.fixture
def host_process(tmp_path: Path, cache_dir: Path) -> Iterator[subprocess.Popen[str]]:
    code = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from mediaconduit.registry import ProviderRegistry
        provider = ProviderRegistry({str(cache_dir)!r}).get_provider({TOOLKIT!r})
        print(provider.health()["worker_pid"], flush=True)
        provider.get_model("slow").transform("60")
    """)
    host = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    yield host
    host.kill()
    host.wait()


def test_worker_dies_with_its_host_even_on_sigkill(host_process: subprocess.Popen[str]) -> None:
    assert host_process.stdout is not None
    pid = int(host_process.stdout.readline())
    os.kill(pid, 0)  # the worker runs
    host_process.kill()
    host_process.wait()
    for _ in range(100):
        if not _alive(pid):
            break
        time.sleep(0.05)
    assert not _alive(pid), "the worker outlived its host"


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return status != "Z"


def test_a_request_the_dead_worker_never_got_is_sent_to_a_new_one(
        toolkit: ProviderHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    dead = toolkit.worker()
    dead.process.kill()
    dead.process.wait()
    with pytest.raises(worker.NotDelivered, match="was gone before the request reached it"):
        dead.call("health")
    workers = iter([dead])
    real = toolkit.worker

    def stale_then_real() -> worker.Worker:
        return next(workers, None) or real()

    monkeypatch.setattr(toolkit, "worker", stale_then_real)
    assert toolkit.call("health") == {"ok": True}
    workers = iter([dead])
    assert list(toolkit.stream(model="count", input={"kind": "text", "text": "2"},
                               params={})) == ["0,", "1,"]


def test_close_while_starting_stops_the_worker_once_it_is_up(registry: ProviderRegistry) -> None:
    handle = registry.get_provider(TOOLKIT)
    starting = handle._workers.starting
    handle.close()  # the background start is still running
    assert starting is not None
    worker_ = starting.result(timeout=60)
    worker_.process.wait(timeout=30)
    assert not worker_.alive
    assert handle.get_model("echo").transform("again").text == "again"  # type: ignore[union-attr]
