"""`OllamaProvider` and `OllamaModel`, on the official `ollama` client."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import httpx
import ollama

from mediaconduit.sdk import (
    InvalidInputError,
    Model,
    ModelInfo,
    ModelNotFoundError,
    Provider,
    ProviderUnavailableError,
    Text,
    cancelled,
    report_progress,
)
from mediaconduit.sdk.calls import current_call
from mediaconduit.sdk.hangup import hang_up_on_cancel
from ollama_provider.catalog import model_info, stub_info
from ollama_provider.chat import FREE, answer_text, request, usage_of
from ollama_provider.errors import RETRIED, map_response_error, not_running, timed_out
from ollama_provider.settings import load_settings

T = TypeVar("T")
LIBRARY_URL = "https://ollama.com/library"


class OllamaProvider(Provider):
    """The models a local Ollama server has pulled, used through `/api/chat`.

    Constructing it does no network I/O. A model that is not pulled is pulled
    on first use when the call passes `pull=True` or config `auto_pull` is true.
    """

    def __init__(self, config: Mapping[str, Any] | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        super().__init__(config, env)
        self.settings = load_settings(self.config, self.env)
        timeout = httpx.Timeout(self.settings.timeout, connect=self.settings.connect_timeout)
        self.client = ollama.Client(host=self.settings.host, timeout=timeout,
                                    event_hooks={"response": [hang_up_on_cancel]})
        self._models: dict[str, ModelInfo] | None = None
        self._lock = threading.Lock()
        self._discovery = threading.Lock()

    def discover_models(self) -> list[ModelInfo]:
        """`/api/tags`, then `/api/show` for each model's capabilities and context."""
        listed = self.call(self.client.list, "").models
        infos = [info for entry in listed if (info := self._describe(entry)) is not None]
        with self._lock:
            self._models = {info.id: info for info in infos}
        return infos

    def _describe(self, entry: Any) -> ModelInfo | None:
        name = str(entry.model)
        try:
            shown = self.call(lambda: self.client.show(name), name)
        except ModelNotFoundError:
            return None  # removed between the listing and now
        return model_info(name, shown.model_dump(by_alias=True), entry.model_dump())

    def get_model(self, model_id: str) -> OllamaModel:
        """A pulled model, or one that is not (yet): using it says how to pull it."""
        if not model_id.strip():
            raise ModelNotFoundError(model_id, "an Ollama model name is needed, such as llama3.2")
        models = self._catalog()
        info = models.get(model_id) or models.get(f"{model_id}:latest") or stub_info(model_id)
        return OllamaModel(info, self)

    def get_free_models(self) -> list[ModelInfo]:
        return list(self._catalog().values())

    def pulled(self) -> list[str]:
        return list(self._models or {})

    def call(self, send: Callable[[], T], model_id: str) -> T:
        """`send()`, again after 429/502/503/504 (a busy server); failures typed."""
        attempts = self.settings.max_attempts
        for attempt in range(attempts):
            try:
                return send()
            except ollama.ResponseError as error:
                if attempt == attempts - 1 or error.status_code not in RETRIED:
                    raise map_response_error(error, model_id, self.pulled()) from None
            except (ConnectionError, httpx.ConnectError) as error:
                raise not_running(self.settings.host, error) from None
            except httpx.TimeoutException as error:
                raise timed_out(self.settings.host, error) from None
            if current_call().wait(self.settings.delay(attempt)):
                raise ProviderUnavailableError("the call was cancelled while waiting to retry")
        raise AssertionError("unreachable: the last attempt returns or raises")

    def pull(self, name: str) -> None:
        """`ollama pull NAME`, each progress line reported as progress."""
        report_progress(0.0, f"pulling {name}")
        try:
            self.call(lambda: _report_pull(self.client.pull(name, stream=True)), name)
        except ModelNotFoundError:
            raise ModelNotFoundError(name, f"Ollama's library has no model {name!r}; see "
                                           f"{LIBRARY_URL} for the names") from None
        except ProviderUnavailableError as error:
            if "file does not exist" not in str(error):
                raise
            raise ModelNotFoundError(name, f"Ollama's library has no model {name!r} ({error}); "
                                           f"see {LIBRARY_URL} for the names") from None
        with self._lock:
            self._models = None  # the listing has one more model now

    def run(self, send: Callable[[], T], model_id: str, pull: bool) -> T:
        """`send()`; when the model is not pulled and `pull`, pull it and send again."""
        try:
            return self.call(send, model_id)
        except ModelNotFoundError:
            if not pull:
                raise
        self.pull(model_id)
        return self.call(send, model_id)

    def health(self) -> dict[str, Any]:
        """Is the server up? Its version (`GET /api/version`), or what is wrong."""
        try:
            answer = httpx.get(f"{self.settings.host}/api/version",
                               timeout=self.settings.connect_timeout)
            version = answer.json().get("version")
        except (httpx.HTTPError, ValueError) as error:
            return {"ok": False, "host": self.settings.host,
                    "error": str(not_running(self.settings.host, error))}
        return {"ok": answer.status_code == 200, "host": self.settings.host,
                "version": version}

    def close(self) -> None:
        self.client.close()

    def _catalog(self) -> dict[str, ModelInfo]:
        with self._discovery:  # concurrent first calls discover once
            if self._models is None:
                self.discover_models()
            return self._models or {}


