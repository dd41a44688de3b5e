"""The fake against Hugging Face's own client (`huggingface_hub.InferenceClient`).

The provider speaks HTTP itself (see the README), so this proves the fake is
faithful: the official client, pointed at it by URL as its docs say, works
unchanged. Skipped where `huggingface_hub` is not installed (the host's dev venv).
"""

from __future__ import annotations

import pytest
from fake_hf import FakeHF, png_bytes, wav_bytes

hub = pytest.importorskip("huggingface_hub")

WHISPER = "openai/whisper-large-v3"
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"


def client(fake: FakeHF, model: str) -> object:
    url = f"{fake.base_url}/hf-inference/models/{model}"
    return hub.InferenceClient(model=url, token=fake.token)


def test_speech_recognition_and_captions(fake: FakeHF) -> None:
    result = client(fake, WHISPER).automatic_speech_recognition(wav_bytes())
    assert result.text == "The quick brown fox"
    blip = client(fake, "Salesforce/blip-image-captioning-large")
    assert blip.image_to_text(png_bytes()).generated_text == "The quick brown fox"


def test_text_to_speech_bytes(fake: FakeHF) -> None:
    assert client(fake, "facebook/mms-tts-eng").text_to_speech("hi") == wav_bytes(0.25)


def test_streamed_chat_through_the_router_base_url(fake: FakeHF) -> None:
    chat = hub.InferenceClient(base_url=f"{fake.base_url}/v1", token=fake.token)
    chunks = chat.chat_completion([{"role": "user", "content": "hi"}], model=LLAMA,
                                  stream=True, stream_options={"include_usage": True})
    pieces = [c.choices[0].delta.content for c in chunks if c.choices]
    assert "".join(p or "" for p in pieces) == "The quick brown fox"


def test_the_hub_model_info(fake: FakeHF) -> None:
    api = hub.HfApi(endpoint=fake.base_url, token=fake.token)
    assert api.model_info(WHISPER).pipeline_tag == "automatic-speech-recognition"
    with pytest.raises(hub.errors.RepositoryNotFoundError):
        api.model_info("nobody/nothing")


def test_a_loading_model_raises_the_clients_http_error(fake: FakeHF) -> None:
    fake.loading(WHISPER, times=1, estimated_time=3.0)
    with pytest.raises(hub.errors.HfHubHTTPError) as caught:
        client(fake, WHISPER).automatic_speech_recognition(wav_bytes())
    assert caught.value.response.status_code == 503
    assert caught.value.response.json()["estimated_time"] == 3.0
