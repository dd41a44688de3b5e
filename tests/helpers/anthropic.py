"""The Anthropic provider's own fake API and test constants, for the host's tests.

They live in `providers/anthropic-provider/tests/` (the provider repo's tests);
that folder goes on `sys.path` here so the host's tests use the very same fake.
Neither file imports the `anthropic` client, which the host never has.
"""

from __future__ import annotations

from tests.helpers.provider_tests import provider_tests

PROVIDER = provider_tests("anthropic")

from anthropic_helpers import FAST, HAIKU, KEY, OLD_SHAPE, OPUS, PNG, RETIRED  # noqa: E402
from fake_anthropic import (  # noqa: E402
    MODELS,
    FakeAnthropic,
    Reply,
    answer,
    billing,
    error_reply,
    held,
    invalid,
    low_credit,
    mid_stream_error,
    not_found,
    overloaded,
    rate_limited,
    unauthorized,
)

__all__ = [
    "FAST", "HAIKU", "KEY", "MODELS", "OLD_SHAPE", "OPUS", "PNG", "PROVIDER", "RETIRED",
    "FakeAnthropic", "Reply", "answer", "billing", "error_reply", "held", "invalid",
    "low_credit", "mid_stream_error", "not_found", "overloaded", "rate_limited", "unauthorized",
]
