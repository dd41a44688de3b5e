"""The shipped catalog: fal's 2025-07 model metadata as `ModelInfo`s."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fal_helpers import MakeProvider
from fal_provider.catalog import CATALOG

SHARED = Path(os.environ.get("MEDIACONDUIT_SHARED") or Path(__file__).resolve().parents[4]
              / "shared") / "data" / "fal-models-2025-07.json"


def test_the_shipped_catalog_is_the_shared_capture() -> None:
    if not SHARED.is_file():
        pytest.skip("no ../shared beside this checkout")
    assert CATALOG.read_bytes() == SHARED.read_bytes()


def test_every_listed_model_is_discovered_without_a_key_or_a_request(
        make_provider: MakeProvider, fake) -> None:  # type: ignore[no-untyped-def]
    models = make_provider(key=None).discover_models()
    assert len(models) == 110
    assert not fake.requests
    by_id = {m.id: m for m in models}
    schnell = by_id["fal-ai/flux/schnell"]
    assert schnell.capabilities == ("text-to-image",) and schnell.tasks == ("text-to-image",)
    assert schnell.parameters["num_images"]["max"] == 4
    assert schnell.pricing is None and schnell.free is False
    assert by_id["fal-ai/veo2"].tasks == ("text-to-video",)
    assert by_id["fal-ai/stable-video"].capabilities == ("image-to-video",)
    assert by_id["fal-ai/whisper"].tasks == ("automatic-speech-recognition",)
    assert by_id["fal-ai/kokoro"].capabilities == ()  # category "unknown": listed, kinds unknown
    assert by_id["fal-ai/orpheus-tts"].tasks == ("text-to-speech",)
    assert by_id["fal-ai/video-understanding"].capabilities == ("video-to-text",)
    assert by_id["fal-ai/minimax"].capabilities == (
        "text-to-video", "image-to-video", "text-to-audio")


def test_an_unlisted_app_is_accepted_on_demand(make_provider: MakeProvider) -> None:
    model = make_provider().get_model("someone/my-app/v2")
    assert model.info.id == "someone/my-app/v2" and model.info.metadata["listed"] is False
