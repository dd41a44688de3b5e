"""Where the cache lives (`mediaconduit.cache.layout`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediaconduit import cache


def test_default_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MEDIACONDUIT_CACHE_DIR", str(tmp_path / "x"))
    assert cache.default_root() == tmp_path / "x"
    monkeypatch.delenv("MEDIACONDUIT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.default_root() == tmp_path / "xdg" / "mediaconduit"
