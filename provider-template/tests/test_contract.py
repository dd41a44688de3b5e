"""The MediaConduit contract: load this repository through the real host and use it.

`assert_provider_contract` builds the provider's environment, starts its
worker, checks the manifest against what the provider reports, lists the
models and runs each one on a sample input of its input kind, checking that
the output is an asset of the declared kind (a real PNG, WAV, ... by its bytes).

Options, when you need them: `config={...}` (the provider's settings),
`models=["id", ...]` (only these), `params={"id": {...}}` (per model) and
`sample_inputs={"image": Image.from_path("tests/cat.png")}`.
"""

from __future__ import annotations

from pathlib import Path

from mediaconduit.testing import assert_provider_contract

REPO = Path(__file__).resolve().parents[1]


def test_the_provider_meets_the_contract() -> None:
    report = assert_provider_contract(REPO)
    assert report.models, "the provider lists no models"
