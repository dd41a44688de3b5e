"""The host's side of `report_job`: each report written to the job's record at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mediaconduit.jobs.records import JobRecord, JobStore, input_digest, record_id

if TYPE_CHECKING:
    from mediaconduit.handles import ProviderHandle


class JobRecorder:
    """Called with each `job` frame of one call; the first makes the record."""

    def __init__(self, root: Path, handle: ProviderHandle, payload: Mapping[str, Any]) -> None:
        self.store = JobStore(root)
        self.handle, self.payload = handle, payload
        self.record: JobRecord | None = None
        self._lock = threading.Lock()

    def __call__(self, event: dict[str, Any]) -> None:
        status, details = str(event.get("status")), dict(event.get("details") or {})
        with self._lock:
            if self.record is None or self.record.job_id != str(event.get("job_id")):
                self.record = self._new(str(event.get("job_id")), status, details)
                self.store.save(self.record)
            else:
                self.record = self.store.update(self.record, status, details)

    def _new(self, job_id: str, status: str, details: dict[str, Any]) -> JobRecord:
        handle, now = self.handle, time.time()
        digest = input_digest(self.payload.get("input") or {}, self.payload.get("params") or {})
        return JobRecord(record_id(handle.id, job_id), handle.id, handle.source.display,
                         handle.commit, str(self.payload.get("model")), job_id, status, digest,
                         now, now, details)
