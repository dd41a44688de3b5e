"""`Usage`, `Cost` and the estimate from listed prices."""

from __future__ import annotations

from decimal import Decimal

from mediaconduit.sdk import Cost, Pricing, Usage, estimate_cost


def test_usage_keeps_only_what_is_set_and_adds_unit_by_unit() -> None:
    a, b = Usage(input_tokens=3, audio_seconds=1.5), Usage(input_tokens=2, images=1)
    assert a.to_dict() == {"input_tokens": 3, "audio_seconds": 1.5}
    assert (a + b).to_dict() == {"input_tokens": 5, "audio_seconds": 1.5, "images": 1}
    assert not Usage() and a
    assert Usage.from_dict(a.to_dict()) == a


def test_cost_in_decimals_round_trips_and_adds() -> None:
    cost = Cost(usd="0.10", estimated=False)  # type: ignore[arg-type]
    assert cost.usd == Decimal("0.10")
    assert Cost.from_dict(cost.to_dict()) == cost
    assert (cost + Cost(Decimal("0.05"), estimated=True)) == Cost(Decimal("0.15"), True)
    assert Cost() + Cost() == Cost() and not Cost()


def test_estimate_from_listed_prices() -> None:
    pricing = Pricing(prompt=Decimal("0.000001"), completion=Decimal("0.000002"),
                      request=Decimal("0.01"))
    cost = estimate_cost(pricing, Usage(input_tokens=1000, output_tokens=500))
    assert cost == Cost(Decimal("0.012"), estimated=True)
    assert estimate_cost(Pricing(image=Decimal("0.04")), Usage(images=3)).usd == Decimal("0.12")


def test_no_price_or_a_variable_one_is_unknown() -> None:
    assert estimate_cost(None, Usage(input_tokens=5)) == Cost()
    assert estimate_cost(Pricing(prompt=Decimal(-1)), Usage(input_tokens=5)) == Cost()
