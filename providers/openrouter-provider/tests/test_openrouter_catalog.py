"""Discovery, capabilities, prices and the free rule, against the real captured catalogs."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from fake_openrouter import FakeOpenRouter
from openrouter_helpers import FAST, KEY, catalog_entries, free_suffix_ids
from openrouter_provider import OpenRouterProvider, capabilities, is_model_free, model_info
from openrouter_provider.settings import ENV_NAMES

from mediaconduit.sdk import Capability, ModelNotFoundError

ROOT = Path(__file__).resolve().parents[1]
CAPABILITIES = {c.value for c in Capability}


def test_constructing_does_no_network_io(fake: FakeOpenRouter) -> None:
    provider = OpenRouterProvider(env={"OPENROUTER_BASE_URL": fake.base_url})
    assert provider.settings.base_url == fake.base_url
    assert fake.requests == []


def test_default_listing_has_414_models_and_needs_no_key(make_provider: Any,
                                                          fake: FakeOpenRouter) -> None:
    infos = make_provider(api_key=None).discover_models()
    assert len(infos) == 414
    (request,) = fake.requests_to("models")
    assert "authorization" not in request.headers
    assert request.query == {}


def test_all_modalities_listing_has_549_models(make_provider: Any, fake: FakeOpenRouter) -> None:
    infos = make_provider(output_modalities="all").discover_models()
    assert len(infos) == 549
    assert fake.requests_to("models")[0].query == {"output_modalities": "all"}


def test_output_modalities_list_is_sent_as_a_comma_list(make_provider: Any,
                                                         fake: FakeOpenRouter) -> None:
    infos = make_provider(output_modalities=["image", "embeddings"]).discover_models()
    assert fake.requests_to("models")[0].query == {"output_modalities": "image,embeddings"}
    assert len(infos) == 34 + 9 + 2 + 34  # image-only, image+text, text+image, embeddings


def test_model_infos_carry_the_catalog_facts(make_provider: Any) -> None:
    infos = {i.id: i for i in make_provider().discover_models()}
    info = infos["qwen/qwen3.8-27b"]
    assert info.name == "Qwen: Qwen3.8 27B"
    assert info.context_length == 262144
    assert info.capabilities == ("text-to-text", "image-to-text")
    assert info.pricing is not None
    assert info.pricing.prompt == Decimal("0.00000045")
    assert info.pricing.extra["input_cache_read"] == Decimal("0.00000005")
    assert info.free is False
    assert info.metadata["raw"]["canonical_slug"] == "qwen/qwen3.8-27b-20260814"
    assert info.description.startswith("Qwen3.8 27B")


def test_every_capability_is_a_valid_value(make_provider: Any) -> None:
    for info in make_provider(output_modalities="all").discover_models():
        assert set(info.capabilities) <= CAPABILITIES, info.id


def test_capabilities_are_what_the_provider_can_return(make_provider: Any) -> None:
    # transform only ever returns Text: a model that makes no text gets no capability
    infos = make_provider(output_modalities="all").discover_models()
    for info in infos:
        outputs = info.metadata["raw"]["architecture"]["output_modalities"]
        assert set(info.capabilities) <= {"text-to-text", "image-to-text"}, info.id
        assert bool(info.capabilities) == ("text" in outputs), info.id
    without = [i for i in infos if not i.capabilities]
    assert len(without) == 549 - 414  # every media model, and only those
    by_id = {i.id: i for i in infos}
    assert by_id["deepgram/flux-tts:free"].capabilities == ()
    assert by_id["deepgram/flux-tts:free"].free is True  # listed with its free flag
    assert by_id["google/lyria-3-clip-preview"].capabilities == ("text-to-text",
                                                                  "image-to-text")


def test_pricing_tolerates_overrides_and_variable_prices(make_provider: Any) -> None:
    infos = {i.id: i for i in make_provider().discover_models()}
    tiered = infos["bytedance-seed/seed-2.0-code"].pricing
    assert tiered is not None
    assert "overrides" not in tiered.listed()
    assert tiered.completion == Decimal("0.000003")
    auto = infos["openrouter/auto"]
    assert auto.pricing is not None
    assert auto.pricing.prompt == Decimal(-1)
    assert auto.free is False


# --- the free rule ------------------------------------------------------------------


def test_default_listing_free_set_is_the_17_free_ids_plus_the_free_router(
    make_provider: Any,
) -> None:
    provider = make_provider()
    free = {i.id for i in provider.get_free_models()}
    assert len(free_suffix_ids()) == 17
    assert free == free_suffix_ids() | {"openrouter/free"}
    assert len(free) == 18


def test_all_modalities_free_set_has_23_models(make_provider: Any) -> None:
    # 22 `:free` ids (5 of them media: TTS, embeddings, rerank) plus openrouter/free; the
    # 31 other models whose listed prices are all zero make media (video, rerank, music)
    # and bill another way.
    free = {i.id for i in make_provider(output_modalities="all").get_free_models()}
    assert len(free_suffix_ids(all_modalities=True)) == 22
    assert free == free_suffix_ids(all_modalities=True) | {"openrouter/free"}
    assert len(free) == 23
    for media in ("openai/sora-2-pro", "google/veo-3.1", "cohere/rerank-4-pro",
                  "google/lyria-3-pro-preview"):
        assert media not in free


def test_provider_is_model_free(make_provider: Any) -> None:
    provider = make_provider()
    assert provider.is_model_free("openai/gpt-oss-20b:free")
    assert provider.is_model_free("openrouter/free")
    assert not provider.is_model_free("qwen/qwen3.8-27b")
    assert not provider.is_model_free("google/lyria-3-clip-preview")  # text+audio, zero tokens


def entry(model_id: str = "v/m", modality: str = "text->text", **pricing: Any) -> dict[str, Any]:
    return {"id": model_id, "architecture": {"modality": modality}, "pricing": pricing}


@pytest.mark.parametrize(
    ("case", "free"),
    [
        (entry(prompt="0", completion="0"), True),
        (entry(prompt="0", completion="0.000001"), False),
        (entry(), False),  # no price listed
        (entry(prompt="-1", completion="-1"), False),
        (entry("v/m:free", prompt="0", completion="0"), True),
        (entry("v/m:free", prompt="-1"), False),  # a negative price is never free
        (entry("v/m:free", "text->video", prompt="0"), True),  # the suffix says so
        (entry(modality="text+image->video", prompt="0", completion="0"), False),
        (entry(modality="text->text+audio", prompt="0", completion="0"), False),
        (entry(prompt="0", completion="0", overrides=[{"min_prompt_tokens": 9, "prompt": "1"}]),
         False),
        (entry(prompt="0", completion="0", overrides=[{"utc_start": 1, "prompt": "0"}]), True),
        (entry(prompt=0, completion="0", web_search="0"), True),
    ],
)
def test_is_model_free_rule(case: dict[str, Any], free: bool) -> None:
    assert is_model_free(case) is free
    assert model_info(case).free is free


# --- capabilities -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("modality", "expected"),
    [
        ("text->text", ("text-to-text",)),
        ("text+image+file->text", ("text-to-text", "image-to-text")),
        ("text+image+audio+video->text", ("text-to-text", "image-to-text")),
        ("text+image->text+image", ("text-to-text", "image-to-text")),
        ("text+audio->text+audio", ("text-to-text",)),
        ("image->text", ("image-to-text",)),
        ("text+image->image", ()),
        ("text->speech", ()),
        ("text+image->video", ()),
        ("text+image+audio+video->video", ()),
        ("audio->transcription", ()),
        ("text->embeddings", ()),
        ("text->rerank", ()),
        ("garbage", ()),
    ],
)
def test_capabilities_from_the_modality_string(modality: str, expected: tuple[str, ...]) -> None:
    assert capabilities(entry(modality=modality)) == expected


def test_modality_lists_win_over_the_modality_string() -> None:
    case = {"id": "x", "architecture": {"modality": "text->text", "input_modalities": ["image"],
                                         "output_modalities": ["text"]}}
    assert capabilities(case) == ("image-to-text",)


def old_shape_catalog() -> dict[str, Any]:
    """Real entries as an older catalog had them: no modality lists, some "-1" prices."""
    entries = copy.deepcopy(catalog_entries())
    for index, item in enumerate(entries):
        del item["architecture"]["input_modalities"], item["architecture"]["output_modalities"]
        if index % 10 == 0:
            item["pricing"] = {"prompt": "-1", "completion": "-1", "request": "0", "image": "0"}
    return {"data": entries}


def test_old_shape_catalog() -> None:
    catalog = old_shape_catalog()
    with FakeOpenRouter(catalog=catalog, api_key=KEY) as fake:
        provider = OpenRouterProvider(config=FAST, env={"OPENROUTER_BASE_URL": fake.base_url})
        infos = {i.id: i for i in provider.discover_models()}
    assert len(infos) == 414
    assert infos["qwen/qwen3.8-27b"].capabilities == ("text-to-text", "image-to-text")
    variable = [e["id"] for e in catalog["data"] if "request" in e["pricing"]]
    assert variable
    assert not any(infos[i].free for i in variable)
    assert all(infos[i].pricing.request == 0 for i in variable)  # type: ignore[union-attr]
    expected_free = {e["id"] for e in catalog["data"] if is_model_free(e)}
    assert {i for i, info in infos.items() if info.free} == expected_free


def test_pages_are_followed_through_links_next() -> None:
    with FakeOpenRouter(api_key=KEY, page_size=150) as fake:
        provider = OpenRouterProvider(config=FAST, env={"OPENROUTER_BASE_URL": fake.base_url})
        ids = [i.id for i in provider.discover_models()]
        offsets = [r.query.get("offset") for r in fake.requests_to("models")]
    assert len(ids) == len(set(ids)) == 414
    assert offsets == [None, "150", "300"]


# --- get_model ----------------------------------------------------------------------


def test_get_model_discovers_once_and_caches(make_provider: Any, fake: FakeOpenRouter) -> None:
    provider = make_provider()
    model = provider.get_model("openai/gpt-oss-20b:free")
    assert model.id == "openai/gpt-oss-20b:free"
    assert model.info.free is True
    provider.get_model("qwen/qwen3.8-27b")
    assert len(fake.requests_to("models")) == 1


def test_get_model_unknown_id_is_model_not_found_with_a_hint(make_provider: Any) -> None:
    provider = make_provider()
    with pytest.raises(ModelNotFoundError) as info:
        provider.get_model("qwen/qwen3.8-27")
    assert info.value.model_id == "qwen/qwen3.8-27"
    assert "qwen/qwen3.8-27b" in str(info.value)


def test_media_models_need_the_all_listing(make_provider: Any) -> None:
    with pytest.raises(ModelNotFoundError, match="output_modalities='all'"):
        make_provider().get_model("openai/sora-2-pro")
    model = make_provider(output_modalities="all").get_model("openai/sora-2-pro")
    assert model.info.capabilities == ()  # listed, but this provider only returns text
    assert model.info.free is False


# --- the manifest -------------------------------------------------------------------


def test_manifest_declares_what_the_provider_reads_and_serves() -> None:
    manifest = yaml.safe_load((ROOT / "MediaConduit.provider.yml").read_text())
    assert manifest["id"] == "openrouter"
    assert manifest["type"] == "remote"
    assert manifest["entry"] == "openrouter_provider:OpenRouterProvider"
    assert manifest["capabilities"] == ["text-to-text", "image-to-text"]
    declared = {item["name"]: item for item in manifest["env"]}
    assert set(ENV_NAMES.values()) == set(declared)
    assert declared["OPENROUTER_API_KEY"]["secret"] is True
    assert declared["OPENROUTER_API_KEY"]["required"] is True
    properties = manifest["config"]["properties"]
    assert set(properties) >= set(ENV_NAMES) | set(FAST) | {"output_modalities"}
    for name, schema in properties.items():
        assert None not in schema.values(), name  # no YAML flow-mapping accident
