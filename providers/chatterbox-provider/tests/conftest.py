"""Puts the provider's `src/` and `tests/` on sys.path; fixtures for both fake servers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# The fakes speak with espeak-ng and the tests listen with pocketsphinx (MediaConduit's
# tests/helpers/speech.py); without those engines there is nothing to test against.
pytest.importorskip("espeakng_loader")
pytest.importorskip("pocketsphinx")

HERE = Path(__file__).resolve().parent
for _folder in (HERE.parent / "src", HERE):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from chatterbox_helpers import MakeProvider  # noqa: E402
from chatterbox_provider import ChatterboxProvider  # noqa: E402
from fake_chatterbox import FakeChatterbox  # noqa: E402

#: one quick retry, short waits
FAST: dict[str, Any] = {"max_attempts": 2, "backoff": 0.01, "connect_timeout": 2, "timeout": 20,
                        "idle_timeout": 20}


@pytest.fixture(scope="session")
def servers() -> Iterator[dict[str, FakeChatterbox]]:
    with FakeChatterbox("devnen") as devnen, FakeChatterbox("travisvn") as travisvn:
        yield {"devnen": devnen, "travisvn": travisvn}


@pytest.fixture
def devnen(servers: dict[str, FakeChatterbox]) -> FakeChatterbox:
    servers["devnen"].reset()
    return servers["devnen"]


@pytest.fixture
def travisvn(servers: dict[str, FakeChatterbox]) -> FakeChatterbox:
    servers["travisvn"].reset()
    return servers["travisvn"]


@pytest.fixture
def make_provider() -> Iterator[MakeProvider]:
    """`make_provider(fake, api=None, **config)`: a provider on that fake server."""
    made: list[ChatterboxProvider] = []

    def make(fake: FakeChatterbox | None = None, api: str | None = None,
             **config: Any) -> ChatterboxProvider:
        env = {"CHATTERBOX_BASE_URL": fake.base_url} if fake is not None else {}
        if api:
            env["CHATTERBOX_API"] = api
        provider = ChatterboxProvider(config={**FAST, **config}, env=env)
        made.append(provider)
        return provider

    yield make
    for provider in made:
        provider.close()
