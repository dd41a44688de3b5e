"""Puts the provider's `src/` and `tests/` on sys.path; fixtures for the fake OpenRouter."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
for _folder in (HERE.parent / "src", HERE):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from fake_openrouter import FakeOpenRouter  # noqa: E402
from openrouter_helpers import FAST, KEY  # noqa: E402
from openrouter_provider import OpenRouterProvider  # noqa: E402

MakeProvider = Callable[..., OpenRouterProvider]


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeOpenRouter]:
    with FakeOpenRouter(api_key=KEY) as fake:
        yield fake


@pytest.fixture
def fake(fake_server: FakeOpenRouter) -> FakeOpenRouter:
    """The shared fake OpenRouter, with an empty request log and no scripted replies."""
    fake_server.reset()
    return fake_server


@pytest.fixture
def make_provider(fake: FakeOpenRouter) -> Iterator[MakeProvider]:
    """`make_provider(api_key=KEY, base_url=fake, **config)`: a provider on the fake."""
    made: list[OpenRouterProvider] = []

    def make(
        api_key: str | None = KEY, base_url: str | None = None, **config: Any
    ) -> OpenRouterProvider:
        env = {"OPENROUTER_BASE_URL": base_url or fake.base_url}
        if api_key:
            env["OPENROUTER_API_KEY"] = api_key
        provider = OpenRouterProvider(config={**FAST, **config}, env=env)
        made.append(provider)
        return provider

    yield make
    for provider in made:
        provider.close()
