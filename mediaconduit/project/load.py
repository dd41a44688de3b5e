"""Finding and reading `mediaconduit.yaml`, with errors that name the line.

The file is read with the manifest's safe YAML loader (no object tags, size and
alias limits) and checked against `project.model`; every problem is reported at
once, each with its key path and line, like a manifest's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mediaconduit.errors import ProjectError
from mediaconduit.project.settings import (
    Budget,
    LedgerSettings,
    Project,
    ProjectProvider,
    RoutingPolicy,
)

PROJECT_FILE = "mediaconduit.yaml"


def find_project(start: Path | None = None) -> Path | None:
    """`mediaconduit.yaml` in `start` (the working directory) or the nearest folder above."""
    folder = (start or Path.cwd()).absolute()
    for candidate in (folder, *folder.parents):
        path = candidate / PROJECT_FILE
        if path.is_file():
            return path
    return None


def load_project(path: str | Path) -> Project:
    """Read and check a project file; `ProjectError` lists every problem with its line."""
    from mediaconduit.manifest.yamlnodes import YamlError, decode, load

    path = Path(path).absolute()
    try:
        document = load(decode(path.read_bytes()))
    except OSError as e:
        raise ProjectError(f"{path}: cannot be read ({e.strerror or e}); make sure the "
                           "project file exists") from None
    except YamlError as e:
        raise ProjectError(_where(path, e.line) + f": {e.message}") from None
    return _checked(path, document.data if document.data is not None else {}, document.lines)


def _checked(path: Path, data: Any, lines: Mapping[Any, int]) -> Project:
    from pydantic import ValidationError

    from mediaconduit.project.model import ProjectModel

    try:
        model = ProjectModel.model_validate(data)
    except ValidationError as error:
        problems = [_problem(path, detail, lines) for detail in error.errors(include_url=False)]
        raise ProjectError(f"{path} is not a valid project file:\n" + "\n".join(problems)
                           + "\n(the schema: mediaconduit schema --project)") from None
    return _project(path, model)


def _problem(path: Path, detail: Any, lines: Mapping[Any, int]) -> str:
    loc = tuple(detail["loc"])
    key = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")
    line = next((lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), None)
    message = str(detail.get("ctx", {}).get("error", detail["msg"]))
    if detail["type"] == "model_type":
        message = "write a specifier (a URL or path) or {spec, ref, config}"
    if detail["type"] == "extra_forbidden":
        message = f"unknown key {loc[-1]!r}; remove it or check its spelling"
    return f"  {_where(path, line)}: {key or '(top level)'}: {message}"


def _where(path: Path, line: int | None) -> str:
    return f"{path}:{line}" if line else str(path)


def _project(path: Path, model: Any) -> Project:
    providers = tuple(ProjectProvider(item.spec, item.ref, dict(item.config))
                      for item in model.providers)
    routing = RoutingPolicy(tuple(model.routing.prefer), model.routing.allow_paid,
                            dict(model.routing.defaults))
    budget = Budget(model.budget.daily_usd, model.budget.monthly_usd, model.budget.per_call_usd,
                    model.budget.allow_unbounded)
    return Project(path, providers, routing, budget, LedgerSettings(model.ledger.store_inputs))
