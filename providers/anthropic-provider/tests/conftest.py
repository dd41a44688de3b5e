"""Fixtures: the provider's `src/` and `tests/` on sys.path, a fake Anthropic, providers on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mediaconduit.sdk.fakes import closing_all, on_path

# These tests run in the provider's own environment, where the anthropic client is
# installed. MediaConduit's dev venv deliberately lacks it, so there they skip; the
# host's tests/test_anthropic_provider.py runs them in an environment with the deps.
pytest.importorskip("anthropic")

HERE = Path(__file__).resolve().parent
on_path(HERE.parent / "src", HERE)

from anthropic_helpers import FAST, KEY  # noqa: E402
from fake_anthropic import FakeAnthropic  # noqa: E402

if TYPE_CHECKING:
    from anthropic_provider import AnthropicProvider

MakeProvider = Callable[..., "AnthropicProvider"]


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeAnthropic]:
    with FakeAnthropic(api_key=KEY) as fake:
        yield fake


@pytest.fixture
def fake(fake_server: FakeAnthropic) -> FakeAnthropic:
    """The shared fake, with an empty request log and no scripted replies."""
    fake_server.reset()
    return fake_server


@pytest.fixture
def make_provider(fake: FakeAnthropic) -> Iterator[MakeProvider]:
    """`make_provider(api_key=KEY, **config)`: a provider on the fake."""
    from anthropic_provider import AnthropicProvider

    def make(api_key: str | None = KEY, **config: Any) -> AnthropicProvider:
        env = {"ANTHROPIC_BASE_URL": fake.base_url}
        if api_key:
            env["ANTHROPIC_API_KEY"] = api_key
        return AnthropicProvider(config={**FAST, **config}, env=env)

    with closing_all(make) as tracked:
        yield tracked


@pytest.fixture
def provider(make_provider: MakeProvider) -> AnthropicProvider:
    return make_provider()
