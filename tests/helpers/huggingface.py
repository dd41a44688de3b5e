"""The Hugging Face provider's own fake server and test constants, for the host's tests.

They live in `providers/huggingface-provider/tests/` (the provider repo's tests);
that folder goes on `sys.path` here so the host's tests use the very same fake.
"""

from __future__ import annotations

from tests.helpers.provider_tests import provider_tests

PROVIDER = provider_tests("huggingface")

from fake_hf import FakeHF, Reply, error_reply, png_bytes, wav_bytes  # noqa: E402
from hf_helpers import FAST, TOKEN  # noqa: E402

__all__ = ["FAST", "PROVIDER", "TOKEN", "FakeHF", "Reply", "error_reply", "png_bytes",
           "wav_bytes"]
