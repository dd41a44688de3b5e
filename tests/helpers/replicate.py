"""The Replicate provider's own fake server and test constants, for the host's tests.

They live in `providers/replicate-provider/tests/` (the provider repo's tests); that
folder goes on `sys.path` here so the host's tests and the bench use the very same fake.
"""

from __future__ import annotations

from tests.helpers.provider_tests import provider_tests

PROVIDER = provider_tests("replicate")

from fake_replicate import (  # noqa: E402
    PINNED_MODEL,
    TEXT_MODEL,
    FakeReplicate,
    Job,
    RecordedRequest,
    Reply,
    problem,
    rate_limited,
    server_error,
    tiny_png,
)
from fake_replicate_models import PINNED_VERSION  # noqa: E402
from replicate_helpers import FAST, FLUX, TOKEN, VIDEO  # noqa: E402

URL = "https://github.com/MediaConduit/replicate-provider"
REPO = "MediaConduit/replicate-provider"

__all__ = [
    "FAST", "FLUX", "PINNED_MODEL", "PINNED_VERSION", "PROVIDER", "REPO", "TEXT_MODEL",
    "TOKEN", "URL", "VIDEO", "FakeReplicate", "Job", "RecordedRequest", "Reply", "problem",
    "rate_limited", "server_error", "tiny_png",
]
