"""The host side of a worker: start the process, talk to it, notice when it dies.

The worker gets one end of a socket pair as an inherited file descriptor;
its stdout and stderr go to a log file, so nothing a provider prints can
corrupt the channel. Requests carry ids, so calls from several threads are
in flight at once; one reader thread routes the replies. When the worker dies
every pending call gets a `ProviderCrashedError` with the last lines it wrote.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from mediaconduit.errors import ProtocolError
from mediaconduit.sdk._protocol import PROTOCOL_VERSION, Channel, FrameError
from mediaconduit.sdk.errors import MediaConduitError, ProviderCrashedError, error_from_dict
from mediaconduit.worker.calls import Call, ProgressCallback, reply_problem
from mediaconduit.worker.logs import WorkerLog

# The SDK goes first (so `mediaconduit` is always the SDK); the repo and its src/ go after
# the standard library, so a repository's own json.py or signal.py shadows nothing the SDK
# or the provider imports from it (`mediaconduit validate` reports such files).
BOOT = (
    "import sys; p = sys.path; "
    "i = next((n for n, e in enumerate(p) if e.endswith('-packages')), len(p)); "
    "p[i:i] = sys.argv[2:4]; p.insert(0, sys.argv[1]); "
    "from mediaconduit.sdk._worker import main; main(sys.argv[4:])"
)
LOCALE_ENV = frozenset({
    "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_COLLATE", "LC_MESSAGES", "LC_MONETARY",
    "LC_NUMERIC", "LC_TIME", "LC_ADDRESS", "LC_IDENTIFICATION", "LC_MEASUREMENT", "LC_NAME",
    "LC_PAPER", "LC_TELEPHONE",
})
ALLOWED_ENV = LOCALE_ENV | frozenset({
    "PATH", "HOME", "USER", "LOGNAME", "TZ", "TMPDIR", "TEMP", "TMP",
    "SYSTEMROOT", "COMSPEC", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
    "http_proxy", "https_proxy", "no_proxy", "all_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
})
TAIL_LINES = 20
_sequence = itertools.count(1)


def worker_env(declared: list[str], source: Mapping[str, str] | None = None) -> dict[str, str]:
    """The allowlist plus the variables the manifest declares; nothing else."""
    source = os.environ if source is None else source
    return {k: v for k, v in source.items() if k in ALLOWED_ENV or k in declared}


class NotDelivered(ProviderCrashedError):
    """The worker was gone before a request reached it, so sending it again is safe."""


class WorkerSpec(NamedTuple):
    """Everything needed to start one provider's worker."""

    label: str
    python: Path
    sdk_path: Path
    repo: Path
    entry: str
    manifest: Mapping[str, Any]
    config: Mapping[str, Any]
    env: Mapping[str, str]
    log_dir: Path
    output_root: Path
    start_timeout: float = 120.0


