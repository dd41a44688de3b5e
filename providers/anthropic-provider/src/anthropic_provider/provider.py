"""`AnthropicProvider` and `AnthropicModel`, on the official `anthropic` client."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import anthropic
import httpx2

from anthropic_provider.catalog import model_info
from anthropic_provider.chat import answer_text, request
from anthropic_provider.errors import map_connection_error, map_status_error
from anthropic_provider.retry import with_retries
from anthropic_provider.settings import load_settings
from anthropic_provider.stream import deltas
from mediaconduit.sdk import (
    MediaConduitError,
    Model,
    ModelInfo,
    ModelNotFoundError,
    Provider,
    ProviderUnavailableError,
    Text,
    cancelled,
)
from mediaconduit.sdk.hangup import hang_up_on_cancel
from mediaconduit.sdk.upstream import did_you_mean

T = TypeVar("T")
#: `create` keywords the provider sets itself or that are not API parameters
NOT_PARAMS = frozenset({"model", "messages", "max_tokens", "stream", "system", "extra_headers",
                        "extra_query", "extra_body", "timeout"})


class AnthropicProvider(Provider):
    """Every model `GET /v1/models` lists, used through the Messages API.

    Constructing it does no network I/O; the client is made on first use, and
    then needs the API key (`AuthenticationError` saying how to set it).
    """

    def __init__(self, config: Mapping[str, Any] | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        super().__init__(config, env)
        self.settings = load_settings(self.config, self.env)
        self._client: anthropic.Anthropic | None = None
        self._models: dict[str, ModelInfo] | None = None
        self._lock = threading.Lock()
        self._discovery = threading.Lock()

    @property
    def client(self) -> anthropic.Anthropic:
        with self._lock:
            if self._client is None:
                self._client = self._make_client()
            return self._client

    def _make_client(self) -> anthropic.Anthropic:
        settings = self.settings
        timeout = httpx2.Timeout(settings.timeout, connect=settings.connect_timeout)
        http = anthropic.DefaultHttpxClient(timeout=timeout,
                                            event_hooks={"response": [hang_up_on_cancel]})
        return anthropic.Anthropic(api_key=settings.key(), base_url=settings.base_url,
                                   max_retries=0, timeout=timeout, http_client=http)

    def discover_models(self) -> list[ModelInfo]:
        """Every page of `GET /v1/models` (newest first), as `ModelInfo`s."""
        size = self.settings.page_size
        entries = self.send(lambda: [m.to_dict(mode="json")
                                     for m in self.client.models.list(limit=size)], "")
        prices = self.settings.prices
        infos = [model_info(e, prices.get(str(e["id"]))) for e in entries]
        self._models = {info.id: info for info in infos}
        return infos

    def get_model(self, model_id: str) -> AnthropicModel:
        return AnthropicModel(self.model_info(model_id), self)

    def model_info(self, model_id: str) -> ModelInfo:
        """The listed model, or one an alias names (`claude-sonnet-4-5` -> its dated id)."""
        models = self._catalog()
        if model_id in models:
            return models[model_id]
        dated = sorted(i for i in models if i.startswith(f"{model_id}-"))
        if dated:
            base = models[dated[-1]]
            return ModelInfo.from_dict({**base.to_dict(), "id": model_id,
                                        "metadata": {**base.metadata, "alias_of": base.id}})
        raise ModelNotFoundError(model_id, _not_listed(model_id, models))

    def get_free_models(self) -> list[ModelInfo]:
        return []

    def send(self, call: Callable[[], T], model_id: str) -> T:
        """`call()` with retries; every failure a typed error."""
        known = list(self._models or {})
        return with_retries(
            call, self.settings.retry,
            fail=lambda error, after: map_status_error(error, model_id, known, after,
                                                       self.settings.api_key),
            unreachable=lambda error: map_connection_error(error, self.settings.base_url))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _catalog(self) -> dict[str, ModelInfo]:
        with self._discovery:  # concurrent first calls discover once
            if self._models is None:
                self.discover_models()
            return self._models or {}


def _not_listed(model_id: str, models: Mapping[str, ModelInfo]) -> str:
    hint = did_you_mean(model_id, models)
    return f"Anthropic lists no model {model_id!r} ({len(models)} models listed){hint}"


@functools.lru_cache(maxsize=1)
def accepted_params() -> frozenset[str]:
    """The API parameters the installed client's `messages.create` takes as keywords."""
    signature = inspect.signature(anthropic.resources.messages.Messages.create)
    return frozenset(signature.parameters) - NOT_PARAMS - {"self"}


class AnthropicModel(Model):
    """One Claude model. `transform(input, **params)` answers; `stream` yields text.

    `input` is `Text` or `Image` (with a `prompt` param); `system`, `messages`,
    `max_tokens` and every other Messages API parameter are params.
    """

    def __init__(self, info: ModelInfo, provider: AnthropicProvider) -> None:
        super().__init__(info, provider)
        self.anthropic = provider

    def _request(self, input: Any, params: Mapping[str, Any]) -> dict[str, Any]:
        return request(self.id, input, params, self.anthropic.settings.max_tokens,
                       accepted_params())

    def transform(self, input: Any, **params: Any) -> Text:
        kwargs = self._request(input, params)
        client = self.anthropic.client
        raw = self.anthropic.send(lambda: client.messages.with_raw_response.create(**kwargs),
                                  self.id)
        return answer_text(raw.parse(), self.info.pricing, raw.headers)

    def stream(self, input: Any, **params: Any) -> Iterator[str | Text]:
        kwargs = self._request(input, params)
        client = self.anthropic.client
        events = self.anthropic.send(lambda: client.messages.create(**kwargs, stream=True),
                                     self.id)
        try:
            yield from deltas(events, self.id, self.info.pricing)
        except anthropic.APIStatusError as error:
            raise self._failed(error) from None
        except (anthropic.APIConnectionError, httpx2.TransportError) as error:
            if cancelled():
                return  # we hung up ourselves: nobody reads this stream any more
            raise map_connection_error(error, self.anthropic.settings.base_url) from None
        finally:
            events.close()

    def _failed(self, error: anthropic.APIStatusError) -> MediaConduitError:
        mapped = map_status_error(error, self.id, list(self.anthropic._models or {}),
                                  secret=self.anthropic.settings.api_key)
        if isinstance(mapped, ProviderUnavailableError):
            return ProviderUnavailableError(f"{mapped} (inside the stream, after the answer began)")
        return mapped
