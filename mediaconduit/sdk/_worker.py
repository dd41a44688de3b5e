"""The worker: runs one provider in its own process and answers the host.

Started by the host with the provider environment's interpreter as

    python -I -c BOOT <sdk-dir> <repo> <repo>/src --fd N

it says hello (with its protocol version), receives `init` (entry, manifest,
config, output root), constructs the provider and then serves requests,
each in a thread of its own, until the host's end of the socket closes.
When the host dies, the socket reaches end-of-file and the worker exits at
once: a worker never outlives its host.
"""

from __future__ import annotations

import importlib
import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from mediaconduit.sdk._protocol import (
    PROTOCOL_VERSION,
    Channel,
    FrameError,
    asset_from_wire,
    result_to_wire,
)
from mediaconduit.sdk.assets import Media, Text, call_outputs, output_dir
from mediaconduit.sdk.calls import CallContext, JobUpdate, Progress, enter_call, leave_call
from mediaconduit.sdk.errors import MediaConduitError, ProviderBugError, ProviderLoadError
from mediaconduit.sdk.provider import Model, Provider

SLOW = 0.002  # seconds a call may run before another thread reads the next request
HOOK_GRACE = 3.0  # seconds the cancel hooks get once the host has gone


def error_dict(error: BaseException, *, load: bool = False) -> dict[str, Any]:
    """A typed error as it is; anything else as a `ProviderBugError` with its traceback."""
    if isinstance(error, MediaConduitError):
        return error.to_dict()
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    print(trace, file=sys.stderr, flush=True)
    kind = "ProviderLoadError" if load else "ProviderBugError"
    bug = ProviderBugError(f"{type(error).__name__}: {error}", type(error).__name__, trace)
    return {**bug.to_dict(), "type": kind}


def _describe(value: object) -> str:
    if value is None:
        return "missing"
    return f"class {value.__name__}" if isinstance(value, type) else f"a {type(value).__name__}"


def load_provider(init: dict[str, Any]) -> Provider:
    """Import the entry class and construct it with the config and the declared env."""
    entry = str(init["entry"])
    module_name, _, class_name = entry.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name != module_name.split(".")[0] and e.name != module_name:
            raise
        raise ProviderLoadError(f"entry module {module_name!r} is not in the repo "
                          "(looked in its root and src/)") from None
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Provider)):
        raise ProviderLoadError(f"entry {entry!r} is {_describe(cls)}, "
                                "not a subclass of mediaconduit.sdk.Provider")
    cls.manifest = init.get("manifest") or {}
    return cls(config=init.get("config") or {}, env=dict(os.environ))


