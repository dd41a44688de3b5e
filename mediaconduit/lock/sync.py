"""`mediaconduit sync`: make the cache match `mediaconduit.lock`.

For each locked provider: the checkout at the locked commit (fetched by id when it
is not cached; a cached one is verified file by file and fetched again when it
differs), the environment installed from the locked requirements with every hash
required, and the model catalog prefetched. `--locked` first checks that the lock
still matches `mediaconduit.yaml`; `--frozen` skips that check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mediaconduit import cache
from mediaconduit.errors import LockError, LockMismatchError
from mediaconduit.lock.lockfile import Lock, LockedProvider
from mediaconduit.lock.verify import verify_checkout
from mediaconduit.project.settings import Project
from mediaconduit.specifier import parse_specifier

if TYPE_CHECKING:
    from mediaconduit.registry import ProviderRegistry

Report = Callable[[str], None]


def stale(project: Project, lock: Lock) -> list[str]:
    """How the lock no longer matches the project file (empty when it does)."""
    from mediaconduit.lock.resolve import _specifier

    problems, keys = [], set()
    for entry in project.providers:
        spec = _specifier(project, entry)
        keys.add(spec.key)
        locked = lock.find(spec.key)
        if locked is None:
            problems.append(f"{entry.spec} is in mediaconduit.yaml but not in the lock")
        elif (locked.spec, locked.ref) != (entry.spec, spec.ref):
            wanted, have = spec.ref or "the default branch", locked.ref or "the default branch"
            problems.append(f"{entry.spec}: mediaconduit.yaml asks for {wanted}, the lock has "
                            f"{locked.spec} at {have}")
    problems += [f"{p.spec} is in the lock but no longer in mediaconduit.yaml"
                 for p in lock.providers if p.key not in keys]
    return problems


def sync(registry: ProviderRegistry, lock: Lock, *, check: bool = True,
         catalogs: bool = True, report: Report = lambda _: None) -> None:
    if check and (problems := stale(registry.project, lock)):
        raise LockError("mediaconduit.lock does not match mediaconduit.yaml:\n  "
                        + "\n  ".join(problems) + "\nrun `mediaconduit lock` to update it")
    for locked in lock.providers:
        _sync_one(registry, locked)
        if catalogs:
            _prefetch(registry, locked, report)
        report(f"{locked.spec}: {locked.commit[:12]} in sync")


def _sync_one(registry: ProviderRegistry, locked: LockedProvider) -> None:
    from mediaconduit.environment import ensure_environment
    from mediaconduit.git import ensure_checkout

    spec = parse_specifier(locked.url, locked.commit)
    layout, offline = registry.layout, registry.offline
    checkout = ensure_checkout(layout, spec, offline=offline)
    try:
        verify_checkout(checkout.path, locked, thorough=True)
    except LockMismatchError:  # damaged or edited in the cache: fetch the locked commit again
        cache.remove(checkout.path)
        checkout = ensure_checkout(layout, spec, offline=offline)
        verify_checkout(checkout.path, locked, thorough=True)
    python = checkout.facts.python if checkout.facts else None
    ensure_environment(layout, checkout.dependencies, python=python, offline=offline,
                       label=locked.spec, locked=locked.requirements_for())


def _prefetch(registry: ProviderRegistry, locked: LockedProvider, report: Report) -> None:
    """Discover the models now, so the first locked load lists them from disk."""
    from mediaconduit.sdk.errors import MediaConduitError

    try:
        registry.get_provider(locked.url, locked.ref).wait_for_models(timeout=300)
    except MediaConduitError as error:  # a remote API without its key, say: not fatal here
        report(f"{locked.spec}: models not prefetched ({str(error).splitlines()[0]})")
