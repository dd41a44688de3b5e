"""`MistralProvider` and its chat models, on the official `mistralai` client."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from mistralai.client import Mistral, errors
from mistralai.client.utils import BackoffStrategy, RetryConfig

from mediaconduit.sdk import (
    MediaConduitError,
    Model,
    ModelInfo,
    ModelNotFoundError,
    Provider,
    ProviderUnavailableError,
    Text,
    Usage,
    cancelled,
)
from mediaconduit.sdk.hangup import hang_up_on_cancel, track_calls
from mediaconduit.sdk.upstream import did_you_mean
from mistral_provider.catalog import aliases, parse_catalog
from mistral_provider.chat import answer, content_text, cost_of, messages, usage_of, vendor_params
from mistral_provider.errors import Context, is_transport_error, map_error
from mistral_provider.settings import Settings, load_settings

T = TypeVar("T")


def retry_config(settings: Settings) -> RetryConfig:
    """Back off from `retry_backoff` up to 8 s for at most `max_retry_seconds` (0: never)."""
    if settings.max_retry_seconds <= 0:
        return RetryConfig("none", BackoffStrategy(0, 0, 1.0, 0), False)
    first, elapsed = int(settings.retry_backoff * 1000), int(settings.max_retry_seconds * 1000)
    return RetryConfig("backoff", BackoffStrategy(first, max(first, 8000), 1.5, elapsed, 0), True)


class MistralProvider(Provider):
    """Every model `GET /v1/models` lists; the chat ones can be run (aliases too).

    Constructing it does no network I/O; the client is made on first use.
    """

    def __init__(
        self, config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(config, env)
        self.settings = load_settings(self.config, self.env)
        self._client: Mistral | None = None
        self._models: dict[str, ModelInfo] | None = None
        self._aliases: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def client(self) -> Mistral:
        with self._lock:
            if self._client is None:
                s = self.settings
                self._client = Mistral(api_key=s.key(), server_url=s.base_url,
                                       retry_config=retry_config(s),
                                       timeout_ms=int(s.timeout * 1000))
                http = self._client.sdk_configuration.client
                track_calls(getattr(http, "_transport", None))  # a cancel hangs up its call
            return self._client

    def call(self, model_id: str, action: Callable[[], T]) -> T:
        """Run a client call; its exceptions become typed errors."""
        try:
            return action()
        except (errors.MistralError, errors.NoResponseError) as error:
            raise map_error(error, self.context(model_id)) from None
        except Exception as error:
            if is_transport_error(error):
                raise map_error(error, self.context(model_id)) from None
            raise

    def context(self, model_id: str) -> Context:
        return Context(model_id, [*(self._models or {}), *self._aliases], self.settings.api_key)

    def discover_models(self) -> list[ModelInfo]:
        listing = self.call("", self.client.models.list)
        infos = parse_catalog(card.model_dump() for card in listing.data or [])
        self._models = {info.id: info for info in infos}
        self._aliases = aliases(infos)
        return infos

    def get_model(self, model_id: str) -> MistralChatModel:
        return MistralChatModel(self.model_info(model_id), self, model_id)

    def model_info(self, model_id: str) -> ModelInfo:
        """The listed model with this id or alias (discovered on first use)."""
        models = self._catalog()
        found = models.get(model_id) or models.get(self._aliases.get(model_id, ""))
        if found is None:
            raise ModelNotFoundError(model_id, _not_listed(model_id, [*models, *self._aliases]))
        return found

    def is_model_free(self, model_id: str) -> bool:
        return bool(self.model_info(model_id).free)

    def get_free_models(self) -> list[ModelInfo]:
        return [info for info in self._catalog().values() if info.free]

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.__exit__(None, None, None)

    def _catalog(self) -> dict[str, ModelInfo]:
        if self._models is None:
            self.discover_models()
        return self._models or {}


def _not_listed(model_id: str, names: list[str]) -> str:
    return f"Mistral lists no model {model_id!r}{did_you_mean(model_id, names)}"


class MistralChatModel(Model):
    """A chat model (`POST /v1/chat/completions`); see `mistral_provider.chat` for params.

    `name` is the id the caller used (an alias is sent as given).
    """

    def __init__(self, info: ModelInfo, provider: MistralProvider, name: str) -> None:
        super().__init__(info, provider)
        self.mistral = provider
        self.name = name

    def _request(self, input: Any, params: Mapping[str, Any],
                 method: Callable[..., Any]) -> dict[str, Any]:
        return {"model": self.name, "messages": messages(input, params, self.info),
                **vendor_params(params, method)}

    def transform(self, input: Any, **params: Any) -> Text:
        chat = self.mistral.client.chat
        request = self._request(input, params, chat.complete)
        return answer(self.mistral.call(self.name, lambda: chat.complete(**request)), self.info)

    def stream(self, input: Any, **params: Any) -> Iterator[str | Text]:
        """The answer's text as it arrives; last, an empty `Text` with usage and cost."""
        chat = self.mistral.client.chat
        request = self._request(input, params, chat.stream)
        events = self.mistral.call(self.name, lambda: chat.stream(**request))
        hang_up_on_cancel(events.response)
        usage, parts = Usage(), []
        try:
            for event in events:
                usage = usage_of(event.data.usage) if event.data.usage else usage
                delta = _delta(event.data)
                if delta:
                    parts.append(delta)
                    yield delta
        except Exception as error:
            if cancelled():
                return
            raise self._broken(error, "".join(parts)) from None
        finally:
            events.close()
        yield Text("", usage=usage, cost=cost_of(self.info, usage))

    def _broken(self, error: Exception, partial: str) -> MediaConduitError:
        """The typed error for a stream that failed, carrying the text so far."""
        if isinstance(error, (errors.MistralError, errors.NoResponseError)) or \
                is_transport_error(error):
            typed = map_error(error, self.mistral.context(self.name))
        else:
            typed = ProviderUnavailableError(f"the stream from Mistral broke off: {error!r}")
        typed.partial = partial
        return typed


def _delta(chunk: Any) -> str:
    """A chunk's new text (its delta's content: a string or a list of chunks)."""
    return content_text(chunk.choices[0].delta.content) if chunk.choices else ""