class Server:
    """Serves one provider's requests over the channel."""

    def __init__(self, provider: Provider, channel: Channel, output_root: Path | None) -> None:
        self.provider = provider
        self.channel = channel
        self.output_root = output_root
        self.models: dict[str, Model] = {}
        self.calls: dict[int, CallContext] = {}  # the calls running now, by request id
        self.hooks: list[threading.Thread] = []  # cancel hooks that may still run
        self.lock = threading.Lock()
        self.read_lock = threading.Lock()
        self.state = threading.Lock()  # guards `readers` and `busy`
        self.readers = 1  # threads reading or waiting to read
        self.busy: dict[int, float] = {}  # thread id -> when the call it runs began
        self.activity = threading.Event()  # set while calls run: the watch is awake
        threading.Thread(target=self.watch, name="mediaconduit-watch", daemon=True).start()
        self.ops: dict[str, Callable[[dict[str, Any]], Any]] = {
            "discover": self.op_discover, "get_model": self.op_get_model,
            "transform": self.op_transform, "health": self.op_health, "close": self.op_close,
            "cancel_job": self.op_cancel_job, "fetch_job": self.op_fetch_job,
        }

    def serve(self) -> None:
        """Read requests and run each in the thread that read it.

        Handing every call to another thread would cost a thread switch per
        call, so the reader runs it itself. A call still running after `SLOW`
        seconds gets another thread to read the next request (see `watch`), so
        a slow call never holds up the others; spare readers retire.
        """
        me = threading.get_ident()
        while True:
            with self.read_lock:
                try:
                    message = self.channel.receive()
                except FrameError:
                    message = None  # the host is broken or gone: same thing for us
                if message is None:
                    self.abandon()
                context = self.admit(message)
            if context is None:
                continue
            self.begin(me)
            self.handle(message, context)
            if not self.end(me):
                return

    def admit(self, message: dict[str, Any]) -> CallContext | None:
        """A request's call context, registered before the next frame is read (so a cancel
        that follows finds it); a cancel is carried out here and gives None."""
        if message.get("op") == "cancel":
            context = self.calls.get(message.get("target"))  # type: ignore[arg-type]
            if context is not None:  # else the call has ended already
                self.cancel(context)
            return None
        rid = message["id"]
        context = CallContext(lambda p: self.send(rid, "progress", p),
                              lambda j: self.send(rid, "job", j))
        self.calls[rid] = context
        return context

    def cancel(self, context: CallContext) -> threading.Thread:
        """Cancel a call; its hooks run on a thread of their own (they may do network I/O)."""
        thread = threading.Thread(target=context.cancel, daemon=True)
        thread.start()
        self.hooks = [*(t for t in self.hooks if t.is_alive()), thread]
        return thread

    def abandon(self) -> NoReturn:
        """The host is gone: cancel what still runs (so its upstream work stops too), give
        the cancel hooks a moment, and exit. A call that reported an upstream job is left
        to finish upstream: the host has its record, so `mediaconduit jobs fetch` can
        collect what is being paid for (or `jobs cancel` stop it)."""
        deadline = time.monotonic() + HOOK_GRACE
        orphans = [c for c in list(self.calls.values()) if not c.job_reported]
        for thread in [*self.hooks, *(self.cancel(c) for c in orphans)]:
            thread.join(max(0.0, deadline - time.monotonic()))
        os._exit(0)

    def send(self, rid: int, kind: str, event: Progress | JobUpdate) -> None:
        """A progress report or a job update of call `rid`, as a frame of its own kind."""
        self.channel.send({"id": rid, kind: event.to_dict()})

    def begin(self, me: int) -> None:
        with self.state:
            self.readers -= 1
            self.busy[me] = time.monotonic()
        if not self.activity.is_set():
            self.activity.set()

    def end(self, me: int) -> bool:
        """Done with a call: read again, unless another thread reads already."""
        with self.state:
            del self.busy[me]
            if self.readers > 0 and threading.current_thread() is not threading.main_thread():
                return False
            self.readers += 1
            return True

    def watch(self) -> None:
        """While calls run, look every `SLOW` seconds for one that blocks the reading."""
        while True:
            self.activity.wait()
            time.sleep(SLOW)
            with self.state:
                now = time.monotonic()
                stuck = self.readers == 0 and any(now - t >= SLOW for t in self.busy.values())
                self.readers += stuck
                if not self.busy:
                    self.activity.clear()
            if stuck:
                threading.Thread(target=self.serve, name="mediaconduit-call", daemon=True).start()

    def handle(self, message: dict[str, Any], context: CallContext) -> None:
        rid = message["id"]
        token = enter_call(context)
        try:
            with call_outputs(self.output_root):
                if message["op"] == "stream":
                    self.stream(rid, message, context)
                    return
                result = self.ops[message["op"]](message)
            self.channel.send({"id": rid, "result": result})
        except BaseException as e:
            self.reply_error(rid, e)
        finally:
            leave_call(token)
            self.calls.pop(rid, None)

    def reply_error(self, rid: int, error: BaseException) -> None:
        try:
            self.channel.send({"id": rid, "error": error_dict(error)})
        except OSError:
            os._exit(0)

    def model(self, model_id: str) -> Model:
        with self.lock:
            if model_id not in self.models:
                self.models[model_id] = self.provider.get_model(model_id)
            return self.models[model_id]

    def op_discover(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        return [info.to_dict() for info in self.provider.discover_models()]

    def op_get_model(self, message: dict[str, Any]) -> dict[str, Any]:
        return self.model(message["model"]).info.to_dict()

    def op_transform(self, message: dict[str, Any]) -> dict[str, Any]:
        model = self.model(message["model"])
        result = model.transform(asset_from_wire(message["input"]), **message.get("params", {}))
        return self.checked(f"{model.id}.transform", result)

    def checked(self, what: str, result: object) -> dict[str, Any]:
        """A result on the wire: an asset, or a non-empty list of them (else a bug)."""
        items = result if isinstance(result, (list, tuple)) else [result]
        if not items or not all(isinstance(item, (Text, Media)) for item in items):
            found = ", ".join(type(item).__name__ for item in items) or "an empty list"
            raise ProviderBugError(f"{what} returned {found}, not Text, Image, Audio or Video "
                                   "(or a list of them)")
        wire = result_to_wire(result)
        for item in wire.get("assets", [wire]):
            if item.get("path"):
                item["path"] = str(_in_outputs(Path(item["path"])))
        return wire

    def op_cancel_job(self, message: dict[str, Any]) -> None:
        self.provider.cancel_job(str(message["job"]), message.get("details") or {})

    def op_fetch_job(self, message: dict[str, Any]) -> dict[str, Any]:
        result = self.provider.fetch_job(str(message["job"]), message.get("details") or {})
        return self.checked(f"{self.provider.manifest.get('id')}.fetch_job", result)

    def op_health(self, message: dict[str, Any]) -> dict[str, Any]:
        return dict(self.provider.health())

    def op_close(self, message: dict[str, Any]) -> None:
        self.provider.close()

    def stream(self, rid: int, message: dict[str, Any], context: CallContext) -> None:
        """Send each chunk; a `Text` chunk's usage and cost (the last one set) go with the end.
        A cancelled stream is closed, so the provider's `finally` blocks run."""
        model = self.model(message["model"])
        chunks = model.stream(asset_from_wire(message["input"]), **message.get("params", {}))
        end: dict[str, Any] = {"id": rid, "end": True}
        try:
            for chunk in chunks:
                if context.cancelled:
                    break
                if isinstance(chunk, Text):
                    end.update(_accounts_of(chunk))
                text = chunk.text if isinstance(chunk, Text) else str(chunk)
                if text:
                    self.channel.send({"id": rid, "chunk": text})
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        self.channel.send(end)


def _in_outputs(path: Path) -> Path:
    """A result file inside this call's output folder, copied in when it is elsewhere: the
    host takes result paths from that folder only."""
    folder = output_dir().resolve()
    real = path.resolve()
    if real.is_relative_to(folder):
        return path
    if not real.is_file():
        raise ProviderBugError(f"a result names the file {str(path)!r}, which does not exist")
    import shutil

    target = folder / path.name
    shutil.copyfile(real, target)
    return target


def _accounts_of(chunk: Text) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if chunk.usage:
        found["usage"] = chunk.usage.to_dict()
    if chunk.cost:
        found["cost"] = chunk.cost.to_dict()
    return found


def _keep_to_ourselves(fd: int) -> None:
    """No child of the worker holds the channel: a program it starts does not inherit it,
    and a forked child (multiprocessing) has it replaced by /dev/null, so the host sees
    end-of-file when the worker dies even while such a child lives on."""
    os.set_inheritable(fd, False)

    def drop() -> None:
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, fd, inheritable=False)
        os.close(null)

    os.register_at_fork(after_in_child=drop)


def main(argv: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the host's to handle
    fd = int(argv[argv.index("--fd") + 1])
    _keep_to_ourselves(fd)
    channel = Channel(socket.socket(fileno=fd))
    channel.send({"type": "hello", "protocol": PROTOCOL_VERSION, "pid": os.getpid(),
                  "python": sys.version.split()[0]})
    init = channel.receive()
    if init is None or init.get("protocol") != PROTOCOL_VERSION:
        os._exit(2)
    try:
        provider = load_provider(init)
    except BaseException as e:
        channel.send({"type": "error", "error": error_dict(e, load=True)})
        os._exit(1)
    channel.send({"type": "ready"})
    output_root = init.get("output_root")
    Server(provider, channel, Path(output_root) if output_root else None).serve()
