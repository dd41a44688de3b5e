"""`mediaconduit validate --deep`: load the provider for real and compare what it reports.

Beyond the manifest: build the provider's environment (its dependencies
installed by uv), start its worker, import the entry class and check it is a
`Provider` (the worker does both), run discovery, and check each discovered
model's capabilities against the manifest's. The findings join the
manifest's report as issues pointing at the line they concern (`entry`,
`capabilities`, `models[i]`), so every output format, GitHub annotations
included, shows them.

Decisions: discovery that needs credentials the CI does not have
(`AuthenticationError`), or a local service that is not running there
(`ProviderUnavailableError`: Ollama, Whisper, Kokoro...), is a warning, not an
error, and skips the model checks; a provider that lists no models, and a
static model that discovery does not return, are warnings too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mediaconduit.errors import EnvironmentBuildError
from mediaconduit.manifest.model import Issue, Manifest, ManifestReport, make_report
from mediaconduit.manifest.read import MANIFEST_NAME
from mediaconduit.sdk.errors import (
    AuthenticationError,
    MediaConduitError,
    ProviderLoadError,
    ProviderUnavailableError,
)
from mediaconduit.sdk.models import ModelInfo

if TYPE_CHECKING:
    from mediaconduit.handles import ProviderHandle
    from mediaconduit.registry import ProviderRegistry

START_TIMEOUT = 600.0
_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')


@dataclass(frozen=True)
class Findings:
    """Errors and warnings found while loading one provider."""

    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()

    def __add__(self, other: Findings) -> Findings:
        return Findings(self.errors + other.errors, self.warnings + other.warnings)


def deep_check(report: ManifestReport, *, strict: bool = False) -> ManifestReport:
    """`report` with the findings of loading its repository; unchanged when the manifest
    has errors or the report is of a lone manifest file (no repository to load)."""
    if report.manifest is None or report.path.name != MANIFEST_NAME:
        return report
    found = load_findings(report.path.parent, report.manifest, report.lines)
    return make_report(report.path, report.manifest, [*report.errors, *found.errors],
                       [*report.warnings, *found.warnings], strict=strict, lines=report.lines)


def load_findings(repo: Path, manifest: Manifest, lines: Mapping[str, int]) -> Findings:
    """Load the provider in `repo` through the host (dev mode) and check what it reports."""
    from mediaconduit.registry import ProviderRegistry

    with ProviderRegistry() as registry:
        handle, found = _started(registry, repo, lines)
        return found if handle is None else _check_models(handle, manifest, lines)


def _started(registry: ProviderRegistry, repo: Path,
             lines: Mapping[str, int]) -> tuple[ProviderHandle | None, Findings]:
    """The provider's handle once its worker runs, or None and the reason."""
    handle = None
    try:
        handle = registry.get_provider(str(repo.absolute()))
        handle.wait_ready(START_TIMEOUT)
        return handle, Findings()
    except ProviderLoadError as error:
        message = _load_message(error, registry, handle, repo)
        return None, Findings((Issue("entry", message, lines.get("entry")),))
    except EnvironmentBuildError as error:
        message = f"the environment cannot be built: {error}"
        return None, Findings((Issue("dependencies", message, lines.get("dependencies")),))
    except (MediaConduitError, TimeoutError) as error:
        return None, Findings((Issue("", f"the provider does not start: {error}"),))


def _load_message(error: ProviderLoadError, registry: ProviderRegistry,
                  handle: ProviderHandle | None, repo: Path) -> str:
    message = f"the entry class cannot be loaded: {error}"
    if "ModuleNotFoundError" in str(error):
        message += ("; a package from PyPI must be listed in pyproject.toml "
                    "[project].dependencies (or the manifest's dependencies without one)")
    where = _failing_line(registry, handle, repo) if handle is not None else ""
    return f"{message} ({where})" if where else message


def _failing_line(registry: ProviderRegistry, handle: ProviderHandle, repo: Path) -> str:
    """`at src/pkg/mod.py line 3`: the last frame in the repository of the worker's traceback."""
    logs = sorted(registry.layout.logs(handle.source.dirname).glob("worker-*.log"),
                  key=lambda path: path.stat().st_mtime)
    text = logs[-1].read_text(errors="replace") if logs else ""
    root = repo.resolve()
    frames = [(Path(m["file"]), m["line"]) for m in _FRAME.finditer(text)]
    inside = [(path, line) for path, line in frames if path.is_relative_to(root)]
    if not inside:
        return ""
    path, line = inside[-1]
    return f"at {path.relative_to(root).as_posix()} line {line}"


def _check_models(handle: ProviderHandle, manifest: Manifest,
                  lines: Mapping[str, int]) -> Findings:
    try:
        discovered = handle.refresh_models()
    except AuthenticationError as error:
        return Findings(warnings=(Issue("", f"discovery needs credentials ({error}), so the "
                                            "models were not checked"),))
    except ProviderUnavailableError as error:
        first = str(error).splitlines()[0]
        return Findings(warnings=(Issue("", f"discovery needs its service ({first}), so the "
                                            "models were not checked"),))
    except MediaConduitError as error:
        return Findings((Issue("", f"discovery failed: {type(error).__name__}: {error}"),))
    empty = () if discovered else (
        Issue("models", "discovery returned no models", lines.get("models")),)
    return Findings(_outside_capabilities(discovered, manifest, lines),
                    (*empty, *_undiscovered(discovered, manifest, lines)))


def _outside_capabilities(discovered: list[ModelInfo], manifest: Manifest,
                          lines: Mapping[str, int]) -> tuple[Issue, ...]:
    declared = {capability.value for capability in manifest.capabilities}
    return tuple(
        Issue("capabilities", f"model {info.id!r} reports capability {name!r}, which the "
                              "manifest's capabilities do not list: add it to capabilities, "
                              "or correct the model", lines.get("capabilities"))
        for info in discovered for name in info.capabilities if name not in declared
    )


def _undiscovered(discovered: list[ModelInfo], manifest: Manifest,
                  lines: Mapping[str, int]) -> tuple[Issue, ...]:
    found = {info.id for info in discovered}
    return tuple(
        Issue(f"models[{i}].id", f"static model {model.id!r} is not among the discovered "
                                 "models: remove it from the manifest, or return it from "
                                 "discover_models()", lines.get(f"models[{i}].id"))
        for i, model in enumerate(manifest.models) if model.id not in found
    )
