"""Puts the provider's `src/` and `tests/` on sys.path; fixtures for the fake Kokoro.

These tests need the official `openai` client, which MediaConduit's dev venv does
not have: there they skip, and the host's `tests/test_kokoro_provider.py` runs them
in an environment with this provider's dependencies (plus the speech engines the
fake speaks with).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("openai")
pytest.importorskip("espeakng_loader")  # the fake speaks with espeak-ng
pytest.importorskip("pocketsphinx")  # and the tests listen with pocketsphinx

HERE = Path(__file__).resolve().parent
for _folder in (HERE.parent / "src", HERE):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from fake_kokoro import FakeKokoro  # noqa: E402
from kokoro_provider import KokoroProvider  # noqa: E402

#: no retries and short waits, so the error tests stay quick
FAST: dict[str, Any] = {"max_retries": 0, "timeout": 20, "connect_timeout": 2}
MakeProvider = Callable[..., KokoroProvider]


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeKokoro]:
    with FakeKokoro() as fake:
        yield fake


@pytest.fixture
def fake(fake_server: FakeKokoro) -> FakeKokoro:
    """The shared fake Kokoro with an empty request log and no scripted replies."""
    fake_server.reset()
    fake_server.legacy = False
    return fake_server


@pytest.fixture
def make_provider(fake: FakeKokoro) -> Iterator[MakeProvider]:
    """`make_provider(base_url=fake, **config)`: a provider on the fake."""
    made: list[KokoroProvider] = []

    def make(base_url: str | None = None, **config: Any) -> KokoroProvider:
        provider = KokoroProvider(config={**FAST, **config},
                                  env={"KOKORO_BASE_URL": base_url or fake.base_url})
        made.append(provider)
        return provider

    yield make
    for provider in made:
        provider.close()


@pytest.fixture
def provider(make_provider: MakeProvider) -> KokoroProvider:
    return make_provider()
