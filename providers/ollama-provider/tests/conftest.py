"""Fixtures: the provider's `src/` and `tests/` on sys.path, a fake Ollama, providers on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from mediaconduit.sdk.fakes import closing_all, on_path

# These tests run in the provider's own environment, where the ollama client is
# installed. MediaConduit's dev venv deliberately lacks it, so there they skip; the
# host's tests/test_ollama_provider.py runs them in an environment with the deps.
pytest.importorskip("ollama")

HERE = Path(__file__).resolve().parent
on_path(HERE.parent / "src", HERE)

from fake_ollama import FakeOllama  # noqa: E402
from ollama_helpers import FAST  # noqa: E402

if TYPE_CHECKING:
    from ollama_provider import OllamaProvider

MakeProvider = Callable[..., "OllamaProvider"]


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeOllama]:
    with FakeOllama() as fake:
        yield fake


@pytest.fixture
def fake(fake_server: FakeOllama) -> FakeOllama:
    """The shared fake: no requests, no replies, only the initial models pulled."""
    fake_server.reset()
    return fake_server


@pytest.fixture
def make_provider(fake: FakeOllama) -> Iterator[MakeProvider]:
    """`make_provider(**config)`: a provider on the fake (`host=` to point elsewhere)."""
    from ollama_provider import OllamaProvider

    def make(**config: Any) -> OllamaProvider:
        return OllamaProvider(config={**FAST, **config}, env={"OLLAMA_HOST": fake.host})

    with closing_all(make) as tracked:
        yield tracked


@pytest.fixture
def provider(make_provider: MakeProvider) -> OllamaProvider:
    return make_provider()
