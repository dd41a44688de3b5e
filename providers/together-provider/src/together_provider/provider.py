"""`TogetherProvider`, its chat models and its image models, on the official `together` client."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import httpx
import together

from mediaconduit.sdk import (
    Image,
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
from together_provider.catalog import parse_catalog
from together_provider.chat import answer, cost_of, messages, usage_of, vendor_params
from together_provider.errors import Context, map_error
from together_provider.images import images_of, prompt_of, request_body
from together_provider.settings import load_settings

T = TypeVar("T")


class TogetherProvider(Provider):
    """Every model `GET /v1/models` lists; chat and image models can be run.

    Constructing it does no network I/O; the client is made on first use.
    """

    def __init__(
        self, config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(config, env)
        self.settings = load_settings(self.config, self.env)
        self._client: together.Together | None = None
        self._models: dict[str, ModelInfo] | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> together.Together:
        with self._lock:
            if self._client is None:
                s = self.settings
                transport = httpx.HTTPTransport(limits=together.DEFAULT_CONNECTION_LIMITS)
                track_calls(transport)  # a cancelled call hangs up its connection
                self._client = together.Together(
                    api_key=s.key(), base_url=s.base_url, max_retries=s.max_retries,
                    timeout=s.timeout, http_client=together.DefaultHttpxClient(
                        transport=transport, timeout=s.timeout))
            return self._client

    def call(self, model_id: str, action: Callable[[], T]) -> T:
        """Run a client call; its exceptions become typed errors."""
        try:
            return action()
        except together.TogetherError as error:
            raise map_error(error, self.context(model_id)) from None

    def context(self, model_id: str) -> Context:
        return Context(model_id, list(self._models or {}), self.settings.api_key)

    def discover_models(self) -> list[ModelInfo]:
        """The serverless catalog, `GET /v1/models` (a raw call: `models.list()` is projects')."""
        body = self.call("", lambda: self.client.get("/v1/models", cast_to=object))
        infos = parse_catalog(body, self.settings.vision_models)
        self._models = {info.id: info for info in infos}
        return infos

    def get_model(self, model_id: str) -> Model:
        info = self.model_info(model_id)
        if "text-to-image" in info.capabilities:
            return TogetherImageModel(info, self)
        return TogetherChatModel(info, self)

    def model_info(self, model_id: str) -> ModelInfo:
        """The listed model with this id (discovered on first use), or `ModelNotFoundError`."""
        models = self._catalog()
        if model_id not in models:
            raise ModelNotFoundError(model_id, _not_listed(model_id, models))
        return models[model_id]

    def is_model_free(self, model_id: str) -> bool:
        return bool(self.model_info(model_id).free)

    def get_free_models(self) -> list[ModelInfo]:
        return [info for info in self._catalog().values() if info.free]

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def _catalog(self) -> dict[str, ModelInfo]:
        if self._models is None:
            self.discover_models()
        return self._models or {}


def _not_listed(model_id: str, models: Mapping[str, ModelInfo]) -> str:
    hint = did_you_mean(model_id, models)
    return f"Together lists no model {model_id!r} ({len(models)} models listed){hint}"


class TogetherChatModel(Model):
    """A chat model (`POST /v1/chat/completions`); see `together_provider.chat` for params."""

    def __init__(self, info: ModelInfo, provider: TogetherProvider) -> None:
        super().__init__(info, provider)
        self.together = provider

    def _create(self, input: Any, params: Mapping[str, Any], stream: bool) -> Any:
        client = self.together.client
        chat = messages(input, params, self.info)
        return self.together.call(self.id, lambda: client.chat.completions.create(
            model=self.id, messages=chat, stream=stream,  # type: ignore[call-overload]
            extra_body=vendor_params(params)))

    def transform(self, input: Any, **params: Any) -> Text:
        return answer(self._create(input, params, stream=False), self.info)

    def stream(self, input: Any, **params: Any) -> Iterator[str | Text]:
        """The answer's text as it arrives; last, an empty `Text` with usage and cost."""
        chunks = self._create(input, params, stream=True)
        hang_up_on_cancel(chunks.response)
        usage, parts = Usage(), []
        try:
            for chunk in chunks:
                usage = usage_of(chunk.usage) if chunk.usage else usage
                delta = _delta(chunk)
                if delta:
                    parts.append(delta)
                    yield delta
        except Exception as error:
            if cancelled():
                return
            raise self._broken(error, "".join(parts)) from None
        finally:
            chunks.close()
        yield Text("", usage=usage, cost=cost_of(self.info, usage))

    def _broken(self, error: Exception, partial: str) -> MediaConduitError:
        """The typed error for a stream that failed, carrying the text so far."""
        if isinstance(error, together.TogetherError):
            typed = map_error(error, self.together.context(self.id))
        else:
            typed = ProviderUnavailableError(f"the stream from Together broke off: {error!r}")
        typed.partial = partial
        return typed


def _delta(chunk: Any) -> str | None:
    """A chunk's new text: `delta.content`, else the choice's `text` (Together sends both)."""
    if not chunk.choices:
        return None
    choice = chunk.choices[0]
    delta = getattr(choice, "delta", None)
    return getattr(delta, "content", None) or getattr(choice, "text", None)


class TogetherImageModel(Model):
    """An image model (`POST /v1/images/generations`); see `together_provider.images`."""

    def __init__(self, info: ModelInfo, provider: TogetherProvider) -> None:
        super().__init__(info, provider)
        self.together = provider

    def transform(self, input: Any, **params: Any) -> Image | list[Image]:
        prompt, body = prompt_of(input), request_body(params)
        images = self.together.client.images
        raw = self.together.call(self.id, lambda: images.with_raw_response.generate(
            model=self.id, prompt=prompt, extra_body=body))
        return images_of(raw.http_response.json(), self.info, body, self.together.settings.timeout)
