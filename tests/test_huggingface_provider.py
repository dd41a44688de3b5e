"""The Hugging Face provider loaded through the host, against a local router and Hub.

`providers/huggingface-provider` is published to the loopback git server as
`MediaConduit/huggingface-provider` and loaded by its GitHub URL: real git, a
real uv environment (httpx), a real worker process, and the provider's own fake
(`providers/huggingface-provider/tests/fake_hf.py`) reached through the declared
`HF_INFERENCE_URL`, `HF_ENDPOINT` and `HF_TOKEN`. The environment is built once
for the module.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mediaconduit import (
    Audio,
    AuthenticationError,
    Image,
    ModelNotFoundError,
    Text,
    TransformTimeoutError,
)
from mediaconduit.handles import ProviderHandle
from mediaconduit.sdk import Progress
from tests.helpers.huggingface import (
    FAST,
    PROVIDER,
    TOKEN,
    FakeHF,
    error_reply,
    png_bytes,
    wav_bytes,
)
from tests.helpers.provider_host import (
    assert_secret_not_in_worker_log,
    host_fixtures,
    provider_fixture,
    url_of,
)

URL = url_of("huggingface")
FLUX = "black-forest-labs/FLUX.1-schnell"
SDXL = "stabilityai/stable-diffusion-xl-base-1.0"
WHISPER = "openai/whisper-large-v3"
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"

pytestmark = pytest.mark.slow


server, fake, declared_env, commit, module_cache, host = host_fixtures(
    "huggingface", PROVIDER, lambda: FakeHF(token=TOKEN), lambda fake: fake.env())


provider = provider_fixture(URL, FAST)


def test_loads_by_url_with_its_starting_models(provider: ProviderHandle, commit: str) -> None:
    assert (provider.id, provider.type, provider.commit) == ("huggingface", "remote", commit)
    tasks = {m.id: m.tasks for m in provider.models}
    assert tasks[WHISPER] == ("automatic-speech-recognition",)
    assert tasks[LLAMA] == ("text-generation",)


def test_text_to_image_gives_an_image_file(provider: ProviderHandle, fake: FakeHF) -> None:
    image = provider.get_model(FLUX).transform("a lighthouse at dusk")
    assert isinstance(image, Image) and image.path is not None
    assert image.path.read_bytes() == png_bytes()
    assert image.metadata["status"] == 200 and image.metadata["request_id"]
    assert image.usage.images == 1 and image.usage.compute_seconds == 0.125
    (request,) = fake.requests_to("task")
    assert request.body == {"inputs": "a lighthouse at dusk"}
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


def test_an_unlisted_model_gets_its_task_from_the_hub(provider: ProviderHandle,
                                                      fake: FakeHF) -> None:
    model = provider.get_model(SDXL)
    assert model.info.tasks == ("text-to-image",)
    assert isinstance(model.transform("a hill"), Image)
    assert [r.path for r in fake.requests_to("hub")] == [f"/api/models/{SDXL}"]


def test_speech_recognition_turns_audio_into_text(provider: ProviderHandle, fake: FakeHF,
                                                  tmp_path: Path) -> None:
    speech = tmp_path / "speech.wav"
    speech.write_bytes(wav_bytes(seconds=0.5))
    text = provider.get_model(WHISPER).transform(Audio.from_path(speech))
    assert isinstance(text, Text) and text.text == "The quick brown fox"
    assert text.usage.audio_seconds == 0.5
    (request,) = fake.requests_to("task")
    assert request.body == speech.read_bytes()


def test_a_streamed_chat(provider: ProviderHandle, fake: FakeHF) -> None:
    stream = provider.get_model(LLAMA).stream("Say the fox line")
    assert list(stream) == ["The", " quick", " brown", " fox"]
    assert stream.text == "The quick brown fox"
    assert stream.usage.input_tokens == 9 and stream.usage.output_tokens == 4
    (request,) = fake.requests_to("chat")
    assert request.body["stream"] is True and request.body["model"] == LLAMA


def test_a_stream_closed_early_hangs_up_on_the_router(provider: ProviderHandle,
                                                      fake: FakeHF) -> None:
    fake.stall = 10.0  # silent after the first piece, until the client hangs up
    stream = provider.get_model(LLAMA).stream("Say the fox line")
    assert next(iter(stream)) == "The"
    closed = time.monotonic()
    stream.close()
    deadline = closed + 3.0
    while not fake.hangups and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fake.hangups and fake.hangups[0] - closed < 1.0, "the router never saw the hang-up"


def test_a_loading_model_is_waited_out_with_progress(provider: ProviderHandle,
                                                     fake: FakeHF) -> None:
    fake.loading(WHISPER, times=2, estimated_time=0.05)
    seen: list[Progress] = []
    text = provider.get_model(WHISPER).transform(
        Audio.from_bytes(wav_bytes(), "audio/wav"), on_progress=seen.append)
    assert isinstance(text, Text) and text.text == "The quick brown fox"
    assert len(fake.requests_to("task")) == 3
    loading = [p.message for p in seen if p.message and "is loading" in p.message]
    assert len(loading) == 2 and WHISPER in loading[0]


def test_a_timeout_ends_the_wait_for_a_loading_model(provider: ProviderHandle,
                                                     fake: FakeHF) -> None:
    fake.loading(FLUX, times=1000, estimated_time=0.2)
    started = time.monotonic()
    with pytest.raises(TransformTimeoutError):
        provider.get_model(FLUX).transform("never", timeout=0.8)
    assert time.monotonic() - started < 2.0
    asked = len(fake.requests_to("task"))
    time.sleep(0.5)
    assert len(fake.requests_to("task")) <= asked + 1  # the provider stopped asking


def test_errors_cross_typed_and_without_the_token(provider: ProviderHandle,
                                                  fake: FakeHF) -> None:
    fake.script("task", error_reply(401, "Invalid credentials in Authorization header"))
    with pytest.raises(AuthenticationError) as caught:
        provider.get_model(FLUX).transform("x")
    assert TOKEN not in str(caught.value)
    with pytest.raises(ModelNotFoundError, match="no model 'nobody/nothing'"):
        provider.get_model("nobody/nothing").transform("x")
    assert_secret_not_in_worker_log(provider, TOKEN)
