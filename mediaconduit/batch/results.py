"""`DIR/results.jsonl`: one line per item, appended atomically, read back to resume.

Each line is one JSON object written with a single `write` on a file opened for
appending, so a crash leaves whole lines (and at most one torn last line, which
reading skips). A rerun appends the items it ran again; the last line of a key
wins, and at the end of a run the file is compacted (written anew and renamed into
place) to one line per item.

The key of an item is what makes its output: the input's digest, the parameters,
the provider's commit and the model (or the routed target).

A record's fields: `key`, `input` (the file's absolute path, or the text),
`input_digest` (sha256), `params`, `provider`, `model` (or `to`, `task` and the
`route` taken), `commit` (the provider's, a dev folder's `dev-...` revision, or a
routed batch's `project-...` fingerprint of its project file and lock), `status`
(`done` or `failed`), `outputs` (paths relative to DIR, under `outputs/`), `error`
(`{type, message}` or null), `usage`, `cost` (`{usd, estimated}`), `duration`
(seconds, retries included), `attempts`, `worker` (engine, slot; on Ray the actor's
pid and node), `batch` (the run's id, also on its ledger rows) and `finished` (Unix
time).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

RESULTS = "results.jsonl"


def item_key(digest: str, params: Mapping[str, Any], commit: str | None, model: str) -> str:
    """The resume key: the same input, parameters, provider commit and model."""
    facts = {"input": digest, "params": params, "commit": commit, "model": model}
    blob = json.dumps(facts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """Every whole record in the file, in order (a torn or foreign line is skipped)."""
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("key"), str):
                yield record


def latest(path: Path) -> dict[str, dict[str, Any]]:
    """The last record of each key."""
    return {record["key"]: record for record in read_records(path)}


def _open_for_append(path: Path) -> int:
    """Open for appending; a torn last line (a crash mid-write) is ended first."""
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    size = os.fstat(fd).st_size
    if size and os.pread(fd, 1, size - 1) != b"\n":
        os.write(fd, b"\n")
    return fd


class ResultsFile:
    """Appends records to `results.jsonl` (thread-safe), one whole line per write."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / RESULTS
        folder.mkdir(parents=True, exist_ok=True)
        self.before = latest(self.path)
        self._lock = threading.Lock()
        self._fd: int | None = None
        self.appended = 0

    def done_keys(self) -> set[str]:
        return {k for k, r in self.before.items() if r.get("status") == "done"}

    def append(self, record: Mapping[str, Any]) -> None:
        line = json.dumps(record, sort_keys=True, default=str, ensure_ascii=False) + "\n"
        data = line.encode("utf-8")
        with self._lock:
            if self._fd is None:
                self._fd = _open_for_append(self.path)
            written = os.write(self._fd, data)
            if written != len(data):  # a short write: a full disk; say so rather than tear
                raise OSError(f"{self.path}: wrote {written} of {len(data)} bytes")
            self.appended += 1

    def close(self) -> None:
        """Flush to disk and compact to one line per key when keys repeat."""
        with self._lock:
            if self._fd is not None:
                os.fsync(self._fd)
                os.close(self._fd)
                self._fd = None
        self.compact()

    def compact(self) -> None:
        records = list(read_records(self.path))
        kept = {r["key"]: r for r in records}
        if len(kept) == len(records):
            return
        temp = self.path.with_name(f".{RESULTS}.{os.getpid()}.tmp")
        with temp.open("w", encoding="utf-8") as f:
            for record in kept.values():
                f.write(json.dumps(record, sort_keys=True, default=str, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, self.path)
