"""The fixtures of the Together and Mistral providers' own suites, which share one fake.

Both suites run on `openai_chat.FakeChat` (this folder) in their vendor's dialect;
their conftests put this folder on `sys.path` and take the fixtures from here:

    fake_server, fake, make_provider, shared_provider, provider = suite_fixtures(
        TOGETHER, TogetherProvider, "TOGETHER", KEY, FAST)

- `fake_server`: the fake for the session; `fake`: it, reset for each test.
- `make_provider(api_key=KEY, base_url=fake, **config)`: a provider on the fake
  (`api_key=None`: none), closed after the test.
- `provider`: one provider on the fake for the session (a client is slow to make).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from mediaconduit.sdk.fakes import closing_all

try:
    from tests.helpers.openai_chat import Dialect, FakeChat
except ImportError:  # a provider's own suite, with this folder on sys.path
    from openai_chat import Dialect, FakeChat  # type: ignore[no-redef]


def suite_fixtures(dialect: Dialect, provider_class: Callable[..., Any], prefix: str, key: str,
                   fast: Mapping[str, Any]) -> tuple[Any, ...]:
    """`fake_server, fake, make_provider, shared_provider, provider` for `provider_class`,
    whose variables are `<prefix>_BASE_URL` and `<prefix>_API_KEY`."""

    def env(base_url: str, api_key: str | None) -> dict[str, str]:
        return {f"{prefix}_BASE_URL": base_url, **({f"{prefix}_API_KEY": api_key} if api_key
                                                   else {})}

    @pytest.fixture(scope="session", name="fake_server")
    def fake_server() -> Iterator[FakeChat]:
        with FakeChat(dialect, api_key=key) as started:
            yield started

    @pytest.fixture(name="fake")
    def fake(fake_server: FakeChat) -> FakeChat:
        """The shared fake, with an empty request log and no scripted replies."""
        fake_server.reset()
        return fake_server

    @pytest.fixture(name="make_provider")
    def make_provider(fake: FakeChat) -> Iterator[Callable[..., Any]]:
        """`make_provider(api_key=KEY, base_url=fake, **config)`: a provider on the fake."""
        def make(api_key: str | None = key, base_url: str | None = None, **config: Any) -> Any:
            return provider_class(config={**fast, **config}, env=env(base_url or fake.base_url,
                                                                     api_key))

        with closing_all(make) as tracked:
            yield tracked

    @pytest.fixture(scope="session", name="shared_provider")
    def shared_provider(fake_server: FakeChat) -> Iterator[Any]:
        made = provider_class(config=dict(fast), env=env(fake_server.base_url, key))
        yield made
        made.close()

    @pytest.fixture(name="provider")
    def provider(shared_provider: Any, fake: FakeChat) -> Any:
        """One provider on the fake for the session (its client is slow to make)."""
        return shared_provider

    return fake_server, fake, make_provider, shared_provider, provider
