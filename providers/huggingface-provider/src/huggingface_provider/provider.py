"""`HuggingFaceProvider` and `HuggingFaceModel`."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from huggingface_provider import tasks
from huggingface_provider.chat import CHAT_PATH, chat_body, completion_text, stream_deltas
from huggingface_provider.client import RouterClient, patiently
from huggingface_provider.errors import map_error
from huggingface_provider.hub import Hub
from huggingface_provider.settings import load_settings
from mediaconduit.sdk import (
    Asset,
    InvalidInputError,
    MediaConduitError,
    Model,
    ModelInfo,
    Provider,
    Text,
)
from mediaconduit.sdk.hangup import hang_up_on_cancel
from mediaconduit.sdk.http import HTTPClient, iter_sse, json_body

Runner = Callable[[tasks.Call, Any, Mapping[str, Any]], Asset]
RUNNERS: dict[str, Runner] = {
    "text-to-image": tasks.text_to_image,
    "text-to-speech": tasks.text_to_speech,
    "automatic-speech-recognition": tasks.speech_recognition,
    "image-to-text": tasks.image_to_text,
}
CAPABILITIES = {
    "text-generation": "text-to-text", "text-to-image": "text-to-image",
    "automatic-speech-recognition": "audio-to-text", "text-to-speech": "text-to-audio",
    "image-to-text": "image-to-text",
}
#: a starting list (the manifest's `models:` says the same; a test checks it)
LISTED = (
    ("meta-llama/Llama-3.1-8B-Instruct", "Llama 3.1 8B Instruct", "text-generation"),
    ("black-forest-labs/FLUX.1-schnell", "FLUX.1 [schnell]", "text-to-image"),
    ("openai/whisper-large-v3", "Whisper large v3", "automatic-speech-recognition"),
    ("facebook/mms-tts-eng", "MMS TTS (English)", "text-to-speech"),
    ("Salesforce/blip-image-captioning-large", "BLIP image captioning (large)",
     "image-to-text"),
)
#: Hub pipeline tags served as one of the tasks above
ALIASES = {"conversational": "text-generation", "image-text-to-text": "text-generation",
           "text2text-generation": "text-generation", "text-to-audio": "text-to-speech"}


class HuggingFaceProvider(Provider):
    """Any model on the Hub, run through Inference Providers (the router).

    Constructing it does no network I/O. A model's task is its Hub `pipeline_tag`
    (looked up once per model) unless the call names one with `task=`.
    """

    def __init__(
        self, config: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(config, env)
        self.settings = s = load_settings(self.config, self.env)
        self.router = RouterClient(s.inference_url, timeouts=s.timeouts, retry=s.retry,
                                   error_mapper=map_error)
        self.hub = Hub(HTTPClient(s.endpoint, timeouts=s.timeouts, retry=s.retry,
                                  error_mapper=map_error), s)

    def discover_models(self) -> list[ModelInfo]:
        """The starting list; any other Hub id works too (`get_model`)."""
        return [model_info(model_id, task, name) for model_id, name, task in LISTED]

    def get_model(self, model_id: str) -> HuggingFaceModel:
        """Any id; its task from the Hub when the Hub answers (else decided per call)."""
        if not model_id.strip() or model_id != model_id.strip():
            raise InvalidInputError(f"{model_id!r} is not a Hugging Face model id (org/name)")
        listed = {info.id: info for info in self.discover_models()}
        if model_id in listed:
            return HuggingFaceModel(listed[model_id], self)
        try:
            task = self.task_of(model_id)
        except MediaConduitError:
            task = None  # decided per call: task=, or the Hub's error then
        return HuggingFaceModel(model_info(model_id, task), self)

    def task_of(self, model_id: str) -> str | None:
        tag = self.hub.pipeline_tag(model_id)
        return ALIASES.get(tag, tag) if tag else None

    def close(self) -> None:
        self.router.close()
        self.hub.http.close()


def model_info(model_id: str, task: str | None, name: str = "") -> ModelInfo:
    capability = CAPABILITIES.get(task or "")
    return ModelInfo(id=model_id, name=name or model_id,
                     capabilities=(capability,) if capability else (),
                     tasks=(task,) if task else (), metadata={"pipeline_tag": task})


class HuggingFaceModel(Model):
    """One model. `transform(input, task=None, **params)`; `stream` for text-generation.

    Params go to the task API as `parameters` (for chat: into the request body).
    """

    def __init__(self, info: ModelInfo, provider: HuggingFaceProvider) -> None:
        super().__init__(info, provider)
        self.hf = provider

    def transform(self, input: Any, **params: Any) -> Asset:
        task = self.task(params.pop("task", None))
        if task == "text-generation":
            return self._chat(input, params)
        call = tasks.Call(self.hf.router, self.hf.settings, self.id)
        return RUNNERS[task](call, input, params)

    def stream(self, input: Any, **params: Any) -> Iterator[str | Text]:  # type: ignore[override]
        task = self.task(params.pop("task", None))
        if task != "text-generation":
            yield self._whole_text(task, input, params)
            return
        body = chat_body(self.id, input, params, stream=True)
        with self._open_stream(body) as response:
            hang_up_on_cancel(response)
            yield from stream_deltas(iter_sse(response), self.id)

    def _whole_text(self, task: str, input: Any, params: Mapping[str, Any]) -> Text:
        """A text task's answer as one chunk; a media task cannot stream."""
        result = self.transform(input, task=task, **params)
        if not isinstance(result, Text):
            raise InvalidInputError(f"{self.id} ({task}) makes {result.kind}, not text: "
                                    "use transform, not stream")
        return result

    def task(self, named: Any) -> str:
        """The call's task: `task=`, else the Hub's pipeline tag; a clear error if neither."""
        task = str(named) if named else (self.info.tasks[0] if self.info.tasks else None)
        if task is None:
            task = self.hf.task_of(self.id)  # raises the Hub's error (not found, ...)
        task = ALIASES.get(task or "", task)
        if task not in CAPABILITIES:
            raise InvalidInputError(
                f"{self.id}: task {task!r} is not served here; pass task= one of "
                f"{', '.join(CAPABILITIES)}")
        return task

    def _chat(self, input: Any, params: Mapping[str, Any]) -> Text:
        body = chat_body(self.id, input, params, stream=False)
        response = patiently(self.hf.settings, self.id, lambda: self.hf.router.request(
            "POST", CHAT_PATH, json=body, headers=self.hf.settings.auth_headers()))
        meta = {"request_id": response.headers.get("x-request-id"),
                "status": response.status_code, "model": self.id}
        return completion_text(json_body(response), self.id, meta)

    @contextlib.contextmanager
    def _open_stream(self, body: Mapping[str, Any]) -> Iterator[httpx.Response]:
        """The open SSE response, once the model has loaded."""
        with contextlib.ExitStack() as stack:
            yield patiently(self.hf.settings, self.id, lambda: stack.enter_context(
                self.hf.router.stream("POST", CHAT_PATH, json=dict(body),
                                      headers=self.hf.settings.auth_headers())))
