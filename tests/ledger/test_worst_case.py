"""The worst case of a call from listed prices, and None when it cannot be bounded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mediaconduit import Audio, Image
from mediaconduit.ledger import worst_case
from mediaconduit.ledger.money import from_pusd, to_pusd
from mediaconduit.sdk.models import ModelInfo

CHAT = ModelInfo(id="chat", capabilities=["text-to-text"], context_length=8000,
                 pricing={"prompt": "0.000001", "completion": "0.000004", "request": "0.001"})


def test_tokens_are_bounded_by_the_prompt_bytes_and_max_tokens() -> None:
    prompt = "héllo"  # 6 bytes: a token covers at least one
    assert worst_case(CHAT, prompt, {"max_tokens": 100}) == (
        Decimal("0.001") + (6 + 16) * Decimal("0.000001") + 100 * Decimal("0.000004"))


def test_without_max_tokens_the_context_length_bounds_the_completion() -> None:
    assert worst_case(CHAT, "hi", {}) == (
        Decimal("0.001") + 18 * Decimal("0.000001") + 8000 * Decimal("0.000004"))
    unbounded = ModelInfo(id="x", capabilities=["text-to-text"], pricing={"completion": "0.1"})
    assert worst_case(unbounded, "hi", {}) is None
    assert worst_case(unbounded, "hi", {"max_tokens": "lots"}) is None
    assert worst_case(unbounded, "hi", {"max_completion_tokens": 3}) == Decimal("0.3")


def test_n_choices_multiply_the_completion() -> None:
    info = ModelInfo(id="x", capabilities=["text-to-text"], pricing={"completion": "0.01"})
    assert worst_case(info, "hi", {"max_tokens": 10, "n": 3}) == Decimal("0.30")


def test_images_are_priced_per_output_image_and_per_input_image() -> None:
    paint = ModelInfo(id="p", capabilities=["text-to-image", "image-to-image"],
                      pricing={"image": "0.04"})
    assert worst_case(paint, "a cat", {}) == Decimal("0.04")
    assert worst_case(paint, "a cat", {"num_images": 4}) == Decimal("0.16")
    assert worst_case(paint, Image.from_bytes(b"x", "image/png"), {"n": 2}) == Decimal("0.12")


def test_seconds_and_characters_from_their_listed_prices() -> None:
    listen = ModelInfo(id="l", capabilities=["audio-to-text"], pricing={"audio_second": "0.01"})
    audio = Audio.from_bytes(b"x", "audio/wav")
    assert worst_case(listen, audio, {}) is None
    assert worst_case(listen, audio, {"duration": 30}) == Decimal("0.30")
    speak = ModelInfo(id="s", capabilities=["text-to-audio"], pricing={"character": "0.0001"})
    assert worst_case(speak, "twelve chars", {}) == Decimal("0.0012")


def test_free_unpriced_variable_and_unapplied_prices() -> None:
    assert worst_case(ModelInfo(id="f", pricing={"prompt": "0"}), "x", {}) == 0
    assert worst_case(ModelInfo(id="u", capabilities=["text-to-text"]), "x", {}) is None
    variable = ModelInfo(id="v", capabilities=["text-to-text"], pricing={"request": "-1"})
    assert worst_case(variable, "x", {}) is None
    search = ModelInfo(id="w", capabilities=["text-to-text"], pricing={"web_search": "0.01"})
    assert worst_case(search, "x", {}) is None  # nothing listed applies: no bound
    media_prompt = ModelInfo(id="m", capabilities=["image-to-text"],
                             pricing={"prompt": "0.001"})
    assert worst_case(media_prompt, Image.from_bytes(b"x", "image/png"), {}) is None


@pytest.mark.parametrize("usd", ["0.25", "0.000000000001", "12345.678901234567", "0"])
def test_picodollars_round_trip(usd: str) -> None:
    assert from_pusd(to_pusd(Decimal(usd))) == Decimal(usd)


def test_reservations_round_up_to_the_picodollar() -> None:
    assert to_pusd(Decimal("0.0000000000001"), up=True) == 1
    assert to_pusd(Decimal("0.0000000000001")) == 0
