"""A provider whose models exercise the host: env, crashes, prints, streams, media."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.request

from mediaconduit.sdk import (
    Cost,
    Image,
    InvalidInputError,
    Model,
    ModelInfo,
    ModelNotFoundError,
    Provider,
    RateLimitError,
    Text,
    Usage,
    cancelled,
    on_cancel,
    report_job,
    report_progress,
)

print("toolkit imported: hello on stdout")
print("toolkit imported: hello on stderr", file=sys.stderr)


class Echo(Model):
    def transform(self, input, **params):
        return Text(input.text, metadata={"params": params})


class Env(Model):
    def transform(self, input, **params):
        return Text(json.dumps(dict(os.environ)))


class Crash(Model):
    def transform(self, input, **params):
        print("about to crash: last words", file=sys.stderr, flush=True)
        os._exit(3)


class Noisy(Model):
    def transform(self, input, **params):
        print("noise on stdout " * 20)
        sys.stdout.flush()
        os.write(1, b"\x00\x00\x00\x10raw bytes on fd 1\n")
        print("noise on stderr", file=sys.stderr)
        return Text("quiet answer")


class Count(Model):
    def stream(self, input, **params):
        for i in range(int(input.text)):
            yield f"{i},"

    def transform(self, input, **params):
        return Text("".join(self.stream(input)))


class Slow(Model):
    def transform(self, input, **params):
        time.sleep(float(input.text))
        return Text(f"slept {input.text}")


RENDEZVOUS = threading.Barrier(3)


class Rendezvous(Model):
    """Answers only when three calls are in flight at once (else times out)."""

    def transform(self, input, **params):
        try:
            RENDEZVOUS.wait(timeout=float(params.get("timeout", 20)))
        except threading.BrokenBarrierError:
            RENDEZVOUS.reset()
            raise InvalidInputError("the other calls never arrived") from None
        return Text(f"met {input.text}")


class Fail(Model):
    def transform(self, input, **params):
        kind = input.text
        if kind == "rate":
            raise RateLimitError("slow down", retry_after=7.5)
        if kind == "invalid":
            raise InvalidInputError("bad input: try another")
        raise KeyError(kind)


class Flip(Model):
    """image-to-image: returns the bytes reversed, as a new file."""

    def transform(self, input, **params):
        return Image.from_bytes(input.data[::-1], input.mime_type, source=str(input.path))


class Measure(Model):
    """audio-to-text: the size of the audio file it was given."""

    def transform(self, input, **params):
        return Text(str(len(input.data)), metadata={"path": str(input.path)})


class Steps(Model):
    """Reports progress `input` times (`pause` seconds apart), then answers."""

    def transform(self, input, **params):
        steps = int(input.text)
        for i in range(1, steps + 1):
            report_progress(i / steps, f"step {i} of {steps}")
            time.sleep(float(params.get("pause", 0)))
        return Text(f"{steps} steps")


class Patient(Model):
    """Waits on an upstream (`params["upstream"]`, a loopback URL) that answers only when
    told; on cancel it tells the upstream to drop the job, as a paid API would be told."""

    def transform(self, input, **params):
        upstream, job = params["upstream"], input.text
        on_cancel(lambda: _post(f"{upstream}/cancel/{job}"))
        with urllib.request.urlopen(f"{upstream}/wait/{job}", timeout=30) as answer:
            return Text(answer.read().decode())

    def stream(self, input, **params):
        upstream, job = params["upstream"], input.text
        try:
            while not cancelled():
                yield "tick,"
                time.sleep(0.1)
        finally:
            _post(f"{upstream}/cancel/{job}")


class Submit(Model):
    """Submits job `input` to the upstream, reports it, and waits for it to finish."""

    def transform(self, input, **params):
        upstream, job = params["upstream"], input.text
        report_job(job, "processing", upstream=upstream)
        with urllib.request.urlopen(f"{upstream}/wait/{job}", timeout=30) as answer:
            text = answer.read().decode()
        report_job(job, "succeeded")
        return Text(text)


class Sleepy(Model):
    """Sleeps `input` seconds in small steps, stopping when cancelled."""

    def transform(self, input, **params):
        deadline = time.monotonic() + float(input.text)
        while time.monotonic() < deadline and not cancelled():
            time.sleep(0.02)
        return Text("cancelled" if cancelled() else "awake")


def _post(url):
    urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"), timeout=5).close()


class Several(Model):
    """text-to-image: `input` images, each a few bytes of its own."""

    def transform(self, input, **params):
        return [Image.from_bytes(f"image {i}".encode(), "image/png", usage=Usage(images=1))
                for i in range(int(input.text))]


class Metered(Model):
    """An answer with usage and cost, and a stream whose last chunk carries them."""

    def transform(self, input, **params):
        return Text(input.text, usage=Usage(input_tokens=3, output_tokens=5),
                    cost=Cost(usd="0.0004"))

    def stream(self, input, **params):
        yield "a"
        yield "b"
        yield Text("", usage=Usage(input_tokens=1, output_tokens=2), cost=Cost(usd="0.01"))


MODELS = {
    "echo": Echo, "env": Env, "crash": Crash, "noisy": Noisy, "count": Count, "slow": Slow,
    "fail": Fail, "flip": Flip, "measure": Measure, "rendezvous": Rendezvous, "steps": Steps,
    "patient": Patient, "sleepy": Sleepy, "several": Several, "metered": Metered,
    "submit": Submit,
}
CAPS = {"flip": "image-to-image", "measure": "audio-to-text", "several": "text-to-image"}


class ToolkitProvider(Provider):
    def cancel_job(self, job_id, details):
        _post(f"{details['upstream']}/cancel/{job_id}")

    def fetch_job(self, job_id, details):
        return Text(f"outputs of {job_id}")

    def discover_models(self):
        if self.config.get("fail_discovery"):
            raise RuntimeError("discovery broke")
        extra = int(self.config.get("extra_models", 0))
        infos = [ModelInfo(id=k, capabilities=[CAPS.get(k, "text-to-text")]) for k in MODELS]
        infos += [ModelInfo(id=f"extra-{i}", capabilities=["text-to-text"],
                            pricing={"prompt": "0"}) for i in range(extra)]
        return infos

    def get_model(self, model_id):
        cls = MODELS.get(model_id)
        if cls is None:
            raise ModelNotFoundError(model_id)
        return cls(ModelInfo(id=model_id, capabilities=[CAPS.get(model_id, "text-to-text")]), self)
