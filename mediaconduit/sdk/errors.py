"""The error family, shared by the host and the providers.

Standard library only: this module runs inside provider environments.

Every error MediaConduit raises on purpose (a user mistake, a provider
refusing, an upstream API failing) is a `MediaConduitError`; the CLI catches
that family once and prints its message, never a traceback. Provider errors
cross the process boundary intact, extra attributes included
(`RateLimitError.retry_after`, `ModelNotFoundError.model_id`, ...).
"""

from __future__ import annotations

from typing import Any, ClassVar

_ALL: dict[str, type[MediaConduitError]] = {}  # every class of the family, by name


class MediaConduitError(Exception):
    """Base of every error raised on purpose: a problem to fix, not a bug."""

    attrs: ClassVar[tuple[str, ...]] = ()
    #: For an error that ended a stream: the text streamed before it, else None.
    partial: str | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _ALL[cls.__name__] = cls  # every error of the family can be rebuilt by name

    def to_dict(self) -> dict[str, Any]:
        """The error as JSON-able data, for the wire between host and worker."""
        data: dict[str, Any] = {"type": type(self).__name__, "message": str(self)}
        data.update({name: getattr(self, name, None) for name in self.attrs})
        return data


class ProviderError(MediaConduitError):
    """Raised by, or about, a provider."""


class AuthenticationError(ProviderError):
    """The credentials are missing, invalid or not allowed to do this."""


class PaymentRequiredError(ProviderError):
    """The account has run out of credits (HTTP 402)."""


class RateLimitError(ProviderError):
    """Too many requests; `retry_after` says how many seconds to wait, if known."""

    attrs = ("retry_after",)

    def __init__(self, message: str = "rate limited", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ModelNotFoundError(ProviderError):
    """The provider has no model with this id."""

    attrs = ("model_id",)

    def __init__(self, model_id: str = "", message: str | None = None) -> None:
        super().__init__(
            message or f"model {model_id!r} not found; list the provider's models to see its ids"
        )
        self.model_id = model_id


class InvalidInputError(ProviderError):
    """The input or a parameter is wrong; the message says which and why."""


class ProviderUnavailableError(ProviderError):
    """The provider's service cannot be reached or keeps failing."""


class TransformTimeoutError(ProviderError):
    """A transform or stream ran past its `timeout=`; the worker was told to cancel it."""

    attrs = ("timeout",)

    def __init__(self, message: str = "timed out", timeout: float | None = None) -> None:
        super().__init__(message)
        self.timeout = timeout


class ProviderCrashedError(ProviderError):
    """The provider's worker process died; `last_lines` holds what it last wrote."""

    attrs = ("last_lines", "exit_code")

    def __init__(
        self, message: str = "provider crashed", last_lines: list[str] | None = None,
        exit_code: int | None = None,
    ) -> None:
        tail = "\n".join(f"  | {line}" for line in last_lines or [])
        super().__init__(f"{message}\n{tail}" if tail else message)
        self.last_lines = list(last_lines or [])
        self.exit_code = exit_code


class RemoteFailure(ProviderError):
    """An exception raised in the worker, with its type and traceback from over there."""

    attrs = ("remote_type", "remote_traceback")

    def __init__(
        self, message: str = "", remote_type: str = "", remote_traceback: str = ""
    ) -> None:
        super().__init__(message)
        self.remote_type = remote_type
        self.remote_traceback = remote_traceback


class ProviderLoadError(RemoteFailure):
    """The provider's entry class could not be imported or constructed."""


class ProviderBugError(RemoteFailure):
    """Provider code raised an exception that is not one of the typed errors."""


_ALL[MediaConduitError.__name__] = MediaConduitError


def error_from_dict(data: dict[str, Any]) -> MediaConduitError:
    """Rebuild an error sent by `MediaConduitError.to_dict`, attributes included."""
    cls = _ALL.get(str(data.get("type")), ProviderError)
    error = cls.__new__(cls)
    Exception.__init__(error, str(data.get("message", "")))
    for name in cls.attrs:
        setattr(error, name, data.get(name))
    return error
