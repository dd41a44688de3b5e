"""Puts the provider's `src/` and `tests/` on sys.path; fixtures for the fake fal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mediaconduit.sdk.fakes import closing_all, on_path

HERE = Path(__file__).resolve().parent
on_path(HERE.parent / "src", HERE)

from fake_fal import FakeFal  # noqa: E402
from fal_helpers import FAST  # noqa: E402
from fal_provider import FalProvider  # noqa: E402

MakeProvider = Callable[..., FalProvider]


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeFal]:
    with FakeFal() as fake:
        yield fake


@pytest.fixture
def fake(fake_server: FakeFal) -> FakeFal:
    """The shared fake fal, with an empty request log, no jobs and no scripted replies."""
    fake_server.reset()
    return fake_server


@pytest.fixture
def make_provider(fake: FakeFal) -> Iterator[MakeProvider]:
    """`make_provider(key=..., **config)`: a provider on the fake (key None: no key)."""
    def make(key: str | None = fake.key, **config: Any) -> FalProvider:
        env = {k: v for k, v in fake.env().items() if k != "FAL_KEY"}
        if key:
            env["FAL_KEY"] = key
        return FalProvider(config={**FAST, **config}, env=env)

    with closing_all(make) as tracked:
        yield tracked
