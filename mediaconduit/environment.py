"""Environments: one virtual environment per distinct dependency set, built by uv.

The key is the dependency set, the base interpreter and the SDK version, so
providers that need the same packages share one environment. The provider
repo itself is never built or installed: the worker puts its root and `src/`
on the path. A `mediaconduit` requirement is checked against this host and
never installed; the SDK reaches the worker from `sdk/` in the cache.

An environment is complete once its marker exists, written after the
install and a health check; one whose marker is missing, or whose base
interpreter changed or vanished, is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from mediaconduit import cache
from mediaconduit._version import __version__
from mediaconduit.errors import EnvironmentBuildError
from mediaconduit.process import CommandError, cmd_output, cmd_output_later
from mediaconduit.progress import Progress, ProgressCallback, ignore

MARKER = ".mediaconduit-env.json"
SDK_SOURCE = Path(__file__).parent / "sdk"


class Environment(NamedTuple):
    key: str
    path: Path
    python: Path


def base_python() -> Path:
    """The interpreter environments are made from: the host's own, links resolved."""
    return Path(os.path.realpath(sys.executable))


def venv_python(path: Path) -> Path:
    return path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def environment_key(dependencies: list[str], locked: str | None = None) -> str:
    """Same dependency set (or locked requirements) + interpreter + SDK version -> same key."""
    data = {
        "dependencies": sorted(d.strip() for d in dependencies),
        **({"locked": locked} if locked is not None else {}),
        "python": str(base_python()),
        "version": sys.version,
        "sdk": __version__,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def _base_stamp(python: Path) -> list[int]:
    st = python.stat()
    return [st.st_mtime_ns, st.st_size]


def is_complete(path: Path) -> bool:
    """Marker present, interpreter link intact, base interpreter unchanged."""
    marker = cache.read_json(path / MARKER)
    if not isinstance(marker, dict) or not venv_python(path).exists():
        return False
    try:
        return bool(_base_stamp(Path(marker["base_python"])) == marker["base_stamp"])
    except (OSError, KeyError, TypeError):
        return False


HealthCheck = Callable[[Path], Callable[[], None]]
"""Given a new environment's interpreter, start checking that it runs; the function it
returns waits for the verdict and raises if the check failed."""


def ensure_environment(
    layout: cache.Layout, dependencies: list[str], *, python: str | None = None,
    offline: bool = False, label: str = "", progress: ProgressCallback = ignore,
    check: HealthCheck | None = None, locked: str | None = None,
) -> Environment:
    """The environment for `dependencies`, built (once, under a lock) if needed.

    A new environment is marked complete only after the install and a health
    check, which runs while uv installs: `check` if given (the registry starts
    the provider's worker there), else a bare interpreter start. `locked` is the
    requirements text of `mediaconduit.lock`: then exactly those packages are
    installed, every hash required, nothing resolved.
    """
    key = environment_key(dependencies, locked)
    path = layout.env(key)
    if not is_complete(path):
        with cache.locked(layout.lock(f"env-{key}")):
            if not is_complete(path):
                progress(Progress("install", label or key, message=f"{len(dependencies)} deps"))
                _build(path, dependencies, python=python, offline=offline, label=label or key,
                       check=check or _health_check, locked=locked)
                progress(Progress("install", label or key, 1, 1, finished=True))
    return Environment(key, path, venv_python(path))


def _build(
    path: Path, dependencies: list[str], *, python: str | None, offline: bool, label: str,
    check: HealthCheck, locked: str | None = None,
) -> None:
    installable = host_checked(dependencies, python, label)
    cache.remove(path)
    base = base_python()
    try:
        _uv("venv", "--no-project", "--no-config", "--quiet", "--python", str(base), str(path))
        verdict = check(venv_python(path))
        flags = ["--offline"] if offline else []
        if locked is not None:
            _install_locked(path, locked, flags)
        elif installable:
            _uv("pip", "install", "--no-config", "--python", str(venv_python(path)), *flags,
                "--", *installable)
        verdict()
    except CommandError as e:
        cache.remove(path)
        raise EnvironmentBuildError(_explain(label, e, offline)) from None
    except BaseException:
        cache.remove(path)
        raise
    cache.write_json(path / MARKER, {
        "dependencies": dependencies, "base_python": str(base), "base_stamp": _base_stamp(base),
        "python_version": sys.version, "sdk": __version__, "build_id": os.urandom(16).hex(),
    })


def _install_locked(path: Path, locked: str, flags: list[str]) -> None:
    """Exactly the locked packages: hashes required, no resolution, no other package."""
    if not locked.strip():
        return
    requirements = path / "mediaconduit-locked.txt"
    requirements.write_text(locked)
    _uv("pip", "install", "--no-config", "--python", str(venv_python(path)), *flags,
        "--require-hashes", "--no-deps", "-r", str(requirements))


def _explain(label: str, error: CommandError, offline: bool) -> str:
    hint = ("\n  MEDIACONDUIT_OFFLINE=1 allows only packages already in uv's cache; "
            "run once online to fill it") if offline else ""
    return f"could not build the environment of {label}:\n{error.output}{hint}"


def _uv(*args: str) -> str:
    from uv import find_uv_bin

    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_NO_PROGRESS": "1"}
    env.pop("VIRTUAL_ENV", None)
    return cmd_output(find_uv_bin(), *args, env=env)


def _health_check(python: Path) -> Callable[[], None]:
    """Start the interpreter once; the verdict: it ran, in its own environment."""
    output = cmd_output_later(python, "-I", "-c", "import sys; print(sys.prefix)")

    def verdict() -> None:
        prefix, expected = output().strip(), python.parent.parent.resolve()
        if Path(prefix).resolve() != expected:
            raise CommandError([str(python)], 1, f"prefix {prefix}, expected {expected}")

    return verdict


def host_checked(dependencies: list[str], python: str | None, label: str) -> list[str]:
    """Check `python` and any `mediaconduit` requirement against this host; drop the latter."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.specifiers import SpecifierSet

    if python and not SpecifierSet(python).contains(_python_version(), prereleases=True):
        raise EnvironmentBuildError(
            f"{label} needs Python {python}; this host runs {_python_version()}: "
            "run MediaConduit with a Python that matches"
        )
    kept = []
    for line in dependencies:
        try:
            req = Requirement(line)
        except InvalidRequirement as e:
            raise EnvironmentBuildError(f"{label}: bad dependency {line!r}: {e}") from None
        if req.name.lower() != "mediaconduit":
            kept.append(line)
        elif not req.specifier.contains(__version__, prereleases=True):
            raise EnvironmentBuildError(
                f"{label} needs mediaconduit{req.specifier}; this is {__version__}: "
                "upgrade mediaconduit"
            )
    return kept


def _python_version() -> str:
    return ".".join(str(part) for part in sys.version_info[:3])


def ensure_sdk(layout: cache.Layout) -> Path:
    """A folder holding only the SDK as package `mediaconduit`, for the worker's path."""
    sources = sorted(SDK_SOURCE.glob("*.py"))
    digest = hashlib.sha256(b"".join(p.name.encode() + p.read_bytes() for p in sources))
    final = layout.sdk(f"{__version__}-{digest.hexdigest()[:12]}")
    if (final / "mediaconduit" / "__init__.py").exists():
        return final
    with cache.staging_dir(layout, "sdk") as stage:
        package = stage / "sdk" / "mediaconduit"
        (package / "sdk").mkdir(parents=True)
        for source in sources:
            (package / "sdk" / source.name).write_bytes(source.read_bytes())
        (package / "__init__.py").write_text(_STUB)
        cache.publish(stage / "sdk", final)
    return final


_STUB = f'''"""The MediaConduit SDK, as a provider's worker sees it (the host is not here)."""

from mediaconduit.sdk import *  # noqa: F403
from mediaconduit.sdk import __all__

__version__ = "{__version__}"
'''
