"""Host-side errors: problems a user can fix, reported without a traceback.

They join the SDK's error family (`MediaConduitError`), so the CLI prints
their message once, and `error_from_dict` can rebuild them by name.
"""

from __future__ import annotations

from mediaconduit.sdk.errors import MediaConduitError, ProviderLoadError


class ManifestError(MediaConduitError):
    """`MediaConduit.provider.yml` is missing or invalid; the message lists every problem."""


class SpecifierError(MediaConduitError):
    """A provider specifier (URL, shorthand, path) is malformed or refused."""


class GitError(MediaConduitError):
    """git failed to resolve or fetch a provider repository."""


class EnvironmentBuildError(MediaConduitError):
    """A provider's environment could not be created or its dependencies installed."""


class OfflineError(MediaConduitError):
    """Offline mode is on and what was asked for is not in the cache."""


class CacheError(MediaConduitError):
    """The cache directory cannot be used (permissions, disk, a damaged entry)."""


class ProtocolError(MediaConduitError):
    """Host and worker disagree on the protocol or send something malformed."""


class ProjectError(MediaConduitError):
    """`mediaconduit.yaml` is missing, unreadable or invalid; the message names each line."""


class LockError(MediaConduitError):
    """`mediaconduit.lock` is missing, damaged, stale, or cannot be made."""


class LockMismatchError(LockError):
    """A checkout or environment differs from what the lock says: it is refused, never used."""


__all__ = [
    "CacheError", "EnvironmentBuildError", "GitError", "LockError", "LockMismatchError",
    "ManifestError", "OfflineError", "ProjectError", "ProtocolError", "ProviderLoadError",
    "SpecifierError",
]
