"""Paid models for ledger tests: each reports usage and cost as a real API's provider would.

- `ticket` ($0.25 a request): asks the upstream (`params["upstream"]`) to bill it, and
  reports the cost the upstream billed: the upstream's log is what was sent.
- `chat` (per token): one token per word; `stream` ends with a usage chunk.
- `paint` ($0.04 an image): `n` images.
- `listen` ($0.0001 an audio second): the audio's length, 1 s per 1000 bytes.
- `gratis`: free; `unpriced`: lists no prices; `broken`: raises.
"""

from __future__ import annotations

import json
import urllib.request
from decimal import Decimal

from mediaconduit.sdk import (
    Cost,
    Image,
    InvalidInputError,
    Model,
    ModelInfo,
    ModelNotFoundError,
    Provider,
    Text,
    Usage,
    estimate_cost,
)

INFOS = {
    "ticket": ModelInfo(id="ticket", capabilities=["text-to-text"], pricing={"request": "0.25"}),
    "chat": ModelInfo(id="chat", capabilities=["text-to-text"], context_length=4096,
                      pricing={"prompt": "0.000001", "completion": "0.000002"}),
    "paint": ModelInfo(id="paint", capabilities=["text-to-image"], pricing={"image": "0.04"}),
    "listen": ModelInfo(id="listen", capabilities=["audio-to-text"],
                        pricing={"audio_second": "0.0001"}),
    "gratis": ModelInfo(id="gratis", capabilities=["text-to-text"], pricing={"prompt": "0"}),
    "unpriced": ModelInfo(id="unpriced", capabilities=["text-to-text"]),
    "broken": ModelInfo(id="broken", capabilities=["text-to-text"], pricing={"request": "0.5"}),
}


class Ticket(Model):
    def transform(self, input, **params):
        request = urllib.request.Request(f"{params['upstream']}/bill", method="POST",
                                          data=input.text.encode())
        with urllib.request.urlopen(request, timeout=30) as answer:
            bill = json.loads(answer.read())
        return Text(bill["text"], usage=Usage(requests=1), cost=Cost(usd=bill["cost"]))


class Chat(Model):
    def transform(self, input, **params):
        words = input.text.split()
        answer = " ".join(reversed(words))[: int(params.get("max_tokens", 10**6)) * 8]
        usage = Usage(input_tokens=len(words), output_tokens=len(answer.split()))
        return Text(answer, usage=usage, cost=estimate_cost(self.info.pricing, usage))

    def stream(self, input, **params):
        words = input.text.split()
        for word in reversed(words):
            yield word + " "
        usage = Usage(input_tokens=len(words), output_tokens=len(words))
        yield Text("", usage=usage, cost=estimate_cost(self.info.pricing, usage))


class Paint(Model):
    def transform(self, input, **params):
        return [Image.from_bytes(f"{input.text} {i}".encode(), "image/png",
                                 usage=Usage(images=1), cost=Cost(usd="0.04", estimated=True))
                for i in range(int(params.get("n", 1)))]


class Listen(Model):
    def transform(self, input, **params):
        seconds = len(input.data) / 1000
        cost = Decimal("0.0001") * Decimal(str(seconds))
        return Text(f"{seconds:g} seconds of audio", usage=Usage(audio_seconds=seconds),
                    cost=Cost(usd=cost, estimated=True))


class Gratis(Model):
    def transform(self, input, **params):
        return Text(input.text)


class Broken(Model):
    def transform(self, input, **params):
        raise InvalidInputError(f"broken refuses {input.text!r}")


MODELS = {"ticket": Ticket, "chat": Chat, "paint": Paint, "listen": Listen, "gratis": Gratis,
          "unpriced": Gratis, "broken": Broken}


class MeterProvider(Provider):
    def discover_models(self):
        return list(INFOS.values())

    def get_model(self, model_id):
        if model_id not in MODELS:
            raise ModelNotFoundError(model_id)
        return MODELS[model_id](INFOS[model_id], self)
