"""Manifest v1: `MediaConduit.provider.yml`, read safely, checked, and what it says.

    from mediaconduit.manifest import check_manifest_file, load_manifest, read_repo_manifest

The modules, in the order a check uses them:

- `yamlnodes`: the safe YAML loader (no object tags, size, depth and alias limits),
  with the line of every key path;
- `rules`: what one value must look like (patterns, messages, field types);
- `model`: the pydantic model (`Manifest`, `EnvVar`, `StaticModel`), its JSON
  Schema, and the report of a check (`Issue`, `ManifestReport`);
- `checks`: the host version, pydantic's errors as issues, the rules between
  keys, unknown keys and unknown task names;
- `read`: reading a manifest file or text and running the checks;
- `repo`: a repository's entry module and dependency list, and
  `read_repo_manifest`, what a load reads from a checkout;
- `report`: the text, JSON and GitHub formats of `mediaconduit validate`;
- `deep`: `mediaconduit validate --deep`, loading the provider for real;
- `facts`: `ProviderFacts`, what a valid manifest says as a plain value.

Importing this package costs nothing: each name below loads its module on
first use, so a warm load reads `ProviderFacts` (`mediaconduit.manifest.facts`,
standard library only) without pydantic, YAML or the checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mediaconduit.manifest.checks import TYPESCRIPT_KEYS
    from mediaconduit.manifest.facts import EnvFacts, ProviderFacts
    from mediaconduit.manifest.model import (
        EnvVar,
        Issue,
        Manifest,
        ManifestReport,
        StaticModel,
        format_issue,
        json_schema,
        make_report,
    )
    from mediaconduit.manifest.read import (
        MANIFEST_NAME,
        check_manifest_file,
        check_manifest_text,
        load_manifest,
        manifest_path,
    )
    from mediaconduit.manifest.repo import (
        RepoManifest,
        check_path,
        check_repo,
        read_repo_manifest,
    )
    from mediaconduit.manifest.rules import ENTRY_PATTERN, ENV_PATTERN, ID_PATTERN, PRICE_PATTERN

_LAZY = {
    **dict.fromkeys(["TYPESCRIPT_KEYS"], "checks"),
    **dict.fromkeys(["EnvFacts", "ProviderFacts"], "facts"),
    **dict.fromkeys(["EnvVar", "Issue", "Manifest", "ManifestReport", "StaticModel",
                     "format_issue", "json_schema", "make_report"], "model"),
    **dict.fromkeys(["MANIFEST_NAME", "check_manifest_file", "check_manifest_text",
                     "load_manifest", "manifest_path"], "read"),
    **dict.fromkeys(["RepoManifest", "check_path", "check_repo", "read_repo_manifest"], "repo"),
    **dict.fromkeys(["ENTRY_PATTERN", "ENV_PATTERN", "ID_PATTERN", "PRICE_PATTERN"], "rules"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mediaconduit.manifest' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"mediaconduit.manifest.{module}"), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "ENTRY_PATTERN", "ENV_PATTERN", "ID_PATTERN", "MANIFEST_NAME", "PRICE_PATTERN",
    "TYPESCRIPT_KEYS", "EnvFacts", "EnvVar", "Issue", "Manifest", "ManifestReport",
    "ProviderFacts", "RepoManifest", "StaticModel", "check_manifest_file",
    "check_manifest_text", "check_path", "check_repo", "format_issue", "json_schema",
    "load_manifest", "make_report", "manifest_path", "read_repo_manifest",
]
