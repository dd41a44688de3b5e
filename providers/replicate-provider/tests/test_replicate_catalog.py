"""The listed models (the packaged catalog) and models read on demand."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MakeProvider
from fake_replicate import PINNED_MODEL, TEXT_MODEL, FakeReplicate
from fake_replicate_models import CATALOG_NAME, PINNED_VERSION
from replicate_helpers import FLUX, VIDEO
from replicate_provider import parse_ref
from replicate_provider.catalog import CATALOG

from mediaconduit.sdk import InvalidInputError, ModelNotFoundError

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / CATALOG_NAME


@pytest.mark.skipif(not SHARED.is_file(), reason="no ../shared beside the repository")
def test_the_packaged_catalog_is_the_shared_capture() -> None:
    assert CATALOG.read_bytes() == SHARED.read_bytes()


def test_the_catalog_is_listed_without_a_token_or_a_request(
        make_provider: MakeProvider, fake: FakeReplicate) -> None:
    infos = {m.id: m for m in make_provider(api_token=None).discover_models()}
    assert set(infos) == {FLUX, VIDEO, "minimax/video-01-live", "kwaivgi/kling-v2.1",
                          "google/veo-3", "stability-ai/stable-diffusion"}
    assert fake.requests == []
    # flux-schnell is filed under image-to-image but takes no image: text-to-image
    assert infos[FLUX].capabilities == ("text-to-image",)
    assert infos[VIDEO].capabilities == ("text-to-video", "image-to-video")
    assert infos[VIDEO].tasks == ("text-to-video", "image-to-video")
    assert infos["kwaivgi/kling-v2.1"].capabilities == ("image-to-video",)
    assert infos[FLUX].parameters["num_outputs"] == {
        "name": "num_outputs", "type": "integer", "default": 1, "minimum": 1, "maximum": 4,
        "order": 2, "description": "Number of outputs to generate", "required": False}
    assert infos[FLUX].metadata["pricing"] == "usage-based"
    assert infos[FLUX].pricing is None
    assert not infos[FLUX].free


def test_a_model_by_name_is_read_on_demand_once(make_provider: MakeProvider,
                                                fake: FakeReplicate) -> None:
    provider = make_provider()
    model = provider.get_model(TEXT_MODEL)
    provider.get_model(TEXT_MODEL)
    assert [r.path for r in fake.requests] == [f"/v1/models/{TEXT_MODEL}"]
    assert fake.requests[0].headers["authorization"].startswith("Bearer r8_")
    assert model.info.capabilities == ("text-to-text",)
    assert model.info.tasks == ("text-generation",)
    assert model.info.parameters["temperature"]["maximum"] == 5
    assert model.spec.version == fake.models[TEXT_MODEL].version_id


def test_a_pinned_version_is_read_from_its_version(make_provider: MakeProvider,
                                                   fake: FakeReplicate) -> None:
    model_id = f"{PINNED_MODEL}:{PINNED_VERSION}"
    model = make_provider().get_model(model_id)
    assert [r.path for r in fake.requests] == [
        f"/v1/models/{PINNED_MODEL}/versions/{PINNED_VERSION}"]
    assert model.id == model_id
    assert model.info.capabilities == ("image-to-image",)
    assert model.spec.file_input("image") == "image"


def test_an_unknown_model_is_model_not_found(make_provider: MakeProvider) -> None:
    with pytest.raises(ModelNotFoundError, match="no model 'nobody/nothing'") as caught:
        make_provider().get_model("nobody/nothing")
    assert caught.value.model_id == "nobody/nothing"


@pytest.mark.parametrize("bad", ["flux", "a/b/c", "a/b:notahexversion", ""])
def test_a_malformed_id_says_how_to_write_one(bad: str) -> None:
    with pytest.raises(InvalidInputError, match="owner/name"):
        parse_ref(bad)
