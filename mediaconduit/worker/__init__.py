"""The host side of a provider's worker process.

- `process`: start the process, speak the protocol, notice when it dies.
- `calls`: one request in flight (progress, deadline, cancellation) and text streams.
- `lifecycle`: start a worker in the background, replace it when it dies.
"""

from __future__ import annotations

from mediaconduit.worker.process import (
    ALLOWED_ENV,
    BOOT,
    NotDelivered,
    Worker,
    WorkerSpec,
    worker_env,
)

__all__ = ["ALLOWED_ENV", "BOOT", "NotDelivered", "Worker", "WorkerSpec", "worker_env"]
