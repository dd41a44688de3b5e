"""Small providers for routing tests, written to folders at test time.

Each is one model `echo` (text-to-text) with a behaviour of its own, so a test can
line up an always-unavailable provider, one rate-limited once, a good one and a
paid one. Every call appends a line to `<folder>/calls.log`: the request log that
proves which were (and were not) called.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

MANIFEST = """\
id: {id}
name: {id}
version: 1.0.0
type: {type}
capabilities: [text-to-text]
entry: route_provider:RouteProvider
models:
  - {{id: echo, name: Echo, capabilities: [text-to-text], pricing: {{request: "{price}"}}}}
"""

MODULE = '''
import os
from pathlib import Path

from mediaconduit.sdk import (
    AuthenticationError, InvalidInputError, Model, ModelInfo, Provider,
    ProviderUnavailableError, RateLimitError, Text,
)

HERE = Path(__file__).parent
BEHAVIOUR = (HERE / "behaviour.txt").read_text().strip()


class Echo(Model):
    def transform(self, input, **params):
        calls = HERE / "calls.log"
        with open(calls, "a") as log:
            log.write(input.text + "\\n")
        count = len(calls.read_text().splitlines())
        if BEHAVIOUR == "down":
            raise ProviderUnavailableError("down for maintenance")
        if BEHAVIOUR == "limited" and count == 1:
            raise RateLimitError("slow down", retry_after=60)
        if BEHAVIOUR == "locked":
            raise AuthenticationError("bad key")
        if input.text == "bad input":
            raise InvalidInputError("this input is wrong everywhere")
        return Text(f"{BEHAVIOUR}:{input.text}")

    def stream(self, input, **params):
        if BEHAVIOUR == "down":
            raise ProviderUnavailableError("down for maintenance")
        yield f"{BEHAVIOUR}:"
        yield "part"
        if BEHAVIOUR == "breaks":
            raise ProviderUnavailableError("connection lost mid-stream")
        yield "-end"


class RouteProvider(Provider):
    def get_model(self, model_id):
        return Echo(self.discover_models()[0], self)
'''


def write(base: Path, provider_id: str, behaviour: str, *, type: str = "remote",
          price: str = "0") -> Path:
    """A provider folder `base/provider_id` that behaves as `behaviour`."""
    folder = base / provider_id
    folder.mkdir(parents=True)
    (folder / "MediaConduit.provider.yml").write_text(
        MANIFEST.format(id=provider_id, type=type, price=price))
    (folder / "route_provider.py").write_text(textwrap.dedent(MODULE))
    (folder / "behaviour.txt").write_text(behaviour)
    return folder


def calls(folder: Path) -> list[str]:
    log = folder / "calls.log"
    return log.read_text().splitlines() if log.exists() else []
