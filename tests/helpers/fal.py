"""The fal provider's own fake server and test constants, for the host's tests.

They live in `providers/fal-provider/tests/` (the provider repo's tests); that
folder goes on `sys.path` here so the host's tests use the very same fake.
"""

from __future__ import annotations

from tests.helpers.provider_tests import provider_tests

PROVIDER = provider_tests("fal")

from fake_fal import FakeFal, Plan, Reply, error_reply, mp4_bytes, png_bytes  # noqa: E402
from fal_helpers import FAST, KEY  # noqa: E402

__all__ = ["FAST", "KEY", "PROVIDER", "FakeFal", "Plan", "Reply", "error_reply", "mp4_bytes",
           "png_bytes"]
