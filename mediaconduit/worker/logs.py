"""A worker's log: what it prints, through a pipe, into a file of capped size.

The worker's stdout and stderr are the write end of a pipe; a thread of the host
copies what arrives into `worker-….log`. When that file passes its cap
(`MEDIACONDUIT_WORKER_LOG_MB`, default 4 MiB) it becomes `….log.1` (the one
before is dropped) and a new file starts, so a worker that prints without end
uses at most twice the cap on disk. The tail is read by seeking, never the
whole file. `drain()` copies what the pipe holds now, so whoever reads the log
(a crash report, `health()`) sees everything printed before the last reply.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
from pathlib import Path

LOG_MAX_BYTES = 4 * 1024 * 1024
TAIL_BYTES = 64 * 1024
_CHUNK = 64 * 1024


def log_cap() -> int:
    """The cap of one log file, in bytes: `MEDIACONDUIT_WORKER_LOG_MB` or 4 MiB."""
    try:
        return max(1, int(float(os.environ["MEDIACONDUIT_WORKER_LOG_MB"]) * 1024 * 1024))
    except (KeyError, ValueError):
        return LOG_MAX_BYTES


class WorkerLog:
    """The pipe a worker prints into and the capped file it ends up in."""

    def __init__(self, path: Path, max_bytes: int | None = None) -> None:
        self.path = path
        self.max_bytes = log_cap() if max_bytes is None else max_bytes
        path.parent.mkdir(parents=True, exist_ok=True)
        self._read, self.write_fd = os.pipe()
        os.set_blocking(self._read, False)
        self._lock = threading.Lock()
        self._file = self._open()
        self._size = os.fstat(self._file).st_size
        self._done = False

    def _open(self) -> int:
        return os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def start(self) -> None:
        """The worker has the write end now: close ours and copy in the background."""
        os.close(self.write_fd)
        threading.Thread(target=self._pump, name="mc-log", daemon=True).start()

    def abandon(self) -> None:
        """The worker never started: close everything."""
        os.close(self.write_fd)
        with self._lock:
            self._finish()

    def _pump(self) -> None:
        poller = select.poll()
        poller.register(self._read, select.POLLIN | select.POLLHUP)
        while not self._done:
            poller.poll()
            if not self.drain():
                break

    def drain(self) -> bool:
        """Copy what the pipe holds now into the file; False once every writer has gone."""
        with self._lock:
            while not self._done:
                try:
                    data = os.read(self._read, _CHUNK)
                except BlockingIOError:
                    return True
                except OSError:
                    data = b""
                if not data:
                    self._finish()
                    break
                self._write(data)
            return False

    def _write(self, data: bytes) -> None:
        os.write(self._file, data)
        self._size += len(data)
        if self._size > self.max_bytes:
            os.close(self._file)
            os.replace(self.path, self.rotated)
            self._file, self._size = self._open(), 0

    @property
    def rotated(self) -> Path:
        return self.path.with_name(self.path.name + ".1")

    def _finish(self) -> None:
        if not self._done:
            self._done = True
            for fd in (self._read, self._file):
                with contextlib.suppress(OSError):
                    os.close(fd)

    def tail(self, lines: int) -> list[str]:
        """The last `lines` lines written, read from the end of the file(s)."""
        self.drain()
        found = _tail(self.path, lines)
        if len(found) < lines:
            found = _tail(self.rotated, lines - len(found)) + found
        return found


def _tail(path: Path, lines: int) -> list[str]:
    try:
        with open(path, "rb") as f:
            size = f.seek(0, os.SEEK_END)
            f.seek(max(0, size - TAIL_BYTES))
            data = f.read()
    except OSError:
        return []
    found = data.decode(errors="replace").splitlines()
    if size > TAIL_BYTES and found:
        found = found[1:]  # the first line read is likely cut
    return found[-lines:] if lines > 0 else []
