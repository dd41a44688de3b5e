"""Puts the provider's `src/` and `tests/` on sys.path; fixtures for the fake OpenRouter."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mediaconduit.sdk.fakes import closing_all, on_path

HERE = Path(__file__).resolve().parent
on_path(HERE.parent / "src", HERE)

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
    def make(
        api_key: str | None = KEY, base_url: str | None = None, **config: Any
    ) -> OpenRouterProvider:
        env = {"OPENROUTER_BASE_URL": base_url or fake.base_url}
        if api_key:
            env["OPENROUTER_API_KEY"] = api_key
        return OpenRouterProvider(config={**FAST, **config}, env=env)

    with closing_all(make) as tracked:
        yield tracked
