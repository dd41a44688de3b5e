"""The public names are exactly the ones meant: nothing leaks, nothing is missing."""

from __future__ import annotations

import mediaconduit
import mediaconduit.sdk

ASSETS = {"Asset", "Audio", "Image", "Text", "Video"}
ERRORS = {"AuthenticationError", "InvalidInputError", "MediaConduitError", "ModelNotFoundError",
          "PaymentRequiredError", "ProviderBugError", "ProviderCrashedError", "ProviderError",
          "ProviderUnavailableError", "RateLimitError", "TransformTimeoutError"}
VALUES = {"Capability", "Cost", "ModelInfo", "Pricing", "Progress", "Usage"}

HOST = ASSETS | ERRORS | VALUES | {
    "BudgetExceededError", "ModelHandle", "NoRouteError", "ProviderHandle", "ProviderRegistry",
    "__version__", "get_provider_registry",
}
SDK = ASSETS | ERRORS | VALUES | {
    "TASKS", "Media", "Model", "Provider", "call_outputs", "cancelled", "estimate_cost",
    "extension_for", "on_cancel", "output_dir", "report_job", "report_progress", "wait",
}


def test_the_host_exports_exactly_its_public_names() -> None:
    assert set(mediaconduit.__all__) == HOST
    for name in mediaconduit.__all__:
        assert getattr(mediaconduit, name) is not None, name


def test_the_sdk_exports_exactly_what_a_provider_needs() -> None:
    assert set(mediaconduit.sdk.__all__) == SDK
    for name in mediaconduit.sdk.__all__:
        assert getattr(mediaconduit.sdk, name) is not None, name


def test_the_same_names_are_the_same_objects() -> None:
    for name in (ASSETS | ERRORS | VALUES) - {"Asset"}:
        assert getattr(mediaconduit, name) is getattr(mediaconduit.sdk, name), name


def test_every_error_of_the_family_is_rebuilt_by_name() -> None:
    from mediaconduit.routing import NoRouteError
    from mediaconduit.sdk.errors import _ALL, error_from_dict

    assert "NoRouteError" in _ALL and "ProjectError" in _ALL  # registered by subclassing
    rebuilt = error_from_dict(mediaconduit.TransformTimeoutError("late", 0.5).to_dict())
    assert type(rebuilt) is mediaconduit.TransformTimeoutError and rebuilt.timeout == 0.5
    again = error_from_dict(NoRouteError("none", [{"provider": "a", "model": "b",
                                                   "reason": "down"}]).to_dict())
    assert isinstance(again, NoRouteError) and again.attempts[0]["reason"] == "down"
