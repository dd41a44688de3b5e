"""Fixtures: the provider's `src/` on sys.path and the shared fake chat API in Mistral's dialect.

These tests need the `mistralai` client, which only the provider's environment
has: in MediaConduit's dev venv they skip, and the host's
`tests/test_mistral_provider.py` runs them in the provider's environment.
The fake is the host repository's `tests/helpers/openai_chat.py` (one fake for
Together and Mistral), found by walking up to the repository root; its folder
goes on sys.path, so the suite imports it as `openai_chat` (never a copy), and
the fixtures, shared with the other provider on that fake, from its `chat_suite`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mediaconduit.sdk.fakes import on_path

pytest.importorskip("mistralai")

HERE = Path(__file__).resolve().parent
ROOT = next((p for p in HERE.parents if (p / "tests/helpers/openai_chat.py").is_file()), None)
if ROOT is None:
    pytest.skip("the shared fake (tests/helpers/openai_chat.py of MediaConduit) is not here",
                allow_module_level=True)
on_path(HERE.parent / "src", HERE, ROOT / "tests" / "helpers")

from chat_suite import suite_fixtures  # noqa: E402
from mistral_helpers import FAST, KEY  # noqa: E402
from mistral_provider import MistralProvider  # noqa: E402
from openai_chat import MISTRAL  # noqa: E402

fake_server, fake, make_provider, shared_provider, provider = suite_fixtures(
    MISTRAL, MistralProvider, "MISTRAL", KEY, FAST)
