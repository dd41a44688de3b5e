"""Fixtures: the provider's `src/` on sys.path and the shared fake chat API in Mistral's dialect.

These tests need the `mistralai` client, which only the provider's environment
has: in MediaConduit's dev venv they skip, and the host's
`tests/test_mistral_provider.py` runs them in the provider's environment.
The fake is the host repository's `tests/helpers/openai_chat.py` (one fake for
Together and Mistral), found by walking up to the repository root; its folder
goes on sys.path, so the suite imports it as `openai_chat` (never a copy).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mistralai")

HERE = Path(__file__).resolve().parent
ROOT = next((p for p in HERE.parents if (p / "tests/helpers/openai_chat.py").is_file()), None)
if ROOT is None:
    pytest.skip("the shared fake (tests/helpers/openai_chat.py of MediaConduit) is not here",
                allow_module_level=True)
for _folder in (HERE.parent / "src", HERE, ROOT / "tests" / "helpers"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from mistral_helpers import FAST, KEY  # noqa: E402
from mistral_provider import MistralProvider  # noqa: E402
from openai_chat import MISTRAL, FakeChat  # noqa: E402

MakeProvider = Callable[..., MistralProvider]


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeChat]:
    with FakeChat(MISTRAL, api_key=KEY) as fake:
        yield fake


@pytest.fixture
def fake(fake_server: FakeChat) -> FakeChat:
    """The shared fake Mistral, with an empty request log and no scripted replies."""
    fake_server.reset()
    return fake_server


@pytest.fixture
def make_provider(fake: FakeChat) -> Iterator[MakeProvider]:
    """`make_provider(api_key=KEY, base_url=fake, **config)`: a provider on the fake."""
    made: list[MistralProvider] = []

    def make(api_key: str | None = KEY, base_url: str | None = None,
             **config: Any) -> MistralProvider:
        env = {"MISTRAL_BASE_URL": base_url or fake.base_url}
        if api_key:
            env["MISTRAL_API_KEY"] = api_key
        provider = MistralProvider(config={**FAST, **config}, env=env)
        made.append(provider)
        return provider

    yield make
    for provider in made:
        provider.close()


@pytest.fixture(scope="session")
def shared_provider(fake_server: FakeChat) -> Iterator[MistralProvider]:
    env = {"MISTRAL_BASE_URL": fake_server.base_url, "MISTRAL_API_KEY": KEY}
    provider = MistralProvider(config=FAST, env=env)
    yield provider
    provider.close()


@pytest.fixture
def provider(shared_provider: MistralProvider, fake: FakeChat) -> MistralProvider:
    """One provider on the fake for the session (its client is slow to make)."""
    return shared_provider
