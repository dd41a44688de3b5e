"""Errors typed by status, with Replicate's own words and never the token."""

from __future__ import annotations

import pytest
from conftest import MakeProvider
from fake_replicate import FakeReplicate, Reply, problem, rate_limited, server_error
from replicate_helpers import FLUX, TOKEN

from mediaconduit.sdk import (
    AuthenticationError,
    Image,
    PaymentRequiredError,
    ProviderUnavailableError,
    RateLimitError,
    Text,
)


def test_no_token_says_how_to_set_one(make_provider: MakeProvider,
                                      fake: FakeReplicate) -> None:
    with pytest.raises(AuthenticationError, match="REPLICATE_API_TOKEN is not set"):
        make_provider(api_token=None).get_model(FLUX).transform(Text("a corgi"))
    assert fake.requests == []


def test_a_wrong_token_is_an_authentication_error_without_the_token(
        make_provider: MakeProvider, fake: FakeReplicate) -> None:
    wrong = "r8_" + "wr0ngT0k3n" * 3
    with pytest.raises(AuthenticationError) as caught:
        make_provider(api_token=wrong).get_model(FLUX).transform(Text("a corgi"))
    message = str(caught.value)
    assert "Unauthenticated: You did not pass a valid authentication token" in message
    assert wrong not in message and wrong[3:] not in message


def test_402_is_payment_required(make_provider: MakeProvider, fake: FakeReplicate) -> None:
    fake.script("create", problem(402, "You have insufficient credit to run this model.",
                                  "Insufficient credit"))
    with pytest.raises(PaymentRequiredError, match="insufficient credit to run this model"):
        make_provider().get_model(FLUX).transform(Text("a corgi"))


def test_429_is_retried_after_its_retry_after(make_provider: MakeProvider,
                                              fake: FakeReplicate) -> None:
    fake.script("create", rate_limited(0.1))
    make_provider(wait=5).get_model(FLUX).transform(Text("a corgi"))
    first, second = fake.requests_to("create")
    assert second.at - first.at >= 0.1


def test_a_long_retry_after_reaches_the_caller(make_provider: MakeProvider,
                                               fake: FakeReplicate) -> None:
    fake.script("create", rate_limited(30))
    with pytest.raises(RateLimitError, match="Request was throttled") as caught:
        make_provider().get_model(FLUX).transform(Text("a corgi"))
    assert caught.value.retry_after == 30
    assert len(fake.requests_to("create")) == 1


@pytest.mark.parametrize("endpoint", ["create", "get", "delivery"])
def test_5xx_is_retried_with_backoff(make_provider: MakeProvider, fake: FakeReplicate,
                                     endpoint: str) -> None:
    fake.script(endpoint, server_error(500), server_error(503))
    result = make_provider().get_model(FLUX).transform(Text("a corgi"))
    assert isinstance(result[0], Image)
    assert len(fake.requests_to(endpoint)) >= 3


def test_5xx_that_persists_is_provider_unavailable(make_provider: MakeProvider,
                                                   fake: FakeReplicate) -> None:
    fake.script("create", *[server_error(502)] * 3)
    with pytest.raises(ProviderUnavailableError, match=r"HTTP 502: Internal Server Error"):
        make_provider().get_model(FLUX).transform(Text("a corgi"))
    assert len(fake.requests_to("create")) == 3


def test_the_token_is_in_no_error_message(make_provider: MakeProvider,
                                          fake: FakeReplicate) -> None:
    fake.script("create", Reply(400, {"detail": f"bad header Bearer {TOKEN}", "status": 400}))
    with pytest.raises(Exception) as caught:
        make_provider().get_model(FLUX).transform(Text("a corgi"))
    assert TOKEN not in str(caught.value)
    assert "***" in str(caught.value)
