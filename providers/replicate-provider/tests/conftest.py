"""Puts the provider's `src/` and `tests/` on sys.path; fixtures for the fake Replicate."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mediaconduit.sdk.fakes import closing_all, on_path

HERE = Path(__file__).resolve().parent
on_path(HERE.parent / "src", HERE)

from fake_replicate import FakeReplicate  # noqa: E402
from replicate_helpers import FAST, TOKEN  # noqa: E402
from replicate_provider import ReplicateProvider  # noqa: E402

MakeProvider = Callable[..., ReplicateProvider]


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeReplicate]:
    with FakeReplicate(token=TOKEN) as fake:
        yield fake


@pytest.fixture
def fake(fake_server: FakeReplicate) -> FakeReplicate:
    """The shared fake Replicate with an empty request log, no scripts, default jobs."""
    fake_server.reset()
    return fake_server


@pytest.fixture
def outputs(tmp_path: Path) -> Iterator[Path]:
    """Each call made in the test writes its files under this folder."""
    from mediaconduit.sdk.assets import call_outputs

    root = tmp_path / "outputs"
    with call_outputs(root):
        yield root


@pytest.fixture
def make_provider(fake: FakeReplicate, outputs: Path) -> Iterator[MakeProvider]:
    """`make_provider(api_token=TOKEN, **config)`: a provider on the fake."""
    def make(api_token: str | None = TOKEN, **config: Any) -> ReplicateProvider:
        env = {"REPLICATE_BASE_URL": fake.base_url}
        if api_token:
            env["REPLICATE_API_TOKEN"] = api_token
        return ReplicateProvider(config={**FAST, **config}, env=env)

    with closing_all(make) as tracked:
        yield tracked