class Worker:
    """A worker process and the channel to it.

    Making one starts the process; `start()` completes the handshake (hello,
    init, ready). In between the interpreter boots on its own, which lets a
    cold load start it while uv is still installing the dependencies.
    """

    def __init__(self, spec: WorkerSpec) -> None:
        self.spec = spec
        self.log = WorkerLog(spec.log_dir / f"worker-{os.getpid()}-{next(_sequence)}.log")
        self._outputs = os.path.realpath(spec.output_root)
        self._violation: str | None = None
        self._pending: dict[int, queue.SimpleQueue[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._crash: ProviderCrashedError | None = None
        self._eof = False
        self._greeted = False
        self.process, self.channel = self._spawn()
        self.channel.sock.settimeout(spec.start_timeout)

    def start(self) -> Worker:
        """Finish the handshake and begin serving replies; returns the worker itself."""
        try:
            self.await_hello()
            self._init()
        except BaseException:
            self.kill()
            raise
        threading.Thread(target=self._read_loop, name=f"mc-reader-{self.spec.label}",
                         daemon=True).start()
        threading.Thread(target=self._watch_exit, name=f"mc-watch-{self.spec.label}",
                         daemon=True).start()
        return self

    @property
    def log_path(self) -> Path:
        """The worker's log file, with everything it printed so far written to it."""
        self.log.drain()
        return self.log.path

    # --- start ------------------------------------------------------------

    def _spawn(self) -> tuple[subprocess.Popen[bytes], Channel]:
        spec = self.spec
        host, child = socket.socketpair()
        paths = [str(spec.sdk_path), str(spec.repo), str(spec.repo / "src")]
        with child:
            try:
                process = subprocess.Popen(
                    [*self._sandbox(), str(spec.python), "-I", "-c", BOOT, *paths, "--fd",
                     str(child.fileno())],
                    pass_fds=[child.fileno()], stdin=subprocess.DEVNULL, stdout=self.log.write_fd,
                    stderr=subprocess.STDOUT, env=dict(spec.env), cwd=spec.repo,
                )
            except BaseException:
                self.log.abandon()
                host.close()
                raise
        self.log.start()
        return process, Channel(host)

    def _sandbox(self) -> list[str]:
        """`bwrap ...` when MEDIACONDUIT_SANDBOX asks for this provider (see `sandbox`)."""
        if "MEDIACONDUIT_SANDBOX" not in os.environ:
            return []
        from mediaconduit.worker import sandbox

        provider_id = str(self.spec.manifest.get("id", ""))
        return sandbox.command(self.spec) if sandbox.wanted(provider_id) else []

    def await_hello(self) -> None:
        """Wait for the worker's hello: its interpreter runs and speaks our protocol."""
        if self._greeted:
            return
        hello = self._expect("hello")
        if hello.get("protocol") != PROTOCOL_VERSION:
            raise ProtocolError(
                f"the worker of {self.spec.label} speaks protocol {hello.get('protocol')}, "
                f"this host speaks {PROTOCOL_VERSION}: run `mediaconduit cache clean` and load "
                "it again"
            )
        self._greeted = True

    def _init(self) -> None:
        self.channel.send({"type": "init", "protocol": PROTOCOL_VERSION, "entry": self.spec.entry,
                           "manifest": dict(self.spec.manifest), "config": dict(self.spec.config),
                           "output_root": str(self.spec.output_root)})
        ready = self._expect("ready")
        if ready.get("type") == "error":
            raise error_from_dict(ready["error"])
        self.channel.sock.settimeout(None)

    def _expect(self, kind: str) -> dict[str, Any]:
        try:
            message = self.channel.receive()
        except TimeoutError:
            message = None
        if message is None:
            raise self._crashed(f"the worker of {self.spec.label} exited while starting")
        if message.get("type") not in (kind, "error"):
            raise ProtocolError(f"the worker of {self.spec.label} sent {message.get('type')!r} "
                                f"where {kind!r} was expected")
        return message

    # --- calls ------------------------------------------------------------

    @property
    def alive(self) -> bool:
        return not self._eof and self._crash is None and self.process.poll() is None

    def begin(self, op: str, *, timeout: float | None = None,
              on_progress: ProgressCallback | None = None,
              on_job: Callable[[dict[str, Any]], object] | None = None, **payload: Any) -> Call:
        """Send one request; the `Call` reads its replies (see `worker.calls`)."""
        rid, replies = self._register()
        call = Call(self.spec.label, op, replies, lambda: self._cancel(rid),
                    lambda: self._forget(rid), timeout=timeout, on_progress=on_progress,
                    on_job=on_job, outputs=self._outputs, violated=self.violated)
        try:
            self._send({"id": rid, "op": op, **payload})
        except BaseException:
            call.ended = True
            call.finish()
            raise
        return call

    def call(self, op: str, *, timeout: float | None = None,
             on_progress: ProgressCallback | None = None, **payload: Any) -> Any:
        """Send one request and wait for its result; typed errors are raised here."""
        call = self.begin(op, timeout=timeout, on_progress=on_progress, **payload)
        try:
            return call.result()
        finally:
            call.finish()

    def _forget(self, rid: int) -> None:
        self._pending.pop(rid, None)

    def _cancel(self, rid: int) -> None:
        if self.alive:
            self._send({"op": "cancel", "target": rid})

    def _register(self) -> tuple[int, queue.SimpleQueue[dict[str, Any]]]:
        replies: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        with self._lock:
            if self._crash is not None or self._eof:
                raise self._not_delivered()
            rid = next(self._ids)
            self._pending[rid] = replies
        return rid, replies

    def _send(self, message: dict[str, Any]) -> None:
        try:
            self.channel.send(message)
        except OSError:
            self._wait_for_reader()
            raise self._not_delivered() from None

    def _not_delivered(self) -> NotDelivered:
        crash = self._crash or self._crashed("the worker is gone")
        return NotDelivered(f"the worker of {self.spec.label} was gone before the request "
                            "reached it", crash.last_lines, crash.exit_code)

    def _wait_for_reader(self) -> None:
        deadline = time.monotonic() + 5
        while self._crash is None and time.monotonic() < deadline:
            time.sleep(0.01)

    # --- replies and death ------------------------------------------------

    def _read_loop(self) -> None:
        try:
            while (message := self.channel.receive()) is not None:
                problem = reply_problem(message)
                if problem is not None:
                    self._stop_for(problem)
                    break
                replies = self._pending.get(message["id"])
                if replies is not None:
                    replies.put(message)
        except FrameError as e:
            self._stop_for(f"sent {e}")
        self._eof = True
        self._on_exit()

    def _stop_for(self, violation: str) -> None:
        """The worker broke the protocol: nothing more it sends can be trusted, so end it."""
        if self._violation is None:
            self._violation = violation
        if self.process.poll() is None:
            self.process.kill()

    def violated(self, violation: str) -> ProviderCrashedError:
        """End a worker that sent a reply a call cannot use; the error to raise for it."""
        self._stop_for(violation)
        self.channel.close()
        self._wait_for_reader()
        return self._crash or self._crashed(self._violation_message())

    def _violation_message(self) -> str:
        return (f"the worker of {self.spec.label} broke the protocol ({self._violation}) and "
                "was stopped")

    def _watch_exit(self) -> None:
        """The worker process ended: end the channel too, even when a child of the worker
        still holds its end of the socket (then no end-of-file would ever come)."""
        with contextlib.suppress(OSError):
            self.process.wait()
        deadline = time.monotonic() + 0.5  # let the reader take what was sent last
        while not self._eof and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self._eof:
            self.channel.close()

    def _on_exit(self) -> None:
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()
        crash = self._crashed(self._violation_message() if self._violation
                              else f"the worker of {self.spec.label} exited")
        with self._lock:
            self._crash = crash
            pending = list(self._pending.values())
        for replies in pending:
            replies.put({"error": crash.to_dict()})

    def _crashed(self, message: str) -> ProviderCrashedError:
        code = self.process.poll()
        if code is not None:
            message += f" with code {code}" if code >= 0 else f" on signal {-code}"
        return ProviderCrashedError(message + "; its last lines:", self.log_tail(), code)

    def log_tail(self, lines: int = TAIL_LINES) -> list[str]:
        """The last lines this worker wrote to its log (read from its end)."""
        return self.log.tail(lines)

    # --- stop -------------------------------------------------------------

    def close(self, timeout: float = 3.0) -> None:
        """Ask the provider to close, then end the process (killed if it lingers)."""
        if self.alive:
            with contextlib.suppress(OSError, TimeoutError, MediaConduitError):
                self.call("close", timeout=timeout)
        self.channel.close()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """End the process now."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.channel.close()
