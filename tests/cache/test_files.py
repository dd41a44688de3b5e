"""Staging, publishing, removing, and JSON written atomically (`mediaconduit.cache.files`)."""

from __future__ import annotations

from pathlib import Path

from mediaconduit import cache


def test_write_json_is_atomic_and_read_json_tolerates_damage(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "data.json"
    cache.write_json(path, {"a": 1})
    assert cache.read_json(path) == {"a": 1}
    assert [p.name for p in path.parent.iterdir()] == ["data.json"]
    path.write_text('{"a": ')
    assert cache.read_json(path) is None
    assert cache.read_json(tmp_path / "missing.json") is None


def test_publish_keeps_the_first_and_remove_is_total(tmp_path: Path) -> None:
    final = tmp_path / "entry"
    for content in ("first", "second"):
        staged = tmp_path / f"staged-{content}"
        staged.mkdir()
        (staged / "file").write_text(content)
        cache.publish(staged, final)
    assert (final / "file").read_text() == "first"
    cache.remove(final)
    assert not final.exists()
    assert not any(p.name.startswith(".entry") for p in tmp_path.iterdir())
