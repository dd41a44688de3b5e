"""A provider repository's own test folder, for the host's shims (`tests/helpers/<name>.py`).

Each provider keeps its fake upstream and test constants in its own `tests/`; the host's
tests use the very same files by putting that folder on `sys.path`.
"""

from __future__ import annotations

from pathlib import Path

from mediaconduit.sdk.fakes import on_path

ROOT = Path(__file__).resolve().parents[2]


def provider_tests(name: str) -> Path:
    """`providers/<name>-provider`, its `tests/` put on `sys.path` (so its fake and its
    helpers import as top-level modules)."""
    folder = ROOT / "providers" / f"{name}-provider"
    on_path(folder / "tests")
    return folder
