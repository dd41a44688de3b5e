"""`probe`: the facts about a media file, as JSON text."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from ffmpeg_provider.mediainfo import summary
from ffmpeg_provider.source import Source
from mediaconduit.sdk import Text


@dataclasses.dataclass(frozen=True)
class ProbePlan:
    """Report what the input holds; the probe every call runs first is the whole job."""

    model_id: str

    @classmethod
    def from_params(cls, model_id: str, values: Mapping[str, Any]) -> ProbePlan:
        return cls(model_id)

    def run(self, source: Source) -> Text:
        facts = source.info.to_dict()
        return Text(json.dumps(facts, indent=2), metadata=summary(source.info))
