"""`FFmpegModel`: checks, materialises and probes the input, then runs its model's plan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ffmpeg_provider.catalog import ModelSpec
from ffmpeg_provider.inputs import LocalInput, check_kind, local_input
from ffmpeg_provider.probe import probe
from ffmpeg_provider.runner import FFmpegError
from ffmpeg_provider.source import Plan, Source
from mediaconduit.sdk import Asset, InvalidInputError, Model, Provider


class FFmpegModel(Model):
    """One of the models in `catalog.MODELS`."""

    def __init__(self, spec: ModelSpec, provider: Provider, binary: Callable[[], str]) -> None:
        super().__init__(spec.info(), provider)
        self.spec = spec
        self._binary = binary

    def transform(self, input: Asset, **params: Any) -> Asset:
        plan = self.spec.plan(params)
        media = check_kind(input, self.id, self.spec.kinds)
        with local_input(media) as local:
            return self._run(plan, local)

    def _run(self, plan: Plan, local: LocalInput) -> Asset:
        binary = self._binary()
        try:
            info = probe(binary, local.path)
            return plan.run(Source(self.id, binary, local.path, local.label, local.stem, info))
        except FFmpegError as error:
            raise InvalidInputError(
                f"{self.id}: FFmpeg failed on {local.label}: {error.reason}"
            ) from error
