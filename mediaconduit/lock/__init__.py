"""Reproducible installs: `mediaconduit.lock` beside `mediaconduit.yaml` (DESIGN §9).

- `lockfile`: what the lock holds, written in a stable order and read back.
- `resolve`: `mediaconduit lock`: commits resolved (and checked reachable), requirements
  pinned with hashes per Python version.
- `verify`: a checkout checked against the lock before a locked load uses it.
- `sync`: `mediaconduit sync`: the cache made to match the lock.
"""

from __future__ import annotations

from mediaconduit.lock.lockfile import LOCK_FILE, Lock, LockedProvider, read_lock, write_lock

__all__ = ["LOCK_FILE", "Lock", "LockedProvider", "read_lock", "write_lock"]
