"""Rendering: `{{marker}}` substitution in the template's file contents and paths.

No template engine: every `{{word}}` must have a value (a leftover one is a
bug in the template), while GitHub Actions expressions keep their spaces
(`${{ github.sha }}`) and are left alone.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

from mediaconduit.manifest.read import MANIFEST_NAME
from mediaconduit.scaffold.names import ScaffoldError

PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache",
                                 ".mypy_cache")


def render(text: str, values: Mapping[str, str]) -> str:
    """Replace every `{{marker}}`; an unknown marker is a `ScaffoldError`."""
    def value(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            raise ScaffoldError(f"the provider template uses an unknown marker {match.group()}")
        return values[match.group(1)]

    return PLACEHOLDER.sub(value, text)


def template_dir() -> Path:
    """The template: inside the installed package, else at the project root (editable)."""
    package = Path(__file__).resolve().parents[1]  # mediaconduit/
    for candidate in (package / "provider_template", package.parent / "provider-template"):
        if (candidate / MANIFEST_NAME).is_file():
            return candidate
    raise ScaffoldError("the provider template is missing from this installation of "
                        "mediaconduit: reinstall it (pip install --force-reinstall mediaconduit)")


def template_files(template: Path) -> list[Path]:
    """The template's files, relative to it, without caches."""
    found = []
    for folder, dirs, files in os.walk(template):
        ignored = SKIPPED(folder, [*dirs, *files])
        dirs[:] = sorted(d for d in dirs if d not in ignored)
        found += [Path(folder, f).relative_to(template) for f in files if f not in ignored]
    return sorted(found)


def render_tree(template: Path, target: Path, values: Mapping[str, str]) -> list[Path]:
    """Write every template file, paths and contents rendered, under `target`."""
    written = []
    for relative in template_files(template):
        destination = target / render(relative.as_posix(), values)
        destination.parent.mkdir(parents=True, exist_ok=True)
        source = template / relative
        destination.write_text(render(source.read_text(encoding="utf-8"), values),
                               encoding="utf-8")
        shutil.copymode(source, destination)
        written.append(destination.relative_to(target))
    return written
