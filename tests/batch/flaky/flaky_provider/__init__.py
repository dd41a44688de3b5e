"""`flaky`: fails the first `times` calls for each input, then answers in upper case.

`how` is `unavailable` (a ProviderUnavailableError), `crash` (the worker process
exits) or `invalid` (an InvalidInputError, which is never worth a retry). The calls
are counted in files under `state`, so a crash or a new worker does not reset them.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from mediaconduit.sdk import (
    Cost,
    InvalidInputError,
    Model,
    ModelInfo,
    ModelNotFoundError,
    Provider,
    ProviderUnavailableError,
    Text,
    Usage,
)


def _count(state: str, text: str) -> int:
    """How many calls this input had before this one (and count this one)."""
    path = Path(state) / hashlib.sha256(text.encode()).hexdigest()
    seen = len(path.read_text()) if path.exists() else 0
    with path.open("a") as f:
        f.write("x")
    return seen


class Flaky(Model):
    def transform(self, input, **params):
        text = input.text
        if _count(params["state"], text) < int(params.get("times", 0)):
            how = params.get("how", "unavailable")
            if how == "crash":
                print(f"crashing on {text}", file=sys.stderr, flush=True)
                os._exit(7)
            if how == "invalid":
                raise InvalidInputError(f"{text!r} is not welcome")
            raise ProviderUnavailableError(f"busy with {text!r}, try again")
        return Text(text.upper(), usage=Usage(characters=len(text)), cost=Cost(usd="0.001"))


class FlakyProvider(Provider):
    INFO = ModelInfo(id="flaky", capabilities=["text-to-text"])

    def discover_models(self):
        return [self.INFO]

    def get_model(self, model_id):
        if model_id != "flaky":
            raise ModelNotFoundError(model_id)
        return Flaky(self.INFO, self)
