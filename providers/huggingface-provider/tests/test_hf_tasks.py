"""Tasks through the fake router: images, speech both ways, captions, chat, loading models."""

from __future__ import annotations

import base64
import contextvars
import threading
from pathlib import Path
from typing import Any

import pytest
from fake_hf import FakeHF, png_bytes, wav_bytes
from hf_helpers import MakeProvider, in_call

from mediaconduit.sdk import (
    Audio,
    Image,
    InvalidInputError,
    ModelNotFoundError,
    ProviderError,
    ProviderUnavailableError,
    Text,
)

FLUX = "black-forest-labs/FLUX.1-schnell"
SDXL = "stabilityai/stable-diffusion-xl-base-1.0"  # not in the manifest: its task is the Hub's
WHISPER = "openai/whisper-large-v3"
TTS = "facebook/mms-tts-eng"
BLIP = "Salesforce/blip-image-captioning-large"
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
QWEN = "Qwen/Qwen2.5-7B-Instruct"


def run(provider: Any, model_id: str, input: Any, tmp_path: Path, **params: Any) -> Any:
    with in_call(tmp_path) as (_, seen):
        result = provider.get_model(model_id).transform(input, **params)
    return result, seen


def test_text_to_image_answers_raw_bytes_into_a_file(make_provider: MakeProvider, fake: FakeHF,
                                                     tmp_path: Path) -> None:
    image, _ = run(make_provider(), FLUX, "a lighthouse", tmp_path)
    assert isinstance(image, Image) and image.path is not None
    assert image.path.read_bytes() == png_bytes() and image.mime_type == "image/png"
    assert image.path.parent.parent == tmp_path
    (request,) = fake.requests  # a listed model: no Hub look-up
    assert request.path == f"/hf-inference/models/{FLUX}"
    assert request.body == {"inputs": "a lighthouse"}
    assert request.headers["authorization"] == f"Bearer {fake.token}"
    assert request.headers["accept"] == "image/png"
    assert image.metadata["status"] == 200 and len(image.metadata["request_id"]) == 32
    assert image.usage.images == 1 and image.usage.compute_seconds == 0.125
    assert image.cost.usd is None


def test_params_go_as_parameters(make_provider: MakeProvider, fake: FakeHF,
                                 tmp_path: Path) -> None:
    run(make_provider(), FLUX, "a boat", tmp_path, num_inference_steps=4, width=512)
    assert fake.requests[-1].body == {"inputs": "a boat",
                                      "parameters": {"num_inference_steps": 4, "width": 512}}


def test_an_unlisted_models_task_comes_from_the_hub_once(make_provider: MakeProvider,
                                                         fake: FakeHF, tmp_path: Path) -> None:
    provider = make_provider()
    for _ in range(2):
        image, _ = run(provider, SDXL, "a hill", tmp_path)
        assert isinstance(image, Image)
    (hub,) = fake.requests_to("hub")
    assert hub.path == f"/api/models/{SDXL}"
    assert provider.get_model(SDXL).info.tasks == ("text-to-image",)


def test_speech_recognition_sends_the_raw_audio(make_provider: MakeProvider, fake: FakeHF,
                                                tmp_path: Path) -> None:
    audio = Audio.from_bytes(wav_bytes(seconds=0.5), "audio/wav")
    text, _ = run(make_provider(), WHISPER, audio, tmp_path)
    assert isinstance(text, Text) and text.text == "The quick brown fox"
    (request,) = fake.requests_to("task")
    assert request.body == wav_bytes(seconds=0.5)
    assert request.headers["content-type"] == "audio/wav"
    assert text.usage.audio_seconds == 0.5 and text.usage.compute_seconds == 0.125
    assert text.metadata["request_id"] and text.metadata["status"] == 200


def test_speech_recognition_with_parameters_sends_base64_json(
        make_provider: MakeProvider, fake: FakeHF, tmp_path: Path) -> None:
    audio = Audio.from_bytes(wav_bytes(), "audio/wav")
    text, _ = run(make_provider(), WHISPER, audio, tmp_path, return_timestamps=True)
    (request,) = fake.requests_to("task")
    assert base64.b64decode(request.body["inputs"]) == wav_bytes()
    assert request.body["parameters"] == {"return_timestamps": True}
    assert text.metadata["chunks"][0]["timestamp"] == [0.0, 0.5]


def test_text_to_speech_gives_audio(make_provider: MakeProvider, fake: FakeHF,
                                    tmp_path: Path) -> None:
    audio, _ = run(make_provider(), TTS, "Hello there", tmp_path)
    assert isinstance(audio, Audio) and audio.mime_type == "audio/wav"
    assert audio.path is not None and audio.path.read_bytes() == wav_bytes(seconds=0.25)
    assert audio.usage.characters == 11 and audio.usage.audio_seconds == 0.25


def test_image_to_text_captions_the_raw_image(make_provider: MakeProvider, fake: FakeHF,
                                              tmp_path: Path) -> None:
    picture = tmp_path / "p.png"
    picture.write_bytes(png_bytes())
    text, _ = run(make_provider(), BLIP, Image.from_path(picture), tmp_path)
    assert isinstance(text, Text) and text.text == "The quick brown fox"
    assert fake.requests_to("task")[0].body == png_bytes()


def test_a_wrong_input_kind_is_a_clear_error(make_provider: MakeProvider, fake: FakeHF,
                                             tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="automatic-speech-recognition takes Audio"):
        run(make_provider(), WHISPER, "not audio", tmp_path)
    assert not fake.requests


