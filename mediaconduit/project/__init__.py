"""The project file `mediaconduit.yaml`: the providers an application routes over.

- `settings`: what it says, as plain values (`Project`, `RoutingPolicy`, `Budget`).
- `load`: finding it (the working directory or above) and reading it, errors by line.
- `model`: its schema (pydantic), printed by `mediaconduit schema --project`.
"""

from __future__ import annotations

from mediaconduit.project.load import PROJECT_FILE, find_project, load_project
from mediaconduit.project.settings import (
    Budget,
    LedgerSettings,
    Project,
    ProjectProvider,
    RoutingPolicy,
)

__all__ = [
    "PROJECT_FILE", "Budget", "LedgerSettings", "Project", "ProjectProvider", "RoutingPolicy",
    "find_project", "load_project",
]
