"""`OpenRouterProvider` and `OpenRouterModel`."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any

from mediaconduit.sdk import Model, ModelInfo, ModelNotFoundError, Provider, Text
from mediaconduit.sdk.http import HTTPClient, iter_sse, json_body
from mediaconduit.sdk.upstream import did_you_mean
from openrouter_provider.catalog import fetch_entries, parse_catalog
from openrouter_provider.chat import chat_body, completion_text, stream_deltas
from openrouter_provider.errors import map_error
from openrouter_provider.settings import load_settings


class OpenRouterProvider(Provider):
    """Every model OpenRouter lists, discovered from `GET /models`.

    Constructing it does no network I/O. Listing the models needs no API key;
    using one does (`AuthenticationError` otherwise, saying how to set it).
    """

    def __init__(
        self, config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(config, env)
        self.settings = load_settings(self.config, self.env)
        self.http = HTTPClient(
            self.settings.base_url, headers=self.settings.headers(),
            timeouts=self.settings.timeouts, retry=self.settings.retry, error_mapper=map_error,
        )
        self._models: dict[str, ModelInfo] | None = None
        self._lock = threading.Lock()

    def discover_models(self) -> list[ModelInfo]:
        """The models `GET /models` lists now (the `output_modalities` config filters)."""
        infos = parse_catalog(fetch_entries(self.http, self.settings.output_modalities))
        self._models = {info.id: info for info in infos}
        return infos

    def get_model(self, model_id: str) -> OpenRouterModel:
        return OpenRouterModel(self.model_info(model_id), self)

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
        self.http.close()

    def _catalog(self) -> dict[str, ModelInfo]:
        with self._lock:
            if self._models is None:
                self.discover_models()
            return self._models or {}


def _not_listed(model_id: str, models: Mapping[str, ModelInfo]) -> str:
    hint = did_you_mean(model_id, models, cutoff=0.6)  # difflib's default
    return (
        f"OpenRouter lists no model {model_id!r} ({len(models)} models listed){hint} "
        "Media models appear only with config output_modalities='all'."
    )


class OpenRouterModel(Model):
    """One OpenRouter model, used through `POST /chat/completions`.

    `transform(input, **params)`: `input` is `Text` (or `Image`, sent with the
    `prompt` param); `system` adds a system message, `messages` a conversation
    before the input; every other param (`temperature`, `max_tokens`, `top_p`,
    `tools`, `provider`, `reasoning`, ...) goes into the request body as given.
    """

    def __init__(self, info: ModelInfo, provider: OpenRouterProvider) -> None:
        super().__init__(info, provider)
        self.openrouter = provider

    def transform(self, input: Any, **params: Any) -> Text:
        body = chat_body(self.id, input, params, stream=False)
        response = self.openrouter.http.request(
            "POST", "chat/completions", json=body, headers=self._auth()
        )
        generation_id = response.headers.get("x-generation-id")
        return completion_text(json_body(response), generation_id, self.id)

    def stream(self, input: Any, **params: Any) -> Iterator[str | Text]:
        """Yield the answer's text as it arrives (SSE; keep-alive comments skipped)."""
        body = chat_body(self.id, input, params, stream=True)
        headers = self._auth()
        with self.openrouter.http.stream(
            "POST", "chat/completions", json=body, headers=headers
        ) as response:
            yield from stream_deltas(iter_sse(response), self.id)

    def _auth(self) -> dict[str, str]:
        return self.openrouter.settings.auth_headers()
