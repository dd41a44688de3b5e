from __future__ import annotations

import pytest

from mediaconduit import errors as host_errors
from mediaconduit.sdk import errors


@pytest.mark.parametrize("error", [
    errors.RateLimitError("slow", retry_after=2.5),
    errors.ModelNotFoundError("m1"),
    errors.ProviderCrashedError("gone", ["a", "b"], 3),
    errors.ProviderBugError("KeyError: 'x'", "KeyError", "Traceback..."),
    errors.AuthenticationError("no key"),
    errors.PaymentRequiredError("credits"),
    errors.InvalidInputError("bad"),
    errors.ProviderUnavailableError("down"),
    errors.ProviderLoadError("import failed"),
    host_errors.ManifestError("bad manifest"),
])
def test_errors_survive_the_wire(error: errors.MediaConduitError) -> None:
    again = errors.error_from_dict(error.to_dict())
    assert type(again) is type(error)
    assert str(again) == str(error)
    for name in error.attrs:
        assert getattr(again, name) == getattr(error, name)


def test_unknown_error_type_becomes_a_provider_error() -> None:
    again = errors.error_from_dict({"type": "Weird", "message": "m"})
    assert type(again) is errors.ProviderError
    assert str(again) == "m"


def test_crash_message_shows_the_last_lines() -> None:
    crash = errors.ProviderCrashedError("died", ["line one", "line two"])
    assert str(crash) == "died\n  | line one\n  | line two"
    assert errors.ModelNotFoundError("x").model_id == "x"
