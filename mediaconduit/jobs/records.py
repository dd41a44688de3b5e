"""Job records on disk: one JSON file per upstream job, written atomically."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mediaconduit.cache import files
from mediaconduit.errors import CacheError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclasses.dataclass(frozen=True)
class JobRecord:
    id: str  # ours: "<provider>-<upstream id>", safe as a file name
    provider: str
    source: str  # the provider's specifier, as loaded (credentials hidden)
    commit: str | None
    model: str
    job_id: str  # the upstream's id
    status: str
    input_digest: str
    created: float
    updated: float
    details: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def record_id(provider: str, job_id: str) -> str:
    return _UNSAFE.sub("_", f"{provider}-{job_id}")[:200]


def input_digest(wire_input: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """What the job was asked: the input (a file by its bytes) and the parameters."""
    digest = hashlib.sha256(json.dumps([{k: v for k, v in wire_input.items() if k != "path"},
                                        params], sort_keys=True, default=str).encode())
    path = wire_input.get("path")
    if path:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


class JobStore:
    """The job records under one cache root."""

    def __init__(self, root: Path) -> None:
        self.folder = root / "jobs"

    def save(self, record: JobRecord) -> None:
        files.write_json(self.folder / f"{record.id}.json", record.to_dict())

    def update(self, base: JobRecord, status: str, details: Mapping[str, Any]) -> JobRecord:
        """The record with a new status (and details merged), saved."""
        old = self.get(base.id, missing_ok=True) or base
        new = dataclasses.replace(old, status=status, updated=time.time(),
                                  details={**old.details, **details})
        self.save(new)
        return new

    def get(self, job: str, *, missing_ok: bool = False) -> JobRecord | None:
        data = files.read_json(self.folder / f"{_UNSAFE.sub('_', job)}.json")
        if data is None:
            matches = [r for r in self.list() if r.job_id == job or r.id.endswith(job)]
            if len(matches) == 1:
                return matches[0]
            if missing_ok:
                return None
            raise CacheError(f"no job {job!r} in {self.folder}: `mediaconduit jobs list` "
                             "shows the ones there are")
        return JobRecord(**data)

    def list(self) -> list[JobRecord]:
        found = [files.read_json(p) for p in sorted(self.folder.glob("*.json"))]
        records = [JobRecord(**d) for d in found if isinstance(d, dict)]
        return sorted(records, key=lambda r: r.created)
