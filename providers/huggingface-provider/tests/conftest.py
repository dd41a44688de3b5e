"""Puts the provider's `src/` and `tests/` on sys.path; fixtures for the fake Hugging Face."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mediaconduit.sdk.fakes import closing_all, on_path

HERE = Path(__file__).resolve().parent
on_path(HERE.parent / "src", HERE)

from fake_hf import FakeHF  # noqa: E402
from hf_helpers import FAST  # noqa: E402
from huggingface_provider import HuggingFaceProvider  # noqa: E402

MakeProvider = Callable[..., HuggingFaceProvider]


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeHF]:
    with FakeHF() as fake:
        yield fake


@pytest.fixture
def fake(fake_server: FakeHF) -> FakeHF:
    """The shared fake, with an empty request log, no loading models, no scripted replies."""
    fake_server.reset()
    return fake_server


@pytest.fixture
def make_provider(fake: FakeHF) -> Iterator[MakeProvider]:
    """`make_provider(token=..., **config)`: a provider on the fake (token None: none)."""
    def make(token: str | None = fake.token, **config: Any) -> HuggingFaceProvider:
        env = {k: v for k, v in fake.env().items() if k != "HF_TOKEN"}
        if token:
            env["HF_TOKEN"] = token
        return HuggingFaceProvider(config={**FAST, **config}, env=env)

    with closing_all(make) as tracked:
        yield tracked
