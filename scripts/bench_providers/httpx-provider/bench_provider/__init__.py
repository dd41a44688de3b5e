"""The benchmark's provider: imports httpx (its one dependency) like a remote provider would."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from mediaconduit.sdk import Model, ModelInfo, ModelNotFoundError, Provider, Text

MODELS = [
    ModelInfo(id="noop", name="No-op", capabilities=["text-to-text"]),
    ModelInfo(id="stream", name="Stream", capabilities=["text-to-text"]),
]


class Noop(Model):
    """Returns its input: the cost of a round trip and nothing else."""

    def transform(self, input: Any, **params: Any) -> Text:
        return Text(input.text, metadata={"httpx": httpx.__version__})


class Stream(Model):
    """Yields `int(input)` small chunks, as fast as the worker can send them."""

    def stream(self, input: Any, **params: Any) -> Iterator[str]:
        for i in range(int(input.text)):
            yield f"{i} "

    def transform(self, input: Any, **params: Any) -> Text:
        return Text("".join(self.stream(input)))


class BenchProvider(Provider):
    def discover_models(self) -> list[ModelInfo]:
        return MODELS

    def get_model(self, model_id: str) -> Model:
        kinds = {"noop": Noop, "stream": Stream}
        if model_id not in kinds:
            raise ModelNotFoundError(model_id)
        return kinds[model_id](next(m for m in MODELS if m.id == model_id), self)