def _report_pull(lines: Iterator[Any]) -> None:
    for line in lines:
        total, done = line.total, line.completed
        fraction = done / total if total and done is not None else None
        report_progress(fraction, line.status)


def _opened(lines: Iterator[T]) -> tuple[T, Iterator[T]]:
    """The first item and the rest: getting it sends the request, so it fails here."""
    first = next(lines)
    return first, lines


class OllamaModel(Model):
    """One Ollama model. `transform(input, **params)` answers; `stream` yields text.

    `input` is `Text` or `Image` (with a `prompt` param); `system`, `messages`,
    `max_tokens`, `pull`, Ollama's request fields and model options are params.
    """

    def __init__(self, info: ModelInfo, provider: OllamaProvider) -> None:
        super().__init__(info, provider)
        self.ollama = provider

    def _prepare(self, input: Any, params: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
        pull = params.get("pull", self.ollama.settings.auto_pull)
        if not isinstance(pull, bool):
            raise InvalidInputError(f"pull must be true or false, not {pull!r}")
        return request(self.id, input, params, self.ollama.settings.keep_alive), pull

    def transform(self, input: Any, **params: Any) -> Text:
        kwargs, pull = self._prepare(input, params)
        client = self.ollama.client
        return answer_text(self.ollama.run(lambda: client.chat(**kwargs, stream=False),
                                           self.id, pull))

    def stream(self, input: Any, **params: Any) -> Iterator[str | Text]:
        kwargs, pull = self._prepare(input, params)
        client = self.ollama.client
        first, rest = self.ollama.run(lambda: _opened(client.chat(**kwargs, stream=True)),
                                      self.id, pull)
        try:
            yield from self._pieces(itertools.chain([first], rest))
        except ollama.ResponseError as error:
            raise map_response_error(error, self.id) from None
        except httpx.TransportError as error:
            if cancelled():
                return  # we hung up ourselves: nobody reads this stream any more
            raise ProviderUnavailableError(
                f"the stream from Ollama broke ({type(error).__name__}: {error})") from None
        finally:
            rest.close()  # type: ignore[attr-defined]

    def _pieces(self, parts: Iterator[Any]) -> Iterator[str | Text]:
        for part in parts:
            if part.message.content:
                yield part.message.content
            if part.done:
                yield Text("", usage=usage_of(part), cost=FREE)
                return
        raise ProviderUnavailableError(f"the stream from {self.id} ended before it was done")
