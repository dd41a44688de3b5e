"""`FFmpegModel`: checks, materialises and probes the input, then runs its model's plan."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ffmpeg_provider.catalog import ModelSpec
from ffmpeg_provider.inputs import LocalInput, check_kind, local_input
from ffmpeg_provider.probe import probe
from ffmpeg_provider.runner import FFmpegError
from ffmpeg_provider.source import Plan, Source
from mediaconduit.sdk import Asset, Cost, InvalidInputError, Model, Provider, Usage


class FFmpegModel(Model):
    """One of the models in `catalog.MODELS`."""

    def __init__(self, spec: ModelSpec, provider: Provider, binary: Callable[[], str]) -> None:
        super().__init__(spec.info(), provider)
        self.spec = spec
        self._binary = binary

    def transform(self, input: Asset, **params: Any) -> Asset:
        """The plan's output, with the seconds it took as `compute_seconds` (local: free)."""
        plan = self.spec.plan(params)
        media = check_kind(input, self.id, self.spec.kinds)
        started = time.monotonic()
        with local_input(media) as local:
            result = self._run(plan, local)
        usage = Usage(compute_seconds=round(time.monotonic() - started, 6))
        return dataclasses.replace(result, usage=usage, cost=Cost(usd=Decimal(0)))

    def _run(self, plan: Plan, local: LocalInput) -> Asset:
        binary = self._binary()
        try:
            info = probe(binary, local.path)
            return plan.run(Source(self.id, binary, local.path, local.label, local.stem, info))
        except FFmpegError as error:
            raise InvalidInputError(
                f"{self.id}: FFmpeg failed on {local.label}: {error.reason}"
            ) from error
