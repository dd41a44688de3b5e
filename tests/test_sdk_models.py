from __future__ import annotations

from decimal import Decimal

import pytest

from mediaconduit.sdk.models import Capability, ModelInfo, Pricing, default_free


def test_capability_parse_and_hints() -> None:
    assert Capability.parse("text-to-image") is Capability.TEXT_TO_IMAGE
    assert Capability.TEXT_TO_IMAGE.input == "text"
    assert Capability.TEXT_TO_IMAGE.output == "image"
    with pytest.raises(ValueError, match="write it as 'text-to-text'"):
        Capability.parse("TEXT_TO_TEXT")
    with pytest.raises(ValueError, match=r"in and out each one of text, image, audio, video"):
        Capability.parse("text-to-smell")
    assert len(Capability) == 16


def test_pricing_reads_decimals_and_keeps_extras() -> None:
    pricing = Pricing.from_mapping({"prompt": "0.000001", "completion": 0, "web_search": "0.01",
                                    "overrides": [{"min_prompt_tokens": 1}], "request": None})
    assert pricing.prompt == Decimal("0.000001")
    assert pricing.completion == Decimal(0)
    assert pricing.extra == {"web_search": Decimal("0.01")}
    assert pricing.to_dict() == {"prompt": "0.000001", "completion": "0", "web_search": "0.01"}
    with pytest.raises(ValueError, match=r"pricing\.request"):
        Pricing.from_mapping({"request": "cheap"})
    with pytest.raises(ValueError, match="finite"):
        Pricing.from_mapping({"image": "NaN"})


@pytest.mark.parametrize(("prices", "free"), [
    ({}, False),
    ({"prompt": "0", "completion": "0"}, True),
    ({"prompt": "0", "completion": "0.1"}, False),
    ({"prompt": "-1", "completion": "-1"}, False),
    ({"request": "0"}, True),
])
def test_default_free_rule(prices: dict[str, str], free: bool) -> None:
    assert default_free(Pricing.from_mapping(prices) if prices else None) is free
    assert ModelInfo("m", pricing=prices or None).free is free


def test_provider_decides_free() -> None:
    info = ModelInfo("video", pricing={"prompt": "0", "completion": "0"}, free=False)
    assert info.free is False


def test_model_info_round_trip() -> None:
    info = ModelInfo("a/b:free", name="A", capabilities=["text-to-text", "image-to-text"],
                     pricing={"prompt": "0"}, context_length=8192, description="d",
                     parameters={"t": 1}, metadata={"raw": {"x": [1]}})
    again = ModelInfo.from_dict(info.to_dict())
    assert again == info
    assert again.capabilities == ("text-to-text", "image-to-text")
    assert ModelInfo("x").name == "x"
    with pytest.raises(ValueError):
        ModelInfo("x", capabilities=["TEXT"])