def test_chat_streams_deltas_then_usage(make_provider: MakeProvider, fake: FakeHF,
                                        tmp_path: Path) -> None:
    with in_call(tmp_path):
        chunks = list(make_provider().get_model(LLAMA).stream("Say the fox line", system="Be"))
    assert chunks[:-1] == ["The", " quick", " brown", " fox"]
    final = chunks[-1]
    assert isinstance(final, Text) and final.text == ""
    assert final.usage.input_tokens == 9 and final.usage.output_tokens == 4
    (request,) = fake.requests_to("chat")
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == LLAMA and request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}
    assert request.body["messages"] == [{"role": "system", "content": "Be"},
                                        {"role": "user", "content": "Say the fox line"}]


def test_chat_transform_and_a_pinned_provider(make_provider: MakeProvider, fake: FakeHF,
                                              tmp_path: Path) -> None:
    text, _ = run(make_provider(), f"{QWEN}:together", "hi", tmp_path, max_tokens=5)
    assert isinstance(text, Text) and text.text == "The quick brown fox"
    assert text.usage.output_tokens == 4 and text.metadata["finish_reason"] == "stop"
    (hub,) = fake.requests_to("hub")
    assert hub.path == f"/api/models/{QWEN}"  # the Hub knows the id without its provider
    (chat,) = fake.requests_to("chat")
    assert chat.body["model"] == f"{QWEN}:together" and chat.body["max_tokens"] == 5


def test_a_loading_model_is_waited_out_with_progress(make_provider: MakeProvider, fake: FakeHF,
                                                     tmp_path: Path) -> None:
    fake.loading(FLUX, times=2, estimated_time=0.05)
    image, seen = run(make_provider(), FLUX, "patience", tmp_path)
    assert isinstance(image, Image)
    requests = fake.requests_to("task")
    assert len(requests) == 3
    assert requests[1].at - requests[0].at >= 0.05  # the estimated time was waited
    loading = [p.message for p in seen if p.message and "is loading" in p.message]
    assert len(loading) == 2 and "about 0 s left" in loading[0]


def test_a_loading_chat_stream_is_waited_out(make_provider: MakeProvider, fake: FakeHF,
                                             tmp_path: Path) -> None:
    fake.loading(LLAMA, times=1, estimated_time=0.02)
    with in_call(tmp_path) as (_, seen):
        chunks = list(make_provider().get_model(LLAMA).stream("hi"))
    assert "".join(c for c in chunks if isinstance(c, str)) == "The quick brown fox"
    assert len(fake.requests_to("chat")) == 2 and seen


def test_loading_longer_than_max_load_wait_gives_up(make_provider: MakeProvider, fake: FakeHF,
                                                    tmp_path: Path) -> None:
    fake.loading(FLUX, times=50, estimated_time=0.1)
    with pytest.raises(ProviderUnavailableError, match="still loading") as caught:
        run(make_provider(max_load_wait=0.25), FLUX, "x", tmp_path)
    assert type(caught.value) is ProviderUnavailableError  # the host knows this class
    assert len(fake.requests_to("task")) == 3


def test_cancelling_stops_the_wait_for_a_loading_model(make_provider: MakeProvider,
                                                       fake: FakeHF, tmp_path: Path) -> None:
    fake.loading(FLUX, times=50, estimated_time=10)
    outcome: dict[str, Any] = {}
    provider = make_provider(max_load_poll=10, max_load_wait=60)
    with in_call(tmp_path) as (context, seen):
        def work() -> None:
            try:
                provider.get_model(FLUX).transform("x")
            except ProviderError as error:
                outcome["error"] = error

        thread = threading.Thread(target=contextvars.copy_context().run, args=(work,))
        thread.start()
        while not seen:
            thread.join(0.01)
        context.cancel()
        thread.join(2)
    assert not thread.is_alive() and "cancelled" in str(outcome["error"])
    assert len(fake.requests_to("task")) == 1


def test_an_unknown_model_says_the_hub_has_none(make_provider: MakeProvider, fake: FakeHF,
                                                tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="Hugging Face has no model 'nobody/nothing'"):
        run(make_provider(), "nobody/nothing", "x", tmp_path)


def test_a_named_task_needs_no_hub(make_provider: MakeProvider, fake: FakeHF,
                                   tmp_path: Path) -> None:
    fake.models["me/private-flux"] = "text-to-image"  # the router serves it ...
    provider = make_provider()
    model = provider.get_model("me/private-flux")
    hub_before = len(fake.requests_to("hub"))
    image, _ = run(provider, "me/private-flux", "x", tmp_path, task="text-to-image")
    assert isinstance(image, Image) and "task" not in str(fake.requests[-1].body)
    assert len(fake.requests_to("hub")) == hub_before
    assert model.info.tasks == ("text-to-image",)


def test_a_task_this_provider_does_not_run_is_refused(make_provider: MakeProvider,
                                                      fake: FakeHF, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="task 'fill-mask' is not served"):
        run(make_provider(), "google-bert/bert-base-uncased", "x", tmp_path)


def test_streaming_a_media_task_is_refused_and_a_text_task_comes_whole(
        make_provider: MakeProvider, fake: FakeHF, tmp_path: Path) -> None:
    provider = make_provider()
    with in_call(tmp_path), pytest.raises(InvalidInputError, match="use transform"):
        list(provider.get_model(FLUX).stream("a boat"))
    with in_call(tmp_path):
        chunks = list(provider.get_model(WHISPER).stream(Audio.from_bytes(wav_bytes())))
    assert [c.text for c in chunks] == ["The quick brown fox"]
