"""Finding 16: only the real locale variables pass the worker's environment allowlist."""

from __future__ import annotations

import json

import pytest

from mediaconduit import worker
from mediaconduit.registry import ProviderRegistry
from tests.conftest import TEST_PROVIDERS


def test_finding16_lc_secret_is_not_a_locale_variable() -> None:
    source = {"LC_SECRET": "s3cret", "LC_API_KEY": "k", "LC_ALL": "C.UTF-8", "LC_TIME": "C",
              "LC_MESSAGES": "C", "LANG": "C"}
    assert worker.worker_env([], source) == {"LC_ALL": "C.UTF-8", "LC_TIME": "C",
                                             "LC_MESSAGES": "C", "LANG": "C"}


def test_finding16_lc_secret_never_reaches_a_worker(
        registry: ProviderRegistry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_SECRET", "s3cret")
    monkeypatch.setenv("LC_NUMERIC", "C")
    handle = registry.get_provider(str(TEST_PROVIDERS / "toolkit"))
    seen = json.loads(handle.get_model("env").transform("").text)  # type: ignore[union-attr]
    assert "LC_SECRET" not in seen
    assert seen["LC_NUMERIC"] == "C"
